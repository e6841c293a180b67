import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import type { ClientView } from '../../src/api/types';
import { json } from '../support/fake-fetch';
import { activeClient, adminSession, clientList, inactiveClient, memberSession } from '../support/fixtures';
import { renderApp } from '../support/render-app';

const list = (clients: ClientView[] = [activeClient, inactiveClient]) => json(200, clientList(clients));
const audiences = json(200, {
  audiences: [
    { url: 'http://127.0.0.1:8080/raas/v2', ttlSeconds: 86_400, default: true, api: null },
    { url: 'https://short.example/api', ttlSeconds: 300, default: false, api: null },
  ],
});
const row = (text: string) => screen.getByText(text).closest('tr') as HTMLElement;
/** The limits a client's row shows, without the admin's Limits button under them. */
const limitsCell = (clientId: string) => {
  const cell = row(clientId).querySelector('td[data-label="Token limits"]')!.cloneNode(true) as HTMLElement;
  for (const button of cell.querySelectorAll('button')) button.remove();
  return cell.textContent;
};

/** Issue 22: a client's token limits on the OAuth clients page, and the server's audiences, read-only. */
describe('client token limits and audiences', () => {
  test('members see each client’s limits and the audiences, and no button to change them', async () => {
    await renderApp('#/team/oauth-clients', { 'GET /portal/api/oauth-clients': list(), 'GET /portal/api/audiences': audiences }, memberSession);
    await screen.findByText('cli_active1');
    expect(limitsCell('cli_active1')).toBe('100 / hourEnforced · Set for this client');
    expect(limitsCell('cli_inactive1')).toBe('No limitServer default');
    expect(screen.queryByRole('button', { name: /Token limits of/ })).toBeNull();

    const card = screen.getByRole('region', { name: 'Audiences' });
    await within(card).findByText('https://short.example/api');
    const rows = [...card.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent));
    expect(rows).toEqual([
      ['http://127.0.0.1:8080/raas/v2Default', 'No', '24 hours'],
      ['https://short.example/api', 'No', '5 minutes'],
    ]);
  });

  test('an admin sets a client’s limits in a dialog: the numbers, empty for none, and the mode', async () => {
    const app = await renderApp(
      '#/team/oauth-clients',
      {
        'GET /portal/api/oauth-clients': list(),
        'GET /portal/api/audiences': audiences,
        'PUT /portal/api/oauth-clients/cli_inactive1/limits': (call) => json(200, { ...(call.body as object), source: 'client' }),
      },
      adminSession,
    );
    await screen.findByText('cli_inactive1');
    await app.user.click(screen.getByRole('button', { name: 'Token limits of Old' }));
    const dialog = screen.getByRole('dialog', { name: 'Token limits of Old' });
    // The default is not the client's own: nothing to return to.
    expect(within(dialog).queryByRole('button', { name: 'Use the server default' })).toBeNull();
    await app.user.type(within(dialog).getByLabelText('Tokens per hour'), '60');
    await app.user.type(within(dialog).getByLabelText('Tokens per day'), '1000');
    await app.user.selectOptions(within(dialog).getByLabelText('Past a limit'), 'observe');
    await app.user.click(within(dialog).getByRole('button', { name: 'Save limits' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(app.calls.at(-1)).toMatchObject({
      method: 'PUT',
      url: '/portal/api/oauth-clients/cli_inactive1/limits',
      body: { perHour: 60, perDay: 1000, mode: 'observe' },
      headers: { 'x-csrf-token': 'csrf-token-1' },
    });
    expect(limitsCell('cli_inactive1')).toBe('60 / hour · 1,000 / dayObserved only · Set for this client');
    expect(screen.getByText('Token limits of Old: 60 per hour, 1,000 per day, observed only.')).toBeTruthy();
  });

  test('says what is wrong before sending, and shows the server’s refusal in place', async () => {
    const app = await renderApp(
      '#/team/oauth-clients',
      {
        'GET /portal/api/oauth-clients': list(),
        'GET /portal/api/audiences': audiences,
        'PUT /portal/api/oauth-clients/cli_active1/limits': json(403, { error: 'forbidden', message: 'Only an admin can set the token limits of client credentials' }),
      },
      adminSession,
    );
    await screen.findByText('cli_active1');
    await app.user.click(screen.getByRole('button', { name: 'Token limits of Production' }));
    const dialog = screen.getByRole('dialog', { name: 'Token limits of Production' });
    expect((within(dialog).getByLabelText('Tokens per hour') as HTMLInputElement).value).toBe('100');
    await app.user.type(within(dialog).getByLabelText('Tokens per day'), '0');
    await app.user.click(within(dialog).getByRole('button', { name: 'Save limits' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('Tokens per day: enter a whole number from 1 to 1000000000, or leave it empty for no limit.');
    expect(app.calls.some((call) => call.method === 'PUT')).toBe(false);

    await app.user.clear(within(dialog).getByLabelText('Tokens per day'));
    await app.user.click(within(dialog).getByRole('button', { name: 'Save limits' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('Only an admin can set the token limits of client credentials');
    expect(app.calls.at(-1)?.body).toEqual({ perHour: 100, perDay: null, mode: 'enforce' });
  });

  test('an admin returns a client to the server default', async () => {
    const app = await renderApp(
      '#/team/oauth-clients',
      {
        'GET /portal/api/oauth-clients': list(),
        'GET /portal/api/audiences': audiences,
        'DELETE /portal/api/oauth-clients/cli_active1/limits': json(200, { perHour: null, perDay: 500, mode: 'enforce', source: 'default' }),
      },
      adminSession,
    );
    await screen.findByText('cli_active1');
    await app.user.click(screen.getByRole('button', { name: 'Token limits of Production' }));
    const dialog = screen.getByRole('dialog', { name: 'Token limits of Production' });
    await app.user.click(within(dialog).getByRole('button', { name: 'Use the server default' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(app.requests()).toEqual(['GET /portal/api/oauth-clients', 'GET /portal/api/audiences', 'DELETE /portal/api/oauth-clients/cli_active1/limits']);
    expect(limitsCell('cli_active1')).toBe('500 / dayEnforced · Server default');
  });
});
