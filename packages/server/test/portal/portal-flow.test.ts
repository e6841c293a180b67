import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/credentials/api-keys.js';
import type { Services } from '../../src/services.js';
import { PASSWORD, PortalBrowser } from '../support/portal.js';
import { startDeployment } from '../support/bootstrap.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';
import { basic, placeTestOrder } from '../support/tenants.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const NOW = '2026-11-28T12:00:00.000Z';
/** The token policy in force with the defaults (issue 22): one new token per 20 hours, tokens of 24 hours. */
const TOKEN_POLICY = { policy: 'quota', intervalSeconds: 72_000, tokenLifetimeSeconds: 86_400 };

describe.each(STORE_KINDS)('the portal API on %s', (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;

  beforeAll(async () => {
    ({ env, app, services } = await startDeployment({ store }));
  });
  afterAll(async () => env?.close());

  const auditOf = async (platformName: string) => {
    const platform = await services.platforms.findByName(platformName);
    return (await services.auditLog.chain(platform!.id)).map((e) => ({ actor: e.actor, action: e.action, target: e.target_id, outcome: e.outcome, address: e.source_address, agent: e.user_agent }));
  };

  it('signs up, manages credentials and the team, and signs out, over HTTP', async () => {
    const ann = new PortalBrowser(app);
    const signedUp = await ann.signUp('  Ann@Example.COM ', 'acme');
    expect(signedUp.statusCode, signedUp.body).toBe(201);
    const session = signedUp.json();
    expect(session).toStrictEqual({
      user: { id: expect.stringMatching(/^usr_[0-9A-Za-z]{22}$/), email: 'ann@example.com', role: 'admin' },
      platform: { name: 'acme' },
      csrfToken: expect.stringMatching(/^[0-9a-f]{64}$/),
      authenticatedAt: NOW,
      expiresAt: '2026-11-28T12:30:00.000Z',
    });
    expect((await ann.get('/session')).json()).toStrictEqual(session);

    // Client credentials: generate (secret once), list, deactivate, reset quota, delete.
    const created = await ann.post('/oauth-clients', { name: 'Acme production' });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const client = created.json();
    expect(client).toStrictEqual({ name: 'Acme production', clientId: expect.stringMatching(/^cli_/), clientSecret: expect.stringMatching(/^tsc_secret_/) });
    const clientView = { name: 'Acme production', clientId: client.clientId, platform: 'acme', status: 'active', scope: 'raas.all', createdAt: NOW, lastTokenIssuedAt: null, nextTokenAt: null, limits: { perHour: null, perDay: null, mode: 'enforce', source: 'default' } };
    expect((await ann.get('/oauth-clients')).json()).toStrictEqual({ clients: [clientView], maxActive: 2, tokenPolicy: TOKEN_POLICY });
    const listed = (await ann.get('/oauth-clients')).body;
    expect(listed).not.toContain(client.clientSecret);
    expect((await ann.post(`/oauth-clients/${client.clientId}/reset-quota`)).json()).toStrictEqual(clientView);
    expect((await ann.delete(`/oauth-clients/${client.clientId}`)).json()).toStrictEqual({
      error: 'conflict',
      message: `Client ${client.clientId} is active: deactivate it before deleting it`,
    });
    const deactivated = await ann.post(`/oauth-clients/${client.clientId}/deactivate`);
    expect(deactivated.json()).toStrictEqual({ ...clientView, status: 'inactive' });
    expect((await ann.delete(`/oauth-clients/${client.clientId}`)).statusCode).toBe(204);
    expect((await ann.get('/oauth-clients')).json()).toStrictEqual({ clients: [], maxActive: 2, tokenPolicy: TOKEN_POLICY });
    await ann.post('/oauth-clients', {});
    await ann.post('/oauth-clients');
    expect(await ann.post('/oauth-clients', { name: 'third' })).toMatchObject({ statusCode: 409 });
    expect((await ann.post('/oauth-clients', { name: 'third' })).json()).toStrictEqual({
      error: 'limit_reached',
      message: 'Platform acme already has 2 active client credentials: deactivate one first',
    });

    // API keys: generate, reveal (the eye icon), deactivate, activate, delete.
    const generated = await ann.post('/api-keys');
    expect(generated.statusCode).toBe(201);
    expect(generated.headers['cache-control']).toBe('no-store');
    const key = generated.json();
    expect(key).toStrictEqual({ id: expect.stringMatching(/^key_/), apiKey: expect.stringMatching(/^tsk_live_/) });
    const revealed = await ann.post(`/api-keys/${key.id}/reveal`);
    expect(revealed.statusCode).toBe(200);
    expect(revealed.headers['cache-control']).toBe('no-store');
    expect(revealed.json()).toStrictEqual(key);
    const keys = (await ann.get('/api-keys')).json();
    expect(keys).toMatchObject({ platformName: 'acme', keys: [{ id: key.id, platform: 'acme', status: 'active', createdAt: NOW, statusChangedAt: NOW }], maxActive: 2 });
    expect(JSON.stringify(keys)).not.toContain(key.apiKey);
    expect((await ann.post(`/api-keys/${key.id}/deactivate`)).json()).toMatchObject({ id: key.id, status: 'inactive' });
    expect((await ann.post(`/api-keys/${key.id}/activate`)).json()).toMatchObject({ id: key.id, status: 'active' });
    await ann.post(`/api-keys/${key.id}/deactivate`);
    expect((await ann.delete(`/api-keys/${key.id}`)).statusCode).toBe(204);
    expect((await ann.post(`/api-keys/${key.id}/reveal`)).json()).toStrictEqual({ error: 'not_found', message: `API key ${key.id} does not exist` });

    // The team: invite a member, who joins by the link and can read but not change.
    const invited = await ann.post('/invitations', { email: 'Bob@Example.com', role: 'member' });
    expect(invited.statusCode, invited.body).toBe(201);
    const { invitation, link } = invited.json();
    expect(invitation).toStrictEqual({ id: expect.stringMatching(/^inv_/), email: 'bob@example.com', role: 'member', createdAt: NOW, expiresAt: '2026-12-05T12:00:00.000Z' });
    expect(link).toMatch(new RegExp(`^${services.config.publicUrl}/#/invitation/tsi_[0-9A-Za-z]{43}$`));
    expect((await ann.get('/users')).json()).toStrictEqual({
      users: [{ id: session.user.id, email: 'ann@example.com', role: 'admin', createdAt: NOW }],
      invitations: [invitation],
    });
    expect(JSON.stringify((await ann.get('/users')).json())).not.toContain(link.split('/').at(-1));
    const token = link.split('/').at(-1)!;
    const bob = new PortalBrowser(app);
    const joined = await bob.post('/invitations/accept', { token, password: PASSWORD });
    expect(joined.statusCode, joined.body).toBe(201);
    expect(joined.json()).toMatchObject({ user: { email: 'bob@example.com', role: 'member' }, platform: { name: 'acme' } });
    expect((await new PortalBrowser(app).post('/invitations/accept', { token, password: PASSWORD })).json()).toStrictEqual({
      error: 'not_found',
      message: 'This invitation link is not valid: it was used, withdrawn or has expired',
    });
    expect((await bob.get('/oauth-clients')).statusCode).toBe(200);
    expect((await bob.get('/users')).json().users.map((u: { email: string }) => u.email).sort()).toEqual(['ann@example.com', 'bob@example.com']);
    const refused = await bob.post('/invitations', { email: 'eve@example.com', role: 'admin' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toStrictEqual({ error: 'forbidden', message: 'Only an admin can invite users' });

    // Removing: never the last admin; a removed user's session ends with them.
    expect((await ann.delete(`/users/${session.user.id}`)).json()).toStrictEqual({
      error: 'conflict',
      message: "ann@example.com is the platform's last admin: make another admin first",
    });
    const bobId = joined.json().user.id;
    expect((await ann.delete(`/users/${bobId}`)).statusCode).toBe(204);
    expect((await bob.get('/session')).json()).toStrictEqual({ error: 'unauthenticated', message: 'Sign in to continue' });
    expect((await bob.signIn('bob@example.com')).json()).toStrictEqual({ error: 'invalid_credentials', message: 'The email or password is not correct' });

    // Sign-out, and sign-in again.
    expect((await ann.post('/signout')).statusCode).toBe(204);
    expect((await ann.get('/session')).statusCode).toBe(401);
    const back = await ann.signIn('ANN@example.com');
    expect(back.statusCode).toBe(200);
    expect(back.json()).toMatchObject({ user: { id: session.user.id, email: 'ann@example.com', role: 'admin' }, platform: { name: 'acme' } });

    expect(await auditOf('acme')).toEqual(
      [
        ['ann@example.com', 'sign_up', session.user.id],
        ['ann@example.com', 'generate', client.clientId],
        ['ann@example.com', 'reset_quota', client.clientId],
        // Refused while active: recorded as a failure (credentials/record-refusal.ts).
        ['ann@example.com', 'delete', client.clientId, 'failure'],
        ['ann@example.com', 'deactivate', client.clientId],
        ['ann@example.com', 'delete', client.clientId],
        ['ann@example.com', 'generate', expect.stringMatching(/^cli_/)],
        ['ann@example.com', 'generate', expect.stringMatching(/^cli_/)],
        // The third, twice refused at the limit: nothing was made, so no target.
        ['ann@example.com', 'generate', '', 'failure'],
        ['ann@example.com', 'generate', '', 'failure'],
        ['ann@example.com', 'generate', key.id],
        ['ann@example.com', 'reveal', key.id],
        ['ann@example.com', 'deactivate', key.id],
        ['ann@example.com', 'activate', key.id],
        ['ann@example.com', 'deactivate', key.id],
        ['ann@example.com', 'delete', key.id],
        ['ann@example.com', 'invite', invitation.id],
        ['bob@example.com', 'join', bobId],
        ['ann@example.com', 'remove_user', bobId],
        ['ann@example.com', 'sign_out', session.user.id],
        ['ann@example.com', 'sign_in', session.user.id],
      ].map(([actor, action, target, outcome = 'success']) => ({ actor, action, target, outcome, address: '127.0.0.1', agent: 'portal-test' })),
    );
  });

  it('records a failed sign-in of a known email, and nothing for an unknown one', async () => {
    const carol = new PortalBrowser(app);
    await carol.signUp('carol@example.com', 'carols');
    await carol.post('/signout');
    expect((await carol.signIn('carol@example.com', 'not the password at all')).statusCode).toBe(401);
    expect((await carol.signIn('nobody@example.com', 'not the password at all')).statusCode).toBe(401);
    expect((await auditOf('carols')).slice(-2)).toEqual([
      expect.objectContaining({ action: 'sign_out', outcome: 'success' }),
      expect.objectContaining({ actor: 'carol@example.com', action: 'sign_in', outcome: 'failure', address: '127.0.0.1', agent: 'portal-test' }),
    ]);
    expect(await services.users.findByEmail('nobody@example.com')).toBeUndefined();
  });

  // Open sign-up (TESSERA_PORTAL_SIGNUP=open): verified sign-up's answers are accounts/sign-up.test.ts's.
  it('signs up atomically where sign-up is open: a taken platform name or email leaves nothing behind', async () => {
    const { app } = await env.app({ portalSignup: 'open' });
    const dave = new PortalBrowser(app);
    expect((await dave.signUp('dave@example.com', 'daves')).statusCode).toBe(201);
    const samePlatform = await new PortalBrowser(app).signUp('erin@example.com', 'daves');
    expect(samePlatform.statusCode).toBe(409);
    expect(samePlatform.json()).toStrictEqual({ error: 'conflict', message: 'This email or platform name cannot be used: choose another platform name, or sign in if you already have an account' });
    expect(await services.users.findByEmail('erin@example.com')).toBeUndefined();
    const sameEmail = await new PortalBrowser(app).signUp('DAVE@example.com', 'daves-second');
    // The same answer as a taken platform name: it neither names nor confirms the email (accounts/sign-up.test.ts).
    expect(sameEmail.json()).toStrictEqual({ error: 'conflict', message: 'This email or platform name cannot be used: choose another platform name, or sign in if you already have an account' });
    expect(await services.platforms.findByName('daves-second')).toBeUndefined();
    expect((await new PortalBrowser(app).signUp('frank@example.com', 'no spaces')).json()).toStrictEqual({
      error: 'invalid_input',
      message: 'Invalid platform name "no spaces": use 3 to 64 characters from A-Z, a-z, 0-9, ".", "_" and "-"',
    });
    expect((await new PortalBrowser(app).signUp('not-an-email', 'frank')).json()).toStrictEqual({ error: 'invalid_input', message: 'The email is not an address: use name@example.com' });
    expect((await new PortalBrowser(app).post('/signup', { email: 'frank@example.com', password: 'too short', platformName: 'frank' })).json()).toStrictEqual({
      error: 'invalid_input',
      message: 'The password must have at least 12 characters',
    });
    expect((await new PortalBrowser(app).post('/signup', { email: 'frank@example.com', platformName: 'frank' })).json()).toStrictEqual({
      error: 'invalid_input',
      message: 'The password is required',
    });
    expect((await new PortalBrowser(app).post('/signup', { email: 'frank@example.com', password: PASSWORD, platformName: 'frank', admin: true })).json()).toStrictEqual({
      error: 'invalid_input',
      message: 'The field "admin" is not expected here',
    });
    expect((await new PortalBrowser(app).post('/signup', '{"email":')).json()).toStrictEqual({ error: 'invalid_input', message: 'The request body must be a JSON object' });
    const malformed = await app.inject({ method: 'POST', url: '/portal/api/signup', headers: { 'content-type': 'application/json' }, payload: '{"email":' });
    expect(malformed.json()).toStrictEqual({ error: 'invalid_input', message: 'The request body is not valid JSON' });
  });

  it('lets an invitation expire after a week, and an admin withdraw one', async () => {
    const gina = new PortalBrowser(app);
    await gina.signUp('gina@example.com', 'ginas');
    const first = (await gina.post('/invitations', { email: 'hal@example.com', role: 'admin' })).json();
    expect((await gina.post('/invitations', { email: 'hal@example.com', role: 'member' })).json()).toStrictEqual({
      error: 'conflict',
      message: 'hal@example.com is already invited: withdraw that invitation to send a new link',
    });
    expect((await gina.post('/invitations', { email: 'gina@example.com', role: 'member' })).json()).toStrictEqual({
      error: 'conflict',
      message: 'gina@example.com is already a user of this platform',
    });
    expect((await gina.delete(`/invitations/${first.invitation.id}`)).statusCode).toBe(204);
    expect((await gina.delete(`/invitations/${first.invitation.id}`)).json()).toStrictEqual({ error: 'not_found', message: `Invitation ${first.invitation.id} does not exist` });
    const withdrawnToken = first.link.split('/').at(-1);
    expect((await new PortalBrowser(app).post('/invitations/accept', { token: withdrawnToken, password: PASSWORD })).statusCode).toBe(404);

    const second = (await gina.post('/invitations', { email: 'hal@example.com', role: 'admin' })).json();
    env.clock.advance(7 * 24 * 3_600_000);
    expect((await new PortalBrowser(app).post('/invitations/accept', { token: second.link.split('/').at(-1), password: PASSWORD })).statusCode).toBe(404);
    expect((await gina.signIn('gina@example.com')).statusCode).toBe(200);
    expect((await gina.get('/users')).json().invitations).toEqual([]);
  });

  it('shows and changes nothing of another platform: every credential route answers 404, as for a missing id', async () => {
    const owner = new PortalBrowser(app);
    await owner.signUp('owner@example.com', 'victim');
    const client = (await owner.post('/oauth-clients', {})).json();
    const key = (await owner.post('/api-keys')).json();
    await owner.post(`/api-keys/${key.id}/deactivate`);
    const invitation = (await owner.post('/invitations', { email: 'iris@example.com', role: 'member' })).json().invitation;
    const owners = (await owner.get('/users')).json().users;
    const order = await placeTestOrder(app, basic('victim', (await createApiKey(services, 'victim')).api_key));

    const intruder = new PortalBrowser(app);
    await intruder.signUp('intruder@example.com', 'intruders');
    const attempts: Array<[string, () => ReturnType<PortalBrowser['get']>, string]> = [
      ['activate', () => intruder.post(`/oauth-clients/${client.clientId}/activate`), `Client ${client.clientId} does not exist`],
      ['deactivate', () => intruder.post(`/oauth-clients/${client.clientId}/deactivate`), `Client ${client.clientId} does not exist`],
      ['reset quota', () => intruder.post(`/oauth-clients/${client.clientId}/reset-quota`), `Client ${client.clientId} does not exist`],
      ['delete client', () => intruder.delete(`/oauth-clients/${client.clientId}`), `Client ${client.clientId} does not exist`],
      ['reveal', () => intruder.post(`/api-keys/${key.id}/reveal`), `API key ${key.id} does not exist`],
      ['activate key', () => intruder.post(`/api-keys/${key.id}/activate`), `API key ${key.id} does not exist`],
      ['deactivate key', () => intruder.post(`/api-keys/${key.id}/deactivate`), `API key ${key.id} does not exist`],
      ['delete key', () => intruder.delete(`/api-keys/${key.id}`), `API key ${key.id} does not exist`],
      ['withdraw invitation', () => intruder.delete(`/invitations/${invitation.id}`), `Invitation ${invitation.id} does not exist`],
      ['remove user', () => intruder.delete(`/users/${owners[0].id}`), `User ${owners[0].id} does not exist`],
      ['read order', () => intruder.get(`/orders/${order}`), `Order ${order} was not found`],
      ['reveal reward', () => intruder.post(`/orders/${order}/reward/reveal`), `Order ${order} was not found`],
      ['resend order', () => intruder.post(`/orders/${order}/resends`, { newEmail: 'intruder@example.com' }), `Order ${order} was not found`],
    ];
    for (const [what, attempt, message] of attempts) {
      const response = await attempt();
      expect({ what, status: response.statusCode, body: response.json() }).toStrictEqual({ what, status: 404, body: { error: 'not_found', message } });
    }
    // The same answer as for an id that exists nowhere.
    expect((await intruder.post('/oauth-clients/cli_missing/deactivate')).json()).toStrictEqual({ error: 'not_found', message: 'Client cli_missing does not exist' });
    expect((await intruder.get('/oauth-clients')).json()).toStrictEqual({ clients: [], maxActive: 2, tokenPolicy: TOKEN_POLICY });
    expect((await intruder.get('/api-keys')).json()).toStrictEqual({ platformName: 'intruders', keys: [], maxActive: 2 });
    expect((await intruder.get('/users')).json().invitations).toEqual([]);
    expect((await intruder.get('/orders')).json()).toStrictEqual({ orders: [], page: { elementsPerBlock: 10, number: 0, resultCount: 0, totalCount: 0 } });

    // Nothing changed, and the owner's log holds none of it.
    expect((await owner.get('/oauth-clients')).json().clients).toMatchObject([{ clientId: client.clientId, status: 'active' }]);
    // (Beside the key that placed the order.)
    expect((await owner.get('/api-keys')).json().keys.filter((k: { id: string }) => k.id === key.id)).toMatchObject([{ id: key.id, status: 'inactive' }]);
    expect((await owner.get('/users')).json()).toMatchObject({ users: owners, invitations: [invitation] });
    expect((await owner.get('/orders')).json().orders.map((o: { referenceOrderID: string }) => o.referenceOrderID)).toStrictEqual([order]);
    // The owner's actions, and the key (made by `cli`) that placed the order.
    expect((await auditOf('victim')).every((e) => e.actor === 'owner@example.com' || e.actor === 'cli' || e.actor.startsWith('key_'))).toBe(true);
    expect((await auditOf('victim')).filter((e) => e.action === 'resend_order' || e.action === 'reveal_reward')).toStrictEqual([]);
  });

  it('lets a member read but change nothing (403 for every change)', async () => {
    const admin = new PortalBrowser(app);
    await admin.signUp('jo@example.com', 'members');
    const client = (await admin.post('/oauth-clients', {})).json();
    const key = (await admin.post('/api-keys')).json();
    const link = (await admin.post('/invitations', { email: 'kim@example.com', role: 'member' })).json().link;
    const member = new PortalBrowser(app);
    await member.post('/invitations/accept', { token: link.split('/').at(-1), password: PASSWORD });
    for (const url of ['/session', '/users', '/oauth-clients', '/api-keys', '/orders']) expect((await member.get(url)).statusCode).toBe(200);
    const changes: Array<[() => ReturnType<PortalBrowser['get']>, string]> = [
      [() => member.post('/oauth-clients', {}), 'generate client credentials'],
      [() => member.post(`/oauth-clients/${client.clientId}/deactivate`), 'deactivate client credentials'],
      [() => member.post(`/oauth-clients/${client.clientId}/activate`), 'activate client credentials'],
      [() => member.post(`/oauth-clients/${client.clientId}/reset-quota`), 'reset the quota of client credentials'],
      [() => member.delete(`/oauth-clients/${client.clientId}`), 'delete client credentials'],
      [() => member.post('/api-keys'), 'generate API keys'],
      [() => member.post(`/api-keys/${key.id}/reveal`), 'reveal API keys'],
      [() => member.post(`/api-keys/${key.id}/deactivate`), 'deactivate API keys'],
      [() => member.post(`/api-keys/${key.id}/activate`), 'activate API keys'],
      [() => member.delete(`/api-keys/${key.id}`), 'delete API keys'],
      [() => member.post('/invitations', { email: 'lee@example.com', role: 'admin' }), 'invite users'],
      [() => member.delete('/invitations/inv_any'), 'withdraw invitations'],
      [() => member.delete('/users/usr_any'), 'remove users'],
      [() => member.post('/orders/RA261128-000000-000000/reward/reveal'), 'reveal reward codes'],
      [() => member.post('/orders/RA261128-000000-000000/resends', {}), 'resend rewards'],
    ];
    for (const [change, what] of changes) {
      const response = await change();
      expect({ status: response.statusCode, body: response.json() }).toStrictEqual({ status: 403, body: { error: 'forbidden', message: `Only an admin can ${what}` } });
    }
    expect((await admin.get('/oauth-clients')).json().clients).toMatchObject([{ status: 'active' }]);
  });

  it('closes sign-up when TESSERA_PORTAL_SIGNUP is closed', async () => {
    const closed = await env.app({ portalSignup: 'closed' });
    const response = await new PortalBrowser(closed.app).signUp('max@example.com', 'maxs');
    expect(response.statusCode).toBe(403);
    expect(response.json()).toStrictEqual({ error: 'signup_closed', message: 'Sign-up is closed on this server: ask an admin of your platform for an invitation' });
    expect(await services.platforms.findByName('maxs')).toBeUndefined();
  });

  it('answers times in ISO 8601', async () => {
    const b = new PortalBrowser(app);
    const session = (await b.signUp('nina@example.com', 'ninas')).json();
    expect(session.authenticatedAt).toMatch(ISO);
  });
});
