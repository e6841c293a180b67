import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import { json } from './support/fake-fetch';
import { adminSession, clientList } from './support/fixtures';
import { renderApp } from './support/render-app';

const emptyLists = {
  'GET /portal/api/oauth-clients': json(200, clientList([])),
  'GET /portal/api/api-keys': json(200, { platformName: 'acme', keys: [], maxActive: 2 }),
  'GET /portal/api/users': json(200, { users: [], invitations: [] }),
};

describe('routes and session', () => {
  test('a signed-out person lands on sign-in, and after signing in goes to the page they wanted', async () => {
    const app = await renderApp('#/team/api-keys', { ...emptyLists, 'POST /portal/api/signin': json(200, adminSession) }, null);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Sign in to your team');
    expect(window.location.hash).toBe('#/signin?next=%2Fteam%2Fapi-keys');
    // Set by an effect: waited for, as a slow machine may look before it ran.
    await waitFor(() => expect(document.title).toBe('Sign in · Tessera'));

    await app.user.type(screen.getByLabelText('Email'), 'dana@acme.example');
    await app.user.type(screen.getByLabelText('Password'), 'pw');
    await app.user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('heading', { name: 'RaaS API keys' })).toBeTruthy();
    expect(window.location.hash).toBe('#/team/api-keys');
    expect(app.calls.find((c) => c.url === '/portal/api/signin')?.body).toEqual({ email: 'dana@acme.example', password: 'pw' });
  });

  test('a wrong password is said next to the form', async () => {
    const app = await renderApp(
      '#/signin',
      { 'POST /portal/api/signin': json(401, { error: 'invalid_credentials', message: 'The email or password is not correct' }) },
      null,
    );
    await app.user.type(screen.getByLabelText('Email'), 'dana@acme.example');
    await app.user.type(screen.getByLabelText('Password'), 'nope');
    await app.user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('The email or password is not correct');
    expect(window.location.hash).toBe('#/signin');
  });

  test('verified sign-up sends the email and platform name (no password), then says where the link went, announced', async () => {
    const app = await renderApp(
      '#/signup',
      {
        'GET /portal/api/signup': json(200, { mode: 'verified' }),
        'POST /portal/api/signup': json(202, { status: 'link_sent', expiresIn: 3600, outbox: true }),
      },
      null,
    );
    await waitFor(() => expect(document.title).toBe('Set up an account · Tessera'));
    expect(screen.queryByLabelText('Password')).toBeNull();
    await app.user.type(screen.getByLabelText('Email'), ' dana@acme.example ');
    await app.user.type(screen.getByLabelText('Platform name'), 'acme');
    await app.user.click(screen.getByRole('button', { name: 'Send the link' }));
    const status = await screen.findByRole('status');
    await waitFor(() =>
      expect(status.querySelector('.sign-up-sent')?.textContent).toBe(
        'Check your inbox: we sent a link to dana@acme.example to finish creating acme. It is valid for one hour.',
      ),
    );
    expect(status.querySelector('.sign-up-outbox')?.textContent).toBe(
      "This server sends no mail (it has no TESSERA_SMTP_URL): the message is in its outbox folder. Run npx tessera mail in the server's project folder to print it, then open the link.",
    );
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('One more step');
    await waitFor(() => expect(document.title).toBe('Check your inbox · Tessera'));
    expect(app.calls.find((c) => c.url === '/portal/api/signup' && c.method === 'POST')).toMatchObject({
      body: { email: 'dana@acme.example', platformName: 'acme' },
      headers: { 'content-type': 'application/json' },
    });
    expect(window.location.hash).toBe('#/signup');
  });

  test('with an SMTP server the confirmation does not mention the outbox', async () => {
    const app = await renderApp(
      '#/signup',
      { 'GET /portal/api/signup': json(200, { mode: 'verified' }), 'POST /portal/api/signup': json(202, { status: 'link_sent', expiresIn: 3600, outbox: false }) },
      null,
    );
    await app.user.type(screen.getByLabelText('Email'), 'dana@acme.example');
    await app.user.type(screen.getByLabelText('Platform name'), 'acme');
    await app.user.click(screen.getByRole('button', { name: 'Send the link' }));
    expect(await screen.findByText(/Check your inbox: we sent a link to/)).toBeTruthy();
    expect(document.querySelector('.sign-up-outbox')).toBeNull();
  });

  test('open sign-up sends email, password and platform name, and opens Team settings', async () => {
    const app = await renderApp('#/signup', { ...emptyLists, 'GET /portal/api/signup': json(200, { mode: 'open' }), 'POST /portal/api/signup': json(201, adminSession) }, null);
    await waitFor(() => expect(document.title).toBe('Set up an account · Tessera'));
    await app.user.type(screen.getByLabelText('Email'), 'dana@acme.example');
    await app.user.type(await screen.findByLabelText('Password'), 'a long password');
    await app.user.type(screen.getByLabelText('Platform name'), 'acme');
    await app.user.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByRole('heading', { name: 'Team settings' })).toBeTruthy();
    expect(app.calls.find((c) => c.url === '/portal/api/signup' && c.method === 'POST')).toMatchObject({
      body: { email: 'dana@acme.example', password: 'a long password', platformName: 'acme' },
      headers: { 'content-type': 'application/json' },
    });
  });

  test('closed sign-up says so, with no form', async () => {
    await renderApp('#/signup', { 'GET /portal/api/signup': json(200, { mode: 'closed' }) }, null);
    expect((await screen.findByRole('alert')).textContent).toBe('Sign-up is closed on this server: ask an admin of your platform for an invitation.');
    expect(screen.queryByLabelText('Email')).toBeNull();
  });

  test('a sign-up link names the platform and the address, asks for a password, creates it, and leaves no token in the address', async () => {
    const app = await renderApp(
      '#/signup/tsu_abc',
      {
        ...emptyLists,
        'POST /portal/api/signup/preview': json(200, { platform: 'acme', email: 'dana@acme.example' }),
        'POST /portal/api/signup/finish': json(201, adminSession),
      },
      null,
    );
    expect(await screen.findByRole('heading', { level: 1, name: 'Finish creating acme' })).toBeTruthy();
    await waitFor(() => expect(document.title).toBe('Finish creating acme · Tessera'));
    expect(screen.getByText(/You are creating the platform/).textContent).toBe(
      'You are creating the platform acme on Tessera as dana@acme.example, its first admin. Choose a password to finish.',
    );
    expect((screen.getByLabelText('Email') as HTMLInputElement).value).toBe('dana@acme.example');
    expect(app.calls.find((c) => c.url === '/portal/api/signup/preview')).toMatchObject({ method: 'POST', body: { token: 'tsu_abc' } });
    expect(app.calls.some((c) => c.url.includes('tsu_abc'))).toBe(false);

    await app.user.type(screen.getByLabelText('Password'), 'my password');
    const entries = window.history.length;
    await app.user.click(screen.getByRole('button', { name: 'Create acme' }));
    expect(await screen.findByRole('heading', { name: 'Team settings' })).toBeTruthy();
    expect(app.calls.find((c) => c.url === '/portal/api/signup/finish')?.body).toEqual({ token: 'tsu_abc', password: 'my password' });
    expect(window.location.hash).toBe('#/team');
    expect(window.history.length).toBe(entries);
  });

  test('a used or expired sign-up link says so at once, and offers to sign up again', async () => {
    await renderApp(
      '#/signup/tsu_used',
      { 'POST /portal/api/signup/preview': json(404, { error: 'not_found', message: 'This sign-up link is not valid: it was used or has expired. Sign up again to get a new one' }) },
      null,
    );
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign-up link not valid' })).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toBe('This sign-up link is not valid: it was used or has expired. Sign up again to get a new one.');
    expect(screen.getByRole('link', { name: 'Sign up again' }).getAttribute('href')).toBe('#/signup');
    expect(screen.queryByLabelText('Password')).toBeNull();
  });

  test('an address or platform name taken since the link was sent is said next to the form', async () => {
    const app = await renderApp(
      '#/signup/tsu_late',
      {
        'POST /portal/api/signup/preview': json(200, { platform: 'acme', email: 'dana@acme.example' }),
        'POST /portal/api/signup/finish': json(409, { error: 'conflict', message: 'The platform name acme was taken since this link was sent: sign up again with another name' }),
      },
      null,
    );
    await app.user.type(await screen.findByLabelText('Password'), 'my password');
    await app.user.click(screen.getByRole('button', { name: 'Create acme' }));
    expect((await screen.findByRole('alert')).textContent).toBe('The platform name acme was taken since this link was sent: sign up again with another name');
  });

  test('an invitation link names the platform and the role, asks for a password, joins, and leaves no token in the address', async () => {
    const app = await renderApp(
      '#/invitation/tok_abc',
      {
        ...emptyLists,
        'POST /portal/api/invitations/preview': json(200, { platform: 'acme', email: 'li@acme.example', role: 'member' }),
        'POST /portal/api/invitations/accept': json(201, adminSession),
      },
      null,
    );
    expect(await screen.findByRole('heading', { level: 1, name: 'Join acme as a member' })).toBeTruthy();
    await waitFor(() => expect(document.title).toBe('Join acme as a member · Tessera'));
    expect(screen.getByText(/You were invited as/).textContent).toBe(
      'You were invited as li@acme.example to the platform acme on Tessera. Choose a password to finish setting up your account.',
    );
    expect((screen.getByLabelText('Email') as HTMLInputElement).value).toBe('li@acme.example');
    // The token goes in a POST body, never in a URL.
    expect(app.calls.find((c) => c.url === '/portal/api/invitations/preview')).toMatchObject({ method: 'POST', body: { token: 'tok_abc' } });
    expect(app.calls.some((c) => c.url.includes('tok_abc'))).toBe(false);

    await app.user.type(screen.getByLabelText('Password'), 'my password');
    const entries = window.history.length;
    await app.user.click(screen.getByRole('button', { name: 'Join acme' }));
    expect(await screen.findByRole('heading', { name: 'Team settings' })).toBeTruthy();
    expect(app.calls.find((c) => c.url === '/portal/api/invitations/accept')?.body).toEqual({ token: 'tok_abc', password: 'my password' });
    expect(window.location.hash).toBe('#/team');
    // The invitation's entry was replaced: Back cannot bring the token back.
    expect(window.history.length).toBe(entries);
  });

  test('a used, withdrawn or expired invitation says so at once, without asking for a password', async () => {
    await renderApp(
      '#/invitation/tok_used',
      { 'POST /portal/api/invitations/preview': json(404, { error: 'not_found', message: 'This invitation link is not valid: it was used, withdrawn or has expired' }) },
      null,
    );
    expect(await screen.findByRole('heading', { level: 1, name: 'Invitation link not valid' })).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toBe(
      'This invitation link is not valid: it was used, withdrawn or has expired. Ask an admin of your team for a new one.',
    );
    expect(screen.queryByLabelText('Password')).toBeNull();
  });

  test('an invitation used meanwhile is refused when joining, in the same words', async () => {
    const app = await renderApp(
      '#/invitation/tok_raced',
      {
        'POST /portal/api/invitations/preview': json(200, { platform: 'acme', email: 'li@acme.example', role: 'admin' }),
        'POST /portal/api/invitations/accept': json(404, { error: 'not_found', message: 'Not found' }),
      },
      null,
    );
    expect(await screen.findByRole('heading', { level: 1, name: 'Join acme as an admin' })).toBeTruthy();
    await app.user.type(screen.getByLabelText('Password'), 'my password');
    await app.user.click(screen.getByRole('button', { name: 'Join acme' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'This invitation link is not valid: it was used, withdrawn or has expired. Ask an admin of your team for a new one.',
    );
  });

  test('Team settings: two credential cards and Team members, each with Manage', async () => {
    await renderApp('#/team', emptyLists, adminSession);
    await waitFor(() => expect(document.title).toBe('Team settings · Tessera'));
    expect(screen.getByRole('link', { name: 'Manage OAuth client credentials' }).getAttribute('href')).toBe('#/team/oauth-clients');
    expect(screen.getByRole('link', { name: 'Manage RaaS API keys' }).getAttribute('href')).toBe('#/team/api-keys');
    expect(screen.getByRole('link', { name: 'Manage Team members' }).getAttribute('href')).toBe('#/team/members');
  });

  test('the left menu, the API console link and the top bar', async () => {
    await renderApp('#/team', emptyLists, adminSession);
    const menu = screen.getByRole('navigation', { name: 'Main' });
    expect(within(menu).getAllByRole('link').map((a) => [a.textContent, a.getAttribute('href')])).toEqual([
      ['Tessera', '#/team'],
      ['Team settings', '#/team'],
      ['OAuth client credentials', '#/team/oauth-clients'],
      ['RaaS API keys', '#/team/api-keys'],
      ['Team members', '#/team/members'],
      ['Accounts', '#/accounts'],
      ['Orders', '#/orders'],
      ['Audit Log', '#/audit'],
      ['API console (opens in a new tab)', '/console'],
    ]);
    expect(within(menu).getByRole('link', { name: 'Team settings' }).getAttribute('aria-current')).toBe('page');
    const top = screen.getByRole('banner');
    expect(within(top).getByText('acme')).toBeTruthy();
    expect(within(top).getByText('dana@acme.example')).toBeTruthy();
    expect(within(top).getByText('Admin')).toBeTruthy();
  });

  test('the menu toggle (narrow screens) says whether the menu is open', async () => {
    const app = await renderApp('#/team', emptyLists, adminSession);
    const toggle = screen.getByRole('button', { name: 'Open menu' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(toggle.getAttribute('aria-controls')).toBe('sidebar');
    await app.user.click(toggle);
    expect(screen.getByRole('button', { name: 'Close menu' }).getAttribute('aria-expanded')).toBe('true');
    await app.user.keyboard('{Escape}');
    expect(screen.getByRole('button', { name: 'Open menu' })).toBeTruthy();
  });

  test('sign out ends the session and returns to sign-in', async () => {
    const app = await renderApp('#/team', { ...emptyLists, 'POST /portal/api/signout': json(204) }, adminSession);
    await app.user.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('heading', { name: 'Sign in to your team' })).toBeTruthy();
    expect(app.calls.at(-1)).toMatchObject({ method: 'POST', url: '/portal/api/signout', headers: { 'x-csrf-token': 'csrf-token-1' } });
  });

  test('a session that expires mid-use goes back to sign-in, keeping the page', async () => {
    await renderApp('#/audit', { 'GET /portal/api/audit': json(401, { error: 'unauthenticated', message: 'Sign in to continue' }) }, adminSession);
    expect(await screen.findByRole('heading', { name: 'Sign in to your team' })).toBeTruthy();
    expect(window.location.hash).toBe('#/signin?next=%2Faudit');
  });

  test('unknown routes show a not-found view, signed in or not', async () => {
    await renderApp('#/nowhere', emptyLists, adminSession);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Page not found');
    expect(screen.getByRole('navigation', { name: 'Main' })).toBeTruthy();
  });

  test('unknown routes show not-found to a signed-out person too', async () => {
    await renderApp('#/nowhere', {}, null);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Page not found');
    expect(screen.getByRole('link', { name: 'Go to sign in' })).toBeTruthy();
  });

  test('a signed-in person who opens sign-in goes to Team settings', async () => {
    await renderApp('#/signin', emptyLists, adminSession);
    await waitFor(() => expect(window.location.hash).toBe('#/team'));
    expect(await screen.findByRole('heading', { name: 'Team settings' })).toBeTruthy();
  });

  test('the server out of reach at start: a message and Try again', async () => {
    window.location.hash = '#/team';
    const { fakeFetch } = await import('./support/fake-fetch');
    const { render } = await import('@testing-library/react');
    const { App } = await import('../src/app');
    const { PortalApi } = await import('../src/api/portal-api');
    let up = false;
    const fake = fakeFetch({ 'GET /portal/api/session': () => (up ? json(200, adminSession) : json(503, { error: 'unavailable', message: 'Down for maintenance' })), ...emptyLists });
    render(<App api={new PortalApi({ fetch: fake.fetch })} />);
    expect((await screen.findByRole('alert')).textContent).toContain('Down for maintenance');
    up = true;
    screen.getByRole('button', { name: 'Try again' }).click();
    expect(await screen.findByRole('heading', { name: 'Team settings' })).toBeTruthy();
  });
});
