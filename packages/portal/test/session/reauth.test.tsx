import { screen, within } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import { json, type Call } from '../support/fake-fetch';
import { adminSession, clientList } from '../support/fixtures';
import { renderApp } from '../support/render-app';

const reauthRequired = json(403, { error: 'reauthentication_required', message: 'Enter your password again to continue' });
const created = { name: '', clientId: 'cli_new1', clientSecret: 'tsc_secret_after_reauth' };

/** POST /oauth-clients answers 403 reauthentication_required until a reauth succeeds. */
function routes() {
  let recent = false;
  return {
    'GET /portal/api/oauth-clients': json(200, clientList([])),
    'POST /portal/api/oauth-clients': () => (recent ? json(201, created) : reauthRequired),
    'POST /portal/api/session/reauth': (call: Call) => {
      if ((call.body as { password: string }).password !== 'correct horse') {
        return json(401, { error: 'invalid_credentials', message: 'The email or password is not correct' });
      }
      recent = true;
      return json(200, { ...adminSession, csrfToken: 'csrf-token-2', authenticatedAt: '2026-11-29T10:20:00.000Z' });
    },
  };
}

async function startGenerate() {
  const app = await renderApp('#/team/oauth-clients', routes(), adminSession);
  await screen.findByText('No client credentials yet.');
  await app.user.click(screen.getByRole('button', { name: 'Generate Client Credentials' }));
  await app.user.click(within(screen.getByRole('dialog', { name: 'Generate Client Credentials' })).getByRole('button', { name: 'Generate' }));
  return app;
}

describe('re-authentication', () => {
  test('403 reauthentication_required asks for the password, re-authenticates, and retries the action once', async () => {
    const app = await startGenerate();
    const confirm = await screen.findByRole('dialog', { name: "Confirm it's you" });
    expect(document.activeElement).toBe(within(confirm).getByLabelText('Password'));
    await app.user.type(within(confirm).getByLabelText('Password'), 'correct horse');
    await app.user.click(within(confirm).getByRole('button', { name: 'Continue' }));

    const dialog = await screen.findByRole('dialog', { name: 'Your new client credentials' });
    expect(within(dialog).getByText('tsc_secret_after_reauth')).toBeTruthy();
    expect(app.calls.filter((c) => c.method === 'POST').map((c) => [c.url, c.body, c.headers['x-csrf-token']])).toEqual([
      ['/portal/api/oauth-clients', {}, 'csrf-token-1'],
      ['/portal/api/session/reauth', { password: 'correct horse' }, 'csrf-token-1'],
      // The retry carries the CSRF token of the session the reauth answered.
      ['/portal/api/oauth-clients', {}, 'csrf-token-2'],
    ]);
  });

  test('a wrong password is said in the dialog, and the action is not retried', async () => {
    const app = await startGenerate();
    const confirm = await screen.findByRole('dialog', { name: "Confirm it's you" });
    await app.user.type(within(confirm).getByLabelText('Password'), 'wrong');
    await app.user.click(within(confirm).getByRole('button', { name: 'Continue' }));

    expect((await within(confirm).findByRole('alert')).textContent).toBe('That password is not correct.');
    expect(app.requests()).toEqual(['GET /portal/api/oauth-clients', 'GET /portal/api/audiences', 'POST /portal/api/oauth-clients', 'POST /portal/api/session/reauth']);
  });

  test('an empty password is refused before any request', async () => {
    const app = await startGenerate();
    const confirm = await screen.findByRole('dialog', { name: "Confirm it's you" });
    await app.user.click(within(confirm).getByRole('button', { name: 'Continue' }));
    expect(within(confirm).getByRole('alert').textContent).toBe('Enter your password.');
    expect(app.requests()).toEqual(['GET /portal/api/oauth-clients', 'GET /portal/api/audiences', 'POST /portal/api/oauth-clients']);
  });

  test('cancelling leaves the form as it was, with no error and no retry', async () => {
    const app = await startGenerate();
    const confirm = await screen.findByRole('dialog', { name: "Confirm it's you" });
    await app.user.click(within(confirm).getByRole('button', { name: 'Cancel' }));

    expect(screen.queryByRole('dialog', { name: "Confirm it's you" })).toBeNull();
    const form = screen.getByRole('dialog', { name: 'Generate Client Credentials' });
    expect(within(form).queryByRole('alert')).toBeNull();
    expect((within(form).getByRole('button', { name: 'Generate' }) as HTMLButtonElement).disabled).toBe(false);
    expect(app.requests()).toEqual(['GET /portal/api/oauth-clients', 'GET /portal/api/audiences', 'POST /portal/api/oauth-clients']);
  });

  test('revealing a key after re-authentication shows it', async () => {
    let recent = false;
    const app = await renderApp(
      '#/team/api-keys',
      {
        'GET /portal/api/api-keys': json(200, {
          platformName: 'acme',
          keys: [{ id: 'key_1', platform: 'acme', status: 'active', createdAt: '2026-10-01T09:00:00.000Z', statusChangedAt: '2026-10-01T09:00:00.000Z', lastUsedAt: null }],
          maxActive: 2,
        }),
        'POST /portal/api/api-keys/key_1/reveal': () => (recent ? json(200, { id: 'key_1', apiKey: 'tsk_revealed' }) : reauthRequired),
        'POST /portal/api/session/reauth': () => {
          recent = true;
          return json(200, adminSession);
        },
      },
      adminSession,
    );
    await screen.findByText('key_1');
    await app.user.click(screen.getByRole('button', { name: 'Reveal key key_1' }));
    const confirm = await screen.findByRole('dialog', { name: "Confirm it's you" });
    await app.user.type(within(confirm).getByLabelText('Password'), 'pw{Enter}');
    expect(await screen.findByText('tsk_revealed')).toBeTruthy();
    expect(app.requests()).toEqual([
      'GET /portal/api/api-keys',
      'POST /portal/api/api-keys/key_1/reveal',
      'POST /portal/api/session/reauth',
      'POST /portal/api/api-keys/key_1/reveal',
    ]);
  });
});
