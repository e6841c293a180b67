import path from 'node:path';
import SQLite from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SQLITE_FILE } from '../../src/store/database.js';
import { BROWSER_TEST_TIMEOUT, browserSkipReason, NARROW, openPage, screenshot, WIDE } from '../support/browser.js';
import { PASSWORD } from '../support/portal.js';
import { tessera } from '../support/processes.js';
import { servedPortal } from '../support/served-portal.js';

/**
 * A person in the portal, in Chromium, against `tessera serve` as `npm start` runs it (the bundle, the
 * built SPA, SQLite): sets up an account, generates client credentials and copies the secret, gets a
 * token with it over HTTP, generates an API key, reveals it with the eye icon and calls /raas/v2 with
 * it, deactivates it and sees the call fail, finds all of it in the Audit Log, and `tessera audit
 * verify` catches a row edited behind the server's back. The screenshots are the README's.
 */
describe.skipIf(browserSkipReason())('the portal in Chromium', () => {
  const served = servedPortal('tessera-portal-');
  /** One browser context (one person) for all the steps. */
  let page: Page;

  async function clipboard(p: Page): Promise<string> {
    return p.evaluate<string>('navigator.clipboard.readText()');
  }

  async function callApi(authorization: string): Promise<number> {
    return (await fetch(`${served.url}/raas/v2/customers`, { headers: { authorization } })).status;
  }

  // The steps a person takes, in order, on one page.
  let clientId: string;
  let clientSecret: string;
  let apiKey: string;

  /**
   * sends a newcomer to sign in, and sets up an account (a new platform, its first admin) as `npm start`
   * serves it: verified sign-up, the link read from the outbox with `tessera mail`, the password chosen on its page
   */
  async function signUp(): Promise<void> {
    const p = page;
    await p.goto(`${served.url}/`);
    await expect.poll(() => p.url(), { timeout: 20_000 }).toContain('#/signin');
    await p.getByRole('heading', { name: 'Sign in' }).waitFor();
    await screenshot(p, 'portal-sign-in');

    await p.getByRole('link', { name: /set up an account/i }).click();
    await p.getByRole('heading', { name: 'Set up an account' }).waitFor();
    await screenshot(p, 'portal-sign-up');
    await p.getByLabel('Email').fill('ada@acme.example');
    await p.getByLabel('Platform name').fill('acme inc');
    await p.getByRole('button', { name: 'Send the link' }).click();
    const error = p.getByRole('alert');
    await error.waitFor();
    expect(await error.innerText()).toMatch(/platform name/i);
    await screenshot(p, 'portal-sign-up-error');

    await p.getByLabel('Platform name').fill('acme');
    await p.getByRole('button', { name: 'Send the link' }).click();
    const sent = p.getByRole('status').filter({ hasText: 'Check your inbox' });
    await sent.waitFor();
    expect(await sent.innerText()).toContain('Check your inbox: we sent a link to ada@acme.example to finish creating acme. It is valid for one hour.');
    expect(await sent.innerText()).toContain('npx tessera mail');
    await screenshot(p, 'portal-sign-up-sent');

    // As the page says: `npx tessera mail` prints the message (the server writes it just after answering).
    const cliEnv = { ...served.env, LOG_LEVEL: 'warn' };
    let link = '';
    await expect
      .poll(async () => (link = /http:\/\/\S+\/#\/signup\/tsu_\w+/.exec((await tessera(['mail'], cliEnv)).stdout)?.[0] ?? ''), { timeout: 30_000 })
      .toMatch(new RegExp(`^${served.url}/#/signup/tsu_\\w{43}$`));
    await p.goto(link);
    await p.getByRole('heading', { name: 'Finish creating acme' }).waitFor();
    await screenshot(p, 'portal-sign-up-finish');
    await p.getByLabel('Password').fill('short');
    await p.getByRole('button', { name: 'Create acme' }).click();
    expect(await p.getByRole('alert').innerText()).toMatch(/at least 12 characters/);

    await p.getByLabel('Password').fill(PASSWORD);
    await p.getByRole('button', { name: 'Create acme' }).click();
    await expect.poll(() => p.url(), { timeout: 20_000 }).toContain('#/team');
    await p.getByRole('heading', { name: 'Team settings' }).waitFor();
    // The token policy in force, from the server (issue 22): its defaults here.
    await p.getByText('(one new token per client every 20 hours)', { exact: false }).waitFor();
    await screenshot(p, 'portal-team-settings');
    // Used: the link now says so.
    await p.goto(link);
    await p.getByRole('heading', { name: 'Sign-up link not valid' }).waitFor();
    await p.goto(`${served.url}/#/team`);
    await p.getByRole('heading', { name: 'Team settings' }).waitFor();
  }

  /** generates client credentials, shows the secret once, copies it, and the secret gets a token over HTTP; a quota reset keeps the token's time and says so */
  async function generateClient(): Promise<void> {
    const p = page;
    // Issue 23: a protected API of acme's, which the Audiences card lists with its routing (read-only).
    const registered = await tessera(['api', 'add', 'https://api.acme.example/', '--host', 'api.acme.example', '--path-prefix', '/v1', '--platform', 'acme', '--ttl', '3600'], {
      ...served.env,
      LOG_LEVEL: 'warn',
    });
    expect(registered.code, registered.stderr).toBe(0);
    await p.getByRole('link', { name: 'Manage OAuth client credentials' }).click();
    await expect.poll(() => p.url(), { timeout: 20_000 }).toContain('#/team/oauth-clients');
    await p.getByText('No client credentials yet.').waitFor();
    expect(await p.locator('.page-description').innerText()).toContain('A client may request one new token every 20 hours, and a token of the default audience lives 24 hours');
    await screenshot(p, 'portal-oauth-clients-empty');

    await p.getByRole('button', { name: 'Generate Client Credentials' }).first().click();
    const form = p.getByRole('dialog', { name: 'Generate Client Credentials' });
    await form.getByLabel(/internal name/i).fill('Acme billing');
    await form.getByRole('button', { name: /generate/i }).click();
    const shown = p.getByRole('dialog', { name: 'Your new client credentials' });
    await shown.waitFor();
    await shown.getByText(/you will not see it again/i).waitFor();
    await shown.getByRole('button', { name: 'Copy client secret' }).click();
    clientSecret = await clipboard(p);
    expect(clientSecret).toMatch(/^tsc_secret_[0-9A-Za-z]+$/);
    await shown.getByRole('button', { name: 'Copy client id' }).click();
    clientId = await clipboard(p);
    expect(clientId).toMatch(/^cli_[0-9A-Za-z]+$/);
    await screenshot(p, 'portal-client-secret-once');
    await shown.getByRole('button', { name: 'Done' }).click();
    await p.getByRole('cell', { name: new RegExp(clientId) }).first().waitFor();
    // Shown once: the secret is nowhere on the page any more.
    expect(await p.content()).not.toContain(clientSecret);

    const token = await fetch(`${served.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(token.status).toBe(200);
    const { access_token: accessToken } = (await token.json()) as { access_token: string };
    expect(await callApi(`Bearer ${accessToken}`)).toBe(200);

    await p.reload();
    await p.getByText('Acme billing').waitFor();
    await screenshot(p, 'portal-oauth-clients');

    // Issue 19, point 13: a reset is offered while the quota refuses, keeps the last token's time, and says it happened.
    const clientRow = p.getByRole('row', { name: new RegExp(clientId) });
    const lastToken = clientRow.getByRole('cell').nth(2);
    const issuedAt = (await lastToken.locator('time').first().innerText()).trim();
    expect(issuedAt).toMatch(/^\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d$/);
    expect(await lastToken.innerText()).toContain('Next token from');
    await clientRow.getByRole('button', { name: 'Reset quota' }).click();
    await p.getByRole('dialog', { name: 'Reset the token quota?' }).getByRole('button', { name: 'Reset quota' }).click();
    const reset = p.getByRole('status').filter({ hasText: 'Quota reset: Acme billing may request one new token now.' });
    await reset.waitFor();
    expect((await lastToken.innerText()).trim()).toBe(issuedAt);
    expect(await clientRow.getByRole('button', { name: 'Reset quota' }).count()).toBe(0);
    await screenshot(p, 'portal-quota-reset');

    // Issue 22: an admin sets the client's token limits in a dialog; the row shows them, and the audiences are listed read-only.
    await clientRow.getByRole('button', { name: 'Token limits of Acme billing' }).click();
    const limits = p.getByRole('dialog', { name: 'Token limits of Acme billing' });
    await limits.getByLabel('Tokens per hour').fill('60');
    await limits.getByLabel('Tokens per day').fill('1000');
    await limits.getByRole('button', { name: 'Save limits' }).click();
    await p.getByRole('status').filter({ hasText: 'Token limits of Acme billing: 60 per hour, 1,000 per day, enforced.' }).waitFor();
    expect(await clientRow.getByRole('cell').nth(3).innerText()).toContain('60 / hour · 1,000 / day');
    const audiences = p.getByRole('region', { name: 'Audiences' });
    await audiences.getByText('Default', { exact: true }).waitFor();
    expect(await audiences.getByRole('row').count()).toBe(3);
    const apiRow = audiences.getByRole('row').filter({ hasText: 'https://api.acme.example/' });
    expect((await apiRow.getByRole('cell').nth(1).innerText()).split('\n').map((line) => line.trim())).toEqual([
      'Host',
      'api.acme.example',
      'Path prefix',
      '/v1',
      'Platforms',
      'acme',
      'Credentials',
      'OAuth clients and API keys',
    ]);
    await screenshot(p, 'portal-client-limits');
    // The Audiences card alone, wide and narrow (the page's screenshots cut it): its files, from the helper, overwritten.
    const shots = await screenshot(p, 'portal-audiences');
    for (const [file, size] of [
      [shots.wide, WIDE],
      [shots.narrow, NARROW],
    ] as const) {
      await p.setViewportSize(size);
      await audiences.screenshot({ path: file });
    }
    await p.setViewportSize(WIDE);
  }

  /** generates an API key, copies it by a click on the masked key, reveals it with the eye icon (nothing moves), and the key calls /raas/v2; deactivated (which the page confirms), the call fails */
  async function apiKeyFlow(): Promise<void> {
    const p = page;
    await p.getByRole('link', { name: 'RaaS API keys' }).first().click();
    await expect.poll(() => p.url(), { timeout: 20_000 }).toContain('#/team/api-keys');
    await p.getByText('No API keys yet.').waitFor();
    await screenshot(p, 'portal-api-keys-empty');

    await p.getByRole('button', { name: 'Generate API Key' }).first().click();
    const shown = p.getByRole('dialog', { name: 'Your new API key' });
    await shown.waitFor();
    await shown.getByRole('button', { name: 'Done' }).click();

    // The README shows the masked key, before anything was copied ("Copied" would show).
    const keyRow = p.locator('tbody tr').first();
    await keyRow.locator('code.secret-value.is-masked').waitFor();
    await screenshot(p, 'portal-api-keys');

    // Issue 19, point 14: hover over the masked key and click copies it, unseen; revealing it moves nothing.
    // The boxes of the table, the key's row and each column (a string: this suite has no DOM types).
    const layout = async () =>
      p.evaluate<unknown>(`(() => ({
        table: document.querySelector('table').getBoundingClientRect().toJSON(),
        row: document.querySelector('tbody tr').getBoundingClientRect().toJSON(),
        headers: [...document.querySelectorAll('th')].map((th) => th.getBoundingClientRect().width),
      }))()`);
    const masked = await layout();
    await keyRow.locator('code.secret-value.is-masked').hover();
    await keyRow.locator('code.secret-value.is-masked').click();
    await keyRow.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
    apiKey = await clipboard(p);
    expect(apiKey).toMatch(/^tsk_live_[0-9A-Za-z]+$/);
    expect(await p.content()).not.toContain(apiKey);
    await screenshot(p, 'portal-api-key-copied');

    const reveal = p.getByRole('button', { name: /^Reveal key key_/ });
    await reveal.click();
    const revealed = p.locator('code.secret-value:not(.is-masked)');
    await revealed.waitFor();
    expect((await revealed.innerText()).trim()).toBe(apiKey);
    expect(await layout()).toStrictEqual(masked);
    const basic = `Basic ${Buffer.from(`acme:${apiKey}`).toString('base64')}`;
    expect(await callApi(basic)).toBe(200);
    await p.getByRole('button', { name: /^Hide key key_/ }).click();
    await p.locator('code.secret-value.is-masked').waitFor();

    await p.getByRole('button', { name: 'Deactivate' }).first().click();
    const confirm = p.getByRole('dialog');
    await confirm.waitFor();
    await screenshot(p, 'portal-confirm-deactivate');
    await confirm.getByRole('button', { name: /deactivate/i }).click();
    await p.getByText(/inactive/i).first().waitFor();
    await p.getByRole('status').filter({ hasText: /^Key key_\w+ is deactivated: requests that send it get 401\.$/ }).waitFor();
    await screenshot(p, 'portal-api-key-deactivated');
    await expect.poll(() => callApi(basic), { timeout: 20_000 }).toBe(401);
  }

  /** invites a colleague; the one-time link lets them join as a member, who sees the credentials and changes nothing */
  async function inviteMember(): Promise<void> {
    const p = page;
    await p.getByRole('link', { name: 'Team members' }).first().click();
    await expect.poll(() => p.url(), { timeout: 20_000 }).toContain('#/team/members');
    await p.getByLabel('Email').fill('grace@acme.example');
    await p.getByRole('button', { name: 'Invite', exact: true }).click();
    const shown = p.getByRole('dialog', { name: 'Invitation link' });
    await shown.waitFor();
    await shown.getByRole('button', { name: 'Copy invitation link' }).click();
    const link = await clipboard(p);
    expect(link).toMatch(new RegExp(`^${served.url}/#/invitation/[A-Za-z0-9_-]+$`));
    await shown.getByRole('button', { name: 'Done' }).click();
    await p.getByRole('cell', { name: 'grace@acme.example' }).waitFor();
    await screenshot(p, 'portal-team-members');

    // Grace, in a browser of her own.
    const grace = await openPage(served.browser);
    await grace.goto(link);
    // Issue 19, point 15: the page names the platform being joined, and the role.
    await grace.getByRole('heading', { name: 'Join acme as a member' }).waitFor();
    await grace.getByText('You were invited as grace@acme.example').waitFor();
    await screenshot(grace, 'portal-join');
    await grace.getByLabel('Password', { exact: true }).fill('grace hopper was here');
    await grace.getByRole('button', { name: 'Join acme' }).click();
    await expect.poll(() => grace.url(), { timeout: 20_000 }).toContain('#/team');
    await grace.goto(`${served.url}/#/team/oauth-clients`);
    await grace.getByText('Acme billing').waitFor();
    expect(await grace.getByRole('button', { name: 'Generate Client Credentials' }).count()).toBe(0);
    expect(await grace.getByRole('button', { name: 'Deactivate' }).count()).toBe(0);
    // The link worked once.
    const again = await fetch(`${served.url}/portal/api/invitations/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: link.split('/').pop(), password: 'someone else entirely' }),
    });
    expect(again.status).toBe(404);
  }

  /** finds all of it in the Audit Log, and tessera audit verify catches a row edited behind its back */
  async function auditLog(): Promise<void> {
    const p = page;
    await p.getByRole('link', { name: 'Audit Log' }).first().click();
    await expect.poll(() => p.url(), { timeout: 20_000 }).toContain('#/audit');
    const table = p.getByRole('table');
    await table.waitFor();
    const text = await table.innerText();
    for (const seen of [clientId, 'ada@acme.example', 'grace@acme.example']) expect(text).toContain(seen);
    for (const label of ['Signed up', 'Generated credential', 'Token issued', 'Reset token quota', 'Copied API key', 'Revealed API key', 'Deactivated credential', 'Invited user', 'Joined team']) {
      expect(text).toContain(label);
    }
    for (const secret of [clientSecret, apiKey]) expect(await p.content()).not.toContain(secret);
    const actions = await p.locator('tbody tr').count();
    // sign_up, generate (client), token_issued, reset_quota, generate (key), copy, reveal, deactivate, invite, join.
    expect(actions).toBeGreaterThanOrEqual(10);
    await screenshot(p, 'portal-audit-log');

    const cliEnv = { ...served.env, LOG_LEVEL: 'warn' };
    expect(await tessera(['audit', 'verify'], cliEnv)).toMatchObject({ code: 0 });
    const db = new SQLite(path.join(served.dataDir, SQLITE_FILE));
    try {
      const row = db.prepare("SELECT id, seq FROM audit_log WHERE action = 'reveal'").get() as { id: string; seq: number };
      db.prepare("UPDATE audit_log SET actor = 'someone-else@example' WHERE id = ?").run(row.id);
      const broken = await tessera(['audit', 'verify'], cliEnv);
      expect(broken.code).toBe(1);
      expect(broken.stdout).toContain(`seq ${row.seq} (${row.id}) was changed`);
    } finally {
      db.close();
    }
  }

  it('walks a person through the portal, from a new account to a tampered audit log caught', { timeout: 4 * BROWSER_TEST_TIMEOUT }, async () => {
    page = await openPage(served.browser);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: served.url });
    await signUp();
    await generateClient();
    await apiKeyFlow();
    await inviteMember();
    await auditLog();
  });
});
