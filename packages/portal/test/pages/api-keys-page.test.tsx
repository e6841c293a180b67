import { act, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { json } from '../support/fake-fetch';
import { activeKey, adminSession, inactiveKey, memberSession } from '../support/fixtures';
import { renderApp } from '../support/render-app';

const list = (keys = [activeKey, inactiveKey]) => json(200, { platformName: 'acme', keys, maxActive: 2 });
const reveal = json(200, { id: 'key_active1', apiKey: 'tsk_live_secret_value' });

function stubClipboard(writeText: ((text: string) => Promise<void>) | undefined) {
  Object.defineProperty(navigator, 'clipboard', {
    configurable: true,
    value: writeText === undefined ? undefined : { writeText },
  });
}

afterEach(() => {
  vi.useRealTimers();
  stubClipboard(undefined);
});

const row = (keyId: string) => screen.getByText(keyId).closest('tr') as HTMLElement;

describe('RaaS API keys', () => {
  test('shows the platform name, the best practice, and each key masked', async () => {
    await renderApp('#/team/api-keys', { 'GET /portal/api/api-keys': list() }, adminSession);
    expect(await screen.findByText('key_active1')).toBeTruthy();
    await waitFor(() => expect(document.title).toBe('RaaS API keys · Tessera'));
    expect(screen.getByText('Platform name (Basic auth user name)').nextElementSibling?.textContent).toBe('acme');
    expect(screen.getByRole('note', { name: '' }).textContent).toContain(
      'Keep one active key and rotate it at least every six months: generate a new key, move your integration to it, then deactivate the old one.',
    );
    expect(within(row('key_active1')).getByText('••••••••••••••••')).toBeTruthy();
    expect(screen.queryByText('tsk_live_secret_value')).toBeNull();
  });

  test('the eye icon reveals a key (POST …/reveal with the CSRF token), eye-off hides it again', async () => {
    const app = await renderApp('#/team/api-keys', { 'GET /portal/api/api-keys': list(), 'POST /portal/api/api-keys/key_active1/reveal': reveal }, adminSession);
    await screen.findByText('key_active1');

    await app.user.click(screen.getByRole('button', { name: 'Reveal key key_active1' }));
    expect(await within(row('key_active1')).findByText('tsk_live_secret_value')).toBeTruthy();
    const revealCall = app.calls.find((c) => c.url === '/portal/api/api-keys/key_active1/reveal');
    expect(revealCall).toMatchObject({ method: 'POST', headers: { 'x-csrf-token': 'csrf-token-1' } });

    await app.user.click(screen.getByRole('button', { name: 'Hide key key_active1' }));
    expect(screen.queryByText('tsk_live_secret_value')).toBeNull();
    expect(within(row('key_active1')).getByText('••••••••••••••••')).toBeTruthy();
  });

  test('a revealed key is forgotten after 60 seconds: showing it again asks the server again', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], shouldAdvanceTime: true });
    const app = await renderApp('#/team/api-keys', { 'GET /portal/api/api-keys': list(), 'POST /portal/api/api-keys/key_active1/reveal': reveal }, adminSession);
    await screen.findByText('key_active1');
    await app.user.click(screen.getByRole('button', { name: 'Reveal key key_active1' }));
    await screen.findByText('tsk_live_secret_value');

    act(() => vi.advanceTimersByTime(59_000));
    expect(screen.getByText('tsk_live_secret_value')).toBeTruthy();
    act(() => vi.advanceTimersByTime(1_000));
    expect(screen.queryByText('tsk_live_secret_value')).toBeNull();

    await app.user.click(screen.getByRole('button', { name: 'Reveal key key_active1' }));
    await screen.findByText('tsk_live_secret_value');
    expect(app.requests().filter((r) => r.endsWith('/reveal'))).toHaveLength(2);
  });

  test('a revealed key is forgotten when the person leaves the page', async () => {
    const app = await renderApp(
      '#/team/api-keys',
      { 'GET /portal/api/api-keys': list(), 'POST /portal/api/api-keys/key_active1/reveal': reveal, 'GET /portal/api/audit': json(200, { entries: [], next: null }) },
      adminSession,
    );
    await screen.findByText('key_active1');
    await app.user.click(screen.getByRole('button', { name: 'Reveal key key_active1' }));
    await screen.findByText('tsk_live_secret_value');

    await app.user.click(screen.getByRole('link', { name: 'Audit Log' }));
    await screen.findByRole('heading', { name: 'Audit Log' });
    await app.user.click(screen.getByRole('link', { name: 'RaaS API keys' }));
    await screen.findByText('key_active1');
    expect(screen.queryByText('tsk_live_secret_value')).toBeNull();
  });

  test('the copy icon copies the key with the Clipboard API without showing it, as a copy (not a reveal)', async () => {
    const writeText = vi.fn(async () => {});
    const app = await renderApp('#/team/api-keys', { 'GET /portal/api/api-keys': list(), 'POST /portal/api/api-keys/key_active1/copy': reveal }, adminSession);
    stubClipboard(writeText);
    await screen.findByText('key_active1');

    const copy = screen.getByRole('button', { name: 'Copy key key_active1' }) as HTMLButtonElement;
    // An admin's copy icon is a live control, not a faint one that looks disabled.
    expect(copy.disabled).toBe(false);
    expect(copy.title).toBe('Copy key');
    await app.user.click(copy);
    expect(await within(row('key_active1')).findByText('Copied')).toBeTruthy();
    expect(writeText).toHaveBeenCalledWith('tsk_live_secret_value');
    expect(screen.queryByText('tsk_live_secret_value')).toBeNull();
    expect(app.requests()).toEqual(['GET /portal/api/api-keys', 'POST /portal/api/api-keys/key_active1/copy']);
    expect(app.calls.at(-1)?.headers['x-csrf-token']).toBe('csrf-token-1');

    // The copied key was not kept: the eye asks the server, which records the reveal.
    await app.user.click(screen.getByRole('button', { name: 'Reveal key key_active1' }));
    expect(app.requests().at(-1)).toBe('POST /portal/api/api-keys/key_active1/reveal');
  });

  test('hover over the key and click: a click on the masked key copies it too', async () => {
    const writeText = vi.fn(async () => {});
    const app = await renderApp('#/team/api-keys', { 'GET /portal/api/api-keys': list(), 'POST /portal/api/api-keys/key_active1/copy': reveal }, adminSession);
    stubClipboard(writeText);
    await screen.findByText('key_active1');

    const masked = within(row('key_active1')).getByText('••••••••••••••••');
    expect(masked.closest('[title]')?.getAttribute('title')).toBe('Click to copy');
    await app.user.click(masked);
    expect(await within(row('key_active1')).findByText('Copied')).toBeTruthy();
    expect(writeText).toHaveBeenCalledWith('tsk_live_secret_value');
    expect(screen.queryByText('tsk_live_secret_value')).toBeNull();
  });

  test('a revealed key is copied from the page, with no second request', async () => {
    const writeText = vi.fn(async () => {});
    const app = await renderApp('#/team/api-keys', { 'GET /portal/api/api-keys': list(), 'POST /portal/api/api-keys/key_active1/reveal': reveal }, adminSession);
    stubClipboard(writeText);
    await screen.findByText('key_active1');
    await app.user.click(screen.getByRole('button', { name: 'Reveal key key_active1' }));
    await app.user.click(await within(row('key_active1')).findByText('tsk_live_secret_value'));
    expect(await within(row('key_active1')).findByText('Copied')).toBeTruthy();
    expect(writeText).toHaveBeenCalledWith('tsk_live_secret_value');
    expect(app.requests()).toEqual(['GET /portal/api/api-keys', 'POST /portal/api/api-keys/key_active1/reveal']);
  });

  test('without the Clipboard API, copy reveals the key (recorded as such), selects it and says "Press Ctrl+C"', async () => {
    const app = await renderApp('#/team/api-keys', { 'GET /portal/api/api-keys': list(), 'POST /portal/api/api-keys/key_active1/reveal': reveal }, adminSession);
    stubClipboard(undefined);
    await screen.findByText('key_active1');

    await app.user.click(screen.getByRole('button', { name: 'Copy key key_active1' }));
    expect(await within(row('key_active1')).findByText('Press Ctrl+C to copy')).toBeTruthy();
    expect(screen.getByText('tsk_live_secret_value')).toBeTruthy();
    expect(window.getSelection()?.toString()).toBe('tsk_live_secret_value');
    // It is shown, so the server is asked for a reveal, not a copy.
    expect(app.requests()).toEqual(['GET /portal/api/api-keys', 'POST /portal/api/api-keys/key_active1/reveal']);
  });

  test('a clipboard that refuses: the key is revealed for Ctrl+C, and that is recorded too', async () => {
    const app = await renderApp(
      '#/team/api-keys',
      { 'GET /portal/api/api-keys': list(), 'POST /portal/api/api-keys/key_active1/copy': reveal, 'POST /portal/api/api-keys/key_active1/reveal': reveal },
      adminSession,
    );
    stubClipboard(async () => {
      throw new Error('denied');
    });
    await screen.findByText('key_active1');
    await app.user.click(screen.getByRole('button', { name: 'Copy key key_active1' }));
    expect(await within(row('key_active1')).findByText('Press Ctrl+C to copy')).toBeTruthy();
    expect(screen.getByText('tsk_live_secret_value')).toBeTruthy();
    expect(app.requests()).toEqual(['GET /portal/api/api-keys', 'POST /portal/api/api-keys/key_active1/copy', 'POST /portal/api/api-keys/key_active1/reveal']);
  });

  test('Generate API Key shows the new key with the platform name, then lists it', async () => {
    let keys = [inactiveKey];
    const app = await renderApp(
      '#/team/api-keys',
      {
        'GET /portal/api/api-keys': () => list(keys),
        'POST /portal/api/api-keys': () => {
          keys = [activeKey, inactiveKey];
          return json(201, { id: 'key_active1', apiKey: 'tsk_live_new' });
        },
      },
      adminSession,
    );
    await screen.findByText('key_inactive1');
    await app.user.click(screen.getByRole('button', { name: 'Generate API Key' }));

    const dialog = await screen.findByRole('dialog', { name: 'Your new API key' });
    expect(within(dialog).getByText('tsk_live_new')).toBeTruthy();
    expect(within(dialog).getByText('acme')).toBeTruthy();
    expect(app.calls.find((c) => c.method === 'POST')).toMatchObject({ url: '/portal/api/api-keys', headers: { 'x-csrf-token': 'csrf-token-1' } });
    await screen.findByText('key_active1');

    await app.user.click(within(dialog).getByRole('button', { name: 'Done' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.queryByText('tsk_live_new')).toBeNull();
  });

  test('Generate API Key is disabled with the reason when 2 keys are active', async () => {
    await renderApp('#/team/api-keys', { 'GET /portal/api/api-keys': list([activeKey, { ...inactiveKey, id: 'key_2', status: 'active' }]) }, adminSession);
    await screen.findByText('key_2');
    const button = screen.getByRole('button', { name: 'Generate API Key' }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(document.getElementById(button.getAttribute('aria-describedby') ?? '')?.textContent).toBe(
      'You have 2 active keys, the most allowed. Deactivate one to generate another.',
    );
  });

  test('deactivate asks first, then POSTs and shows the new status', async () => {
    const app = await renderApp(
      '#/team/api-keys',
      {
        'GET /portal/api/api-keys': list(),
        'POST /portal/api/api-keys/key_active1/deactivate': json(200, { ...activeKey, status: 'inactive' }),
      },
      adminSession,
    );
    await screen.findByText('key_active1');
    await app.user.click(within(row('key_active1')).getByRole('button', { name: 'Deactivate' }));
    const dialog = screen.getByRole('dialog', { name: 'Deactivate this API key?' });
    expect(dialog.textContent).toContain('Requests that send key key_active1 get 401 at once.');
    expect(app.requests()).toEqual(['GET /portal/api/api-keys']);

    await app.user.click(within(dialog).getByRole('button', { name: 'Deactivate' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(within(row('key_active1')).getByText('Inactive')).toBeTruthy();
    // Said above the list, announced to screen readers.
    const notice = screen.getByText('Key key_active1 is deactivated: requests that send it get 401.');
    expect(notice.closest('[role="status"]')?.getAttribute('aria-live')).toBe('polite');
    expect(app.requests()).toEqual(['GET /portal/api/api-keys', 'POST /portal/api/api-keys/key_active1/deactivate']);
  });

  test('delete is offered only for an inactive key, and a refusal shows in the dialog', async () => {
    const app = await renderApp(
      '#/team/api-keys',
      {
        'GET /portal/api/api-keys': list(),
        'DELETE /portal/api/api-keys/key_inactive1': json(409, { error: 'conflict', message: 'Deactivate the key before deleting it' }),
      },
      adminSession,
    );
    await screen.findByText('key_active1');
    expect(within(row('key_active1')).queryByRole('button', { name: 'Delete' })).toBeNull();

    await app.user.click(within(row('key_inactive1')).getByRole('button', { name: 'Delete' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete this API key?' });
    await app.user.click(within(dialog).getByRole('button', { name: 'Delete' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('Deactivate the key before deleting it');
  });

  test('a member sees the keys but cannot reveal, copy, generate or change them', async () => {
    await renderApp('#/team/api-keys', { 'GET /portal/api/api-keys': list() }, memberSession);
    await screen.findByText('key_active1');
    expect(screen.queryByRole('button', { name: 'Generate API Key' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Deactivate' })).toBeNull();
    const eye = screen.getByRole('button', { name: 'Reveal key key_active1' }) as HTMLButtonElement;
    expect(eye.disabled).toBe(true);
    expect(eye.title).toBe('Only an admin can reveal or copy API keys');
    const copy = screen.getByRole('button', { name: 'Copy key key_active1' }) as HTMLButtonElement;
    expect(copy.disabled).toBe(true);
    expect(copy.title).toBe('Only an admin can reveal or copy API keys');
    expect(screen.getByText(/only an admin can generate, reveal or change API keys/)).toBeTruthy();
  });

  test('no keys: an empty state says what to do next', async () => {
    await renderApp('#/team/api-keys', { 'GET /portal/api/api-keys': list([]) }, adminSession);
    expect(await screen.findByText('No API keys yet.')).toBeTruthy();
    expect(screen.getByText('Generate one to call the RaaS API with HTTP Basic.')).toBeTruthy();
  });
});
