import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { defaultPortalDist } from '../../src/portal/portal-dist.js';
import { openDatabase } from '../../src/store/database.js';
import { ServerSettingStore } from '../../src/store/server-settings.js';
import { freePort } from '../support/listen.js';
import { tesseraInProcess, tesseraJsonInProcess } from '../support/cli-in-process.js';
import { cliEnvOf, startServer, tessera, tesseraJson } from '../support/processes.js';
import { PASSWORD, PortalBrowser } from '../support/portal.js';
import { startDeployment } from '../support/bootstrap.js';
import type { TestEnvironment } from '../support/services.js';

/**
 * `tessera user …` in its own process; the link it prints is accepted by the portal of a server on the
 * same store. The refusals and the other JSON answers run the same program in this process
 * (support/cli-in-process.ts), which spares a Node start-up per check.
 */
describe('tessera user', () => {
  let env: TestEnvironment;
  let cliEnv: Record<string, string>;

  beforeAll(async () => {
    ({ env } = await startDeployment());
    cliEnv = cliEnvOf(env.config, { TESSERA_PUBLIC_URL: 'https://portal.example' });
  });
  afterAll(async () => env?.close());

  const SLOW = 90_000;

  it('invites by a one-time link (never a password in argv), lists, and removes', { timeout: SLOW }, async () => {
    expect((await tessera(['platform', 'create', 'acme'], cliEnv)).code).toBe(0);
    const created = await tesseraJson(['user', 'create', '--platform', 'acme', '--email', 'Ann@Example.com', '--role', 'admin'], cliEnv);
    expect(created.code).toBe(0);
    expect(created.json).toStrictEqual({
      invitation: { id: expect.stringMatching(/^inv_/), email: 'ann@example.com', role: 'admin', created_at: expect.any(String), expires_at: expect.any(String) },
      link: expect.stringMatching(/^https:\/\/portal\.example\/#\/invitation\/tsi_[0-9A-Za-z]{43}$/),
    });

    const { app } = await env.app();
    const ann = new PortalBrowser(app);
    const joined = await ann.post('/invitations/accept', { token: (created.json.link as string).split('/').at(-1), password: PASSWORD });
    expect(joined.statusCode, joined.body).toBe(201);
    expect(joined.json()).toMatchObject({ user: { email: 'ann@example.com', role: 'admin' }, platform: { name: 'acme' } });
    const bobLink = (await ann.post('/invitations', { email: 'bob@example.com', role: 'member' })).json().link as string;
    await new PortalBrowser(app).post('/invitations/accept', { token: bobLink.split('/').at(-1), password: PASSWORD });

    const listed = await tessera(['user', 'list', '--platform', 'acme'], cliEnv);
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n')[0]).toMatch(/^id\s+email\s+role\s+created_at$/);
    expect(listed.stdout).toContain('ann@example.com');
    expect(listed.stdout).toContain('bob@example.com');

    expect(await tesseraJsonInProcess(['user', 'remove', 'ann@example.com', '--platform', 'acme'], cliEnv)).toStrictEqual({
      code: 1,
      json: { error: { code: 'conflict', message: "ann@example.com is the platform's last admin: make another admin first" } },
    });
    const removed = await tessera(['user', 'remove', 'BOB@example.com', '--platform', 'acme'], cliEnv);
    expect(removed).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Removed bob@example\.com \(usr_[0-9A-Za-z]{22}\) from acme\n$/) });
    expect((await tesseraInProcess(['user', 'create', '--platform', 'acme', '--email', 'x@example.com', '--role', 'owner'], cliEnv)).code).not.toBe(0);
  });

  it('prints the link on the URL of the server running on the store, though not given its PORT; --public-url gives another; remove withdraws an invitation', { timeout: SLOW }, async () => {
    // A store of its own: what the other tests' servers recorded is not this test's business.
    const dataDir = await mkdtemp(path.join(tmpdir(), 'tessera-user-link-'));
    // The command in a second terminal: neither the server's PORT nor a public URL.
    const own = { ...cliEnv, TESSERA_DATA_DIR: dataDir, HOST: '', PORT: '', TESSERA_PUBLIC_URL: '' };
    const port = await freePort();
    const invite = (email: string, ...more: string[]) => tesseraJson(['user', 'create', '--platform', 'acme', '--email', email, '--role', 'member', ...more], own);
    let server: Awaited<ReturnType<typeof startServer>> | undefined;
    try {
      expect((await tessera(['platform', 'create', 'acme'], own)).code).toBe(0);
      // No server has started on this store yet: the command's own settings decide.
      expect((await invite('early@example.com')).json.link).toMatch(/^http:\/\/127\.0\.0\.1:8080\/#\/invitation\/tsi_\w{43}$/);

      server = await startServer({ ...own, HOST: '127.0.0.1', PORT: String(port) });
      // The server records its URL once it listens, which may be just after it first answers.
      const database = openDatabase({ dataDir });
      try {
        const settings = new ServerSettingStore(database.db);
        for (const deadline = Date.now() + 30_000; (await settings.publicUrl()) === undefined && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
      } finally {
        await database.db.destroy();
      }
      const invited = await invite('ann@example.com');
      expect(invited.code).toBe(0);
      expect(invited.json.link).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/#/invitation/tsi_\\w{43}$`));
      expect((await tesseraJsonInProcess(['user', 'create', '--platform', 'acme', '--email', 'bob@example.com', '--role', 'member', '--public-url', 'https://portal.example/'], own)).json.link).toMatch(/^https:\/\/portal\.example\/#\/invitation\/tsi_\w{43}$/);
      expect(await tesseraInProcess(['user', 'create', '--platform', 'acme', '--email', 'x@example.com', '--role', 'member', '--public-url', 'ftp://portal.example'], own)).toMatchObject({
        code: 1,
        stderr: expect.stringContaining("option '--public-url <url>' argument 'ftp://portal.example' is invalid. use an http:// or https:// URL"),
      });

      // Invited, not joined: removing them withdraws the invitation.
      const invitationId = (invited.json.invitation as { id: string }).id;
      expect(await tesseraJsonInProcess(['user', 'remove', 'Ann@Example.com', '--platform', 'acme'], own)).toStrictEqual({
        code: 0,
        json: { id: invitationId, email: 'ann@example.com', withdrawn: true },
      });
      const listed = await tesseraJsonInProcess(['user', 'list', '--platform', 'acme'], own);
      expect((listed.json.invitations as { email: string }[]).map((i) => i.email).sort()).toEqual(['bob@example.com', 'early@example.com']);
      expect(await tesseraJsonInProcess(['user', 'remove', 'ann@example.com', '--platform', 'acme'], own)).toMatchObject({
        code: 1,
        json: { error: { code: 'not_found', message: expect.stringMatching(/^User ann@example\.com does not exist in /) } },
      });
    } finally {
      await server?.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('serves the portal from the bundled `tessera serve`: a verified sign-up over a real port, its link read with `tessera mail`, sets the session cookie', { timeout: SLOW }, async () => {
    const port = await freePort();
    const server = await startServer({ ...cliEnv, PORT: String(port), TESSERA_PUBLIC_URL: `http://127.0.0.1:${port}` });
    try {
      const post = (route: string, body: unknown) =>
        fetch(`${server.url}/portal/api${route}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: server.url, 'sec-fetch-site': 'same-origin' },
          body: JSON.stringify(body),
        });
      const requested = await post('/signup', { email: 'real@example.com', platformName: 'real-port' });
      expect({ status: requested.status, body: await requested.json() }).toStrictEqual({ status: 202, body: { status: 'link_sent', expiresIn: 3600, outbox: true } });
      // A newcomer without SMTP reads the mail with `npx tessera mail`; the server writes it just after answering.
      let link: string | undefined;
      await vi.waitFor(async () => {
        const mail = await tesseraJson(['mail'], cliEnv);
        link = /http:\/\/\S+\/#\/signup\/(tsu_\w+)/.exec(JSON.stringify(mail.json))?.[1];
        expect(link).toBeDefined();
      }, { timeout: 30_000, interval: 200 });
      const signedUp = await post('/signup/finish', { token: link, password: PASSWORD });
      expect(signedUp.status).toBe(201);
      const cookie = signedUp.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^tessera_session=tss_\w{43}; Path=\/; HttpOnly; SameSite=Lax$/);
      const session = await fetch(`${server.url}/portal/api/session`, { headers: { cookie: cookie.split(';')[0]! } });
      expect(await session.json()).toMatchObject({ user: { email: 'real@example.com', role: 'admin' }, platform: { name: 'real-port' } });
      const home = await fetch(`${server.url}/`);
      expect(home.headers.get('x-frame-options')).toBe('DENY');
      // The SPA's build is another package's: served when it is there, a 503 saying so when not.
      expect(home.status).toBe(existsSync(path.join(defaultPortalDist(), 'index.html')) ? 200 : 503);
    } finally {
      await server.stop();
    }
  });
});
