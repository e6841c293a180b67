import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import type { Invitation, User } from '../../src/api/types';
import { json } from '../support/fake-fetch';
import { adminSession, memberSession } from '../support/fixtures';
import { renderApp } from '../support/render-app';

const dana: User = { id: 'usr_admin', email: 'dana@acme.example', role: 'admin', createdAt: '2026-03-01T10:00:00.000Z' };
const li: User = { id: 'usr_member', email: 'li@acme.example', role: 'member', createdAt: '2026-05-20T12:00:00.000Z' };
const sam: Invitation = { id: 'inv_1', email: 'sam@acme.example', role: 'member', createdAt: '2026-11-28T09:00:00.000Z', expiresAt: '2026-12-05T09:00:00.000Z' };
const users = (invitations: Invitation[] = [sam]) => json(200, { users: [dana, li], invitations });
const row = (text: string) => within(screen.getByRole('main')).getByText(text).closest('tr') as HTMLElement;

describe('Team members', () => {
  test('lists users and pending invitations', async () => {
    await renderApp('#/team/members', { 'GET /portal/api/users': users() }, adminSession);
    await screen.findByText('li@acme.example');
    await waitFor(() => expect(document.title).toBe('Team members · Tessera'));
    expect(within(row('dana@acme.example')).getByText('(you)')).toBeTruthy();
    expect([...row('sam@acme.example').querySelectorAll('td')].map((td) => td.textContent).slice(0, 4)).toEqual([
      'sam@acme.example',
      'Member',
      '28 Nov 2026',
      '5 Dec 2026, 09:00',
    ]);
  });

  test('an admin invites by email and role, and sees the one-time link once, with a copy button', async () => {
    const invitation: Invitation = { ...sam, id: 'inv_2', email: 'kim@acme.example', role: 'admin' };
    const app = await renderApp(
      '#/team/members',
      {
        'GET /portal/api/users': users([]),
        'POST /portal/api/invitations': json(201, { invitation, link: 'https://tessera.example/#/invitation/tok_once' }),
      },
      adminSession,
    );
    await screen.findByText('No pending invitations.');
    await app.user.type(screen.getByLabelText('Email'), 'kim@acme.example');
    await app.user.selectOptions(screen.getByLabelText('Role'), 'admin');
    await app.user.click(screen.getByRole('button', { name: 'Invite' }));

    const dialog = await screen.findByRole('dialog', { name: 'Invitation link' });
    expect(within(dialog).getByText('https://tessera.example/#/invitation/tok_once')).toBeTruthy();
    expect(within(dialog).getByRole('button', { name: 'Copy invitation link' })).toBeTruthy();
    expect(within(dialog).getByText(/you will not see it again/)).toBeTruthy();
    expect(app.calls.at(-1)).toMatchObject({ method: 'POST', url: '/portal/api/invitations', body: { email: 'kim@acme.example', role: 'admin' }, headers: { 'x-csrf-token': 'csrf-token-1' } });

    await app.user.click(within(dialog).getByRole('button', { name: 'Done' }));
    expect(screen.queryByText('https://tessera.example/#/invitation/tok_once')).toBeNull();
    expect(within(row('kim@acme.example')).getByText('Admin')).toBeTruthy();
  });

  test('an empty email is refused next to the form, with no request', async () => {
    const app = await renderApp('#/team/members', { 'GET /portal/api/users': users() }, adminSession);
    await screen.findByText('li@acme.example');
    await app.user.click(screen.getByRole('button', { name: 'Invite' }));
    expect(screen.getByRole('alert').textContent).toBe('Enter the email of the person to invite.');
    expect(app.requests()).toEqual(['GET /portal/api/users']);
  });

  test('removing a user asks first; the last admin refusal shows in the dialog', async () => {
    const app = await renderApp(
      '#/team/members',
      {
        'GET /portal/api/users': users(),
        'DELETE /portal/api/users/usr_member': json(204),
        'DELETE /portal/api/users/usr_admin': json(409, { error: 'conflict', message: 'A platform needs at least one admin' }),
      },
      adminSession,
    );
    await screen.findByText('li@acme.example');
    await app.user.click(within(row('li@acme.example')).getByRole('button', { name: 'Remove' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove this user?' });
    expect(dialog.textContent).toContain('li@acme.example loses access to the portal at once');
    await app.user.click(within(dialog).getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(screen.queryByText('li@acme.example')).toBeNull());

    await app.user.click(within(row('dana@acme.example')).getByRole('button', { name: 'Remove' }));
    const refused = screen.getByRole('dialog', { name: 'Remove this user?' });
    await app.user.click(within(refused).getByRole('button', { name: 'Remove' }));
    expect((await within(refused).findByRole('alert')).textContent).toBe('A platform needs at least one admin');
    expect(app.requests()).toEqual(['GET /portal/api/users', 'DELETE /portal/api/users/usr_member', 'DELETE /portal/api/users/usr_admin']);
  });

  test('cancelling an invitation asks first, then DELETEs it', async () => {
    const app = await renderApp('#/team/members', { 'GET /portal/api/users': users(), 'DELETE /portal/api/invitations/inv_1': json(204) }, adminSession);
    await screen.findByText('sam@acme.example');
    await app.user.click(within(row('sam@acme.example')).getByRole('button', { name: 'Cancel' }));
    const dialog = screen.getByRole('dialog', { name: 'Cancel this invitation?' });
    expect(dialog.textContent).toContain('The link sent to sam@acme.example stops working.');
    await app.user.click(within(dialog).getByRole('button', { name: 'Cancel invitation' }));
    await screen.findByText('No pending invitations.');
    expect(app.requests()).toEqual(['GET /portal/api/users', 'DELETE /portal/api/invitations/inv_1']);
  });

  test('a member sees the team without the invite form or remove buttons', async () => {
    await renderApp('#/team/members', { 'GET /portal/api/users': users() }, memberSession);
    await within(screen.getByRole('main')).findByText('dana@acme.example');
    expect(screen.queryByRole('button', { name: 'Invite' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Remove' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();
  });
});
