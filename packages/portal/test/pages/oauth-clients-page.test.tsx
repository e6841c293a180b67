import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import { json } from '../support/fake-fetch';
import { activeClient, adminSession, clientList, inactiveClient, memberSession } from '../support/fixtures';
import { renderApp } from '../support/render-app';

const list = (clients = [activeClient, inactiveClient]) => json(200, clientList(clients));
const row = (clientId: string) => screen.getByText(clientId).closest('tr') as HTMLElement;
const created = { name: 'Staging', clientId: 'cli_new1', clientSecret: 'tsc_secret_shown_once' };

describe('OAuth client credentials', () => {
  test('lists each client: name, client id with a copy button, dates in UTC, status', async () => {
    await renderApp('#/team/oauth-clients', { 'GET /portal/api/oauth-clients': list() }, adminSession);
    await screen.findByText('cli_active1');
    await waitFor(() => expect(document.title).toBe('OAuth client credentials · Tessera'));
    const cells = [...row('cli_active1').querySelectorAll('td')].map((td) => td.textContent);
    expect(cells.slice(0, 5)).toEqual([
      'Productioncli_active1',
      '14 Sep 2026',
      '29 Nov 2026, 06:40Next token from 30 Nov 2026, 02:40Reset quota',
      '100 / hourEnforced · Set for this clientLimits',
      'Active',
    ]);
    // An admin's actions on the quota and the limits sit under what they change; the row's end keeps the client's own.
    const [lastToken, limits, , actions] = [...row('cli_active1').querySelectorAll('td')].slice(2);
    expect(within(lastToken!).getByRole('button', { name: 'Reset quota' })).toBeTruthy();
    expect(within(limits!).getByRole('button', { name: 'Token limits of Production' })).toBeTruthy();
    expect(within(actions!).getAllByRole('button').map((button) => button.textContent)).toEqual(['Deactivate']);
    expect(within(row('cli_inactive1')).getByText('Never')).toBeTruthy();
    expect(within(row('cli_active1')).getByRole('button', { name: 'Copy client id cli_active1' })).toBeTruthy();
    expect(screen.getByText('1 of 2 active · times in UTC')).toBeTruthy();
  });

  test('Generate Client Credentials shows the id and secret exactly once', async () => {
    let clients = [activeClient];
    const app = await renderApp(
      '#/team/oauth-clients',
      {
        'GET /portal/api/oauth-clients': () => list(clients),
        'POST /portal/api/oauth-clients': () => {
          clients = [{ ...activeClient, name: 'Staging', clientId: 'cli_new1' }, activeClient];
          return json(201, created);
        },
      },
      adminSession,
    );
    await screen.findByText('cli_active1');
    await app.user.click(screen.getByRole('button', { name: 'Generate Client Credentials' }));
    const form = screen.getByRole('dialog', { name: 'Generate Client Credentials' });
    await app.user.type(within(form).getByLabelText(/Internal name/), 'Staging');
    await app.user.click(within(form).getByRole('button', { name: 'Generate' }));

    const dialog = await screen.findByRole('dialog', { name: 'Your new client credentials' });
    expect(within(dialog).getByText('Copy the secret now: you will not see it again.')).toBeTruthy();
    expect(within(dialog).getByText('cli_new1')).toBeTruthy();
    expect(within(dialog).getByText('tsc_secret_shown_once')).toBeTruthy();
    expect(within(dialog).getByRole('button', { name: 'Copy client secret' })).toBeTruthy();
    expect(within(dialog).getByRole('button', { name: 'Copy client id' })).toBeTruthy();
    expect(app.calls.find((c) => c.method === 'POST')).toMatchObject({
      url: '/portal/api/oauth-clients',
      body: { name: 'Staging' },
      headers: { 'x-csrf-token': 'csrf-token-1', 'content-type': 'application/json' },
    });

    // Esc does not close it by accident: the secret would be lost.
    await app.user.keyboard('{Escape}');
    expect(screen.getByRole('dialog', { name: 'Your new client credentials' })).toBeTruthy();

    await app.user.click(within(dialog).getByRole('button', { name: 'Done' }));
    await screen.findByText('cli_new1');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.queryByText('tsc_secret_shown_once')).toBeNull();
    expect(app.requests()).toEqual(['GET /portal/api/oauth-clients', 'GET /portal/api/audiences', 'POST /portal/api/oauth-clients', 'GET /portal/api/oauth-clients']);
  });

  test('the generate form shows the refusal next to it (409 limit_reached)', async () => {
    const app = await renderApp(
      '#/team/oauth-clients',
      {
        'GET /portal/api/oauth-clients': list([]),
        'POST /portal/api/oauth-clients': json(409, { error: 'limit_reached', message: 'A platform may have at most 2 active clients' }),
      },
      adminSession,
    );
    await screen.findByText('No client credentials yet.');
    await app.user.click(screen.getByRole('button', { name: 'Generate Client Credentials' }));
    const form = screen.getByRole('dialog', { name: 'Generate Client Credentials' });
    await app.user.click(within(form).getByRole('button', { name: 'Generate' }));
    expect((await within(form).findByRole('alert')).textContent).toBe('A platform may have at most 2 active clients');
    expect(app.calls.find((c) => c.method === 'POST')?.body).toEqual({});
  });

  test('Generate Client Credentials is disabled with the reason when 2 are active', async () => {
    await renderApp('#/team/oauth-clients', { 'GET /portal/api/oauth-clients': list([activeClient, { ...activeClient, clientId: 'cli_2' }]) }, adminSession);
    await screen.findByText('cli_2');
    const button = screen.getByRole('button', { name: 'Generate Client Credentials' }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(document.getElementById(button.getAttribute('aria-describedby') ?? '')?.textContent).toBe(
      'You have 2 active clients, the most allowed. Deactivate one to generate another.',
    );
  });

  test.each([
    ['cli_active1', 'Deactivate', 'Deactivate this client?', 'Integrations using Production get 401 at once; tokens it issued stop working.', 'POST /portal/api/oauth-clients/cli_active1/deactivate', 'Inactive'],
    ['cli_active1', 'Reset quota', 'Reset the token quota?', 'Production may request one new token now; use this when the token was lost.', 'POST /portal/api/oauth-clients/cli_active1/reset-quota', 'Active'],
    ['cli_inactive1', 'Activate', 'Activate this client?', 'Old can authenticate and request tokens again', 'POST /portal/api/oauth-clients/cli_inactive1/activate', 'Active'],
  ])('%s › %s asks "%s", says what it does, then sends the request', async (clientId, action, title, says, request, status) => {
    const [method, url] = request.split(' ') as [string, string];
    const before = clientId === activeClient.clientId ? activeClient : inactiveClient;
    const app = await renderApp(
      '#/team/oauth-clients',
      {
        'GET /portal/api/oauth-clients': list(),
        [request]: json(200, { ...before, status: status.toLowerCase() }),
      },
      adminSession,
    );
    await screen.findByText(clientId);
    await app.user.click(within(row(clientId)).getByRole('button', { name: action }));
    const dialog = screen.getByRole('dialog', { name: title });
    expect(dialog.textContent).toContain(says);
    expect(app.requests()).toEqual(['GET /portal/api/oauth-clients', 'GET /portal/api/audiences']);

    await app.user.click(within(dialog).getByRole('button', { name: action }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(app.requests()).toEqual(['GET /portal/api/oauth-clients', 'GET /portal/api/audiences', `${method} ${url}`]);
    expect(app.calls.at(-1)?.headers['x-csrf-token']).toBe('csrf-token-1');
    expect(within(row(clientId)).getByText(status)).toBeTruthy();
  });

  test('Reset quota is offered only while the quota refuses the client a token', async () => {
    const free = { ...activeClient, clientId: 'cli_free', name: 'Never issued', lastTokenIssuedAt: null, nextTokenAt: null };
    const due = { ...activeClient, clientId: 'cli_due', name: 'Due again', nextTokenAt: null };
    await renderApp('#/team/oauth-clients', { 'GET /portal/api/oauth-clients': list([activeClient, free, due]) }, adminSession);
    await screen.findByText('cli_free');
    expect(within(row('cli_active1')).getByRole('button', { name: 'Reset quota' })).toBeTruthy();
    expect(within(row('cli_free')).queryByRole('button', { name: 'Reset quota' })).toBeNull();
    expect(within(row('cli_due')).queryByRole('button', { name: 'Reset quota' })).toBeNull();
    expect(within(row('cli_free')).getByText('Never')).toBeTruthy();
  });

  test('after Reset quota the last token time stays, and the page says what happened, announced', async () => {
    const app = await renderApp(
      '#/team/oauth-clients',
      {
        'GET /portal/api/oauth-clients': list(),
        // The server's answer: the last token is still the one issued, the quota refuses nothing now.
        'POST /portal/api/oauth-clients/cli_active1/reset-quota': json(200, { ...activeClient, nextTokenAt: null }),
      },
      adminSession,
    );
    await screen.findByText('cli_active1');
    await app.user.click(within(row('cli_active1')).getByRole('button', { name: 'Reset quota' }));
    await app.user.click(within(screen.getByRole('dialog', { name: 'Reset the token quota?' })).getByRole('button', { name: 'Reset quota' }));
    const notice = await screen.findByText('Quota reset: Production may request one new token now.');
    expect(notice.closest('[role="status"]')?.getAttribute('aria-live')).toBe('polite');
    // Said in the list it changed, above the table.
    expect(notice.closest('section')?.getAttribute('aria-labelledby')).toBe('clients-heading');
    expect(within(row('cli_active1')).getByText('29 Nov 2026, 06:40')).toBeTruthy();
    expect(within(row('cli_active1')).queryByText(/Next token from/)).toBeNull();
    expect(within(row('cli_active1')).queryByRole('button', { name: 'Reset quota' })).toBeNull();
  });

  test.each([
    ['cli_active1', 'Deactivate', { method: 'POST', url: '/portal/api/oauth-clients/cli_active1/deactivate', reply: json(200, { ...activeClient, status: 'inactive' }) }, 'Production is deactivated: it can no longer authenticate, and the tokens it was issued stop working.'],
    ['cli_inactive1', 'Activate', { method: 'POST', url: '/portal/api/oauth-clients/cli_inactive1/activate', reply: json(200, { ...inactiveClient, status: 'active' }) }, 'Old is active again: it can authenticate and request tokens.'],
    ['cli_inactive1', 'Delete', { method: 'DELETE', url: '/portal/api/oauth-clients/cli_inactive1', reply: json(204) }, 'Old is deleted: its client id and secret never work again.'],
  ])('%s › %s says what it did once it is done', async (clientId, action, request, said) => {
    const app = await renderApp('#/team/oauth-clients', { 'GET /portal/api/oauth-clients': list(), [`${request.method} ${request.url}`]: request.reply }, adminSession);
    await screen.findByText(clientId);
    expect(screen.queryByText(said)).toBeNull();
    await app.user.click(within(row(clientId)).getByRole('button', { name: action }));
    await app.user.click(within(screen.getByRole('dialog')).getByRole('button', { name: action }));
    expect((await screen.findByText(said)).closest('[role="status"]')).toBeTruthy();
  });

  test('Cancel and Esc close a confirmation without sending anything', async () => {
    const app = await renderApp('#/team/oauth-clients', { 'GET /portal/api/oauth-clients': list() }, adminSession);
    await screen.findByText('cli_active1');
    const deactivate = within(row('cli_active1')).getByRole('button', { name: 'Deactivate' });

    await app.user.click(deactivate);
    await app.user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(deactivate);

    await app.user.click(deactivate);
    expect(screen.getByRole('dialog', { name: 'Deactivate this client?' })).toBeTruthy();
    await app.user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(app.requests()).toEqual(['GET /portal/api/oauth-clients', 'GET /portal/api/audiences']);
  });

  test('delete is offered only for an inactive client and removes the row', async () => {
    const app = await renderApp(
      '#/team/oauth-clients',
      { 'GET /portal/api/oauth-clients': list(), 'DELETE /portal/api/oauth-clients/cli_inactive1': json(204) },
      adminSession,
    );
    await screen.findByText('cli_active1');
    expect(within(row('cli_active1')).queryByRole('button', { name: 'Delete' })).toBeNull();
    await app.user.click(within(row('cli_inactive1')).getByRole('button', { name: 'Delete' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete this client?' });
    expect(dialog.textContent).toContain('its client id and secret never work again. This cannot be undone.');
    await app.user.click(within(dialog).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(screen.queryByText('cli_inactive1')).toBeNull());
    expect(app.requests()).toEqual(['GET /portal/api/oauth-clients', 'GET /portal/api/audiences', 'DELETE /portal/api/oauth-clients/cli_inactive1']);
  });

  test('a member sees the clients without the admin-only actions', async () => {
    await renderApp('#/team/oauth-clients', { 'GET /portal/api/oauth-clients': list() }, memberSession);
    await screen.findByText('cli_active1');
    expect(screen.queryByRole('button', { name: 'Generate Client Credentials' })).toBeNull();
    for (const name of ['Deactivate', 'Activate', 'Delete', 'Reset quota']) expect(screen.queryByRole('button', { name })).toBeNull();
    expect(screen.getByText(/only an admin can generate or change client credentials/)).toBeTruthy();
  });

  test('a list that fails to load says why', async () => {
    await renderApp(
      '#/team/oauth-clients',
      { 'GET /portal/api/oauth-clients': json(500, { error: 'server_error', message: 'Something failed on our side' }), 'GET /portal/api/audiences': json(200, { audiences: [] }) },
      adminSession,
    );
    expect((await screen.findByRole('alert')).textContent).toBe('Something failed on our side');
  });
});
