import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src/services.js';
import { startDeployment } from '../support/bootstrap.js';
import { PASSWORD, PortalBrowser } from '../support/portal.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';

const NOW = '2026-11-28T12:00:00.000Z';
const INVALID_LINK = { error: 'not_found', message: 'This invitation link is not valid: it was used, withdrawn or has expired' };
const tokenOf = (response: LightMyRequestResponse): string => (response.json() as { link: string }).link.split('/').at(-1)!;

describe.each(STORE_KINDS)('invitations and accounts on other platforms on %s', (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;

  beforeAll(async () => ({ env, app, services } = await startDeployment({ store })));
  afterAll(async () => env?.close());

  const invitation = (email: string) => ({
    status: 201,
    body: {
      invitation: { id: expect.stringMatching(/^inv_[0-9A-Za-z]+$/), email, role: 'member', createdAt: NOW, expiresAt: '2026-12-05T12:00:00.000Z' },
      link: expect.stringMatching(new RegExp(`^${services.config.publicUrl}/#/invitation/tsi_[0-9A-Za-z]{43}$`)),
    },
  });

  it('invites an address with an account elsewhere exactly as a new one, and refuses its link as a used one', async () => {
    const owner = new PortalBrowser(app);
    await owner.signUp('elsewhere@example.com', 'other-platform');
    const admin = new PortalBrowser(app);
    await admin.signUp('admin@example.com', 'inviting');

    const elsewhere = await admin.post('/invitations', { email: 'Elsewhere@Example.com', role: 'member' });
    const fresh = await admin.post('/invitations', { email: 'fresh@example.com', role: 'member' });
    expect({ status: elsewhere.statusCode, body: elsewhere.json() }).toStrictEqual(invitation('elsewhere@example.com'));
    expect({ status: fresh.statusCode, body: fresh.json() }).toStrictEqual(invitation('fresh@example.com'));
    // A user of this very platform: the admin sees them in the list, so saying so tells nothing new.
    expect((await admin.post('/invitations', { email: 'admin@example.com', role: 'member' })).json()).toStrictEqual({
      error: 'conflict',
      message: 'admin@example.com is already a user of this platform',
    });

    // The fresh link joins once; used again, it is refused.
    expect((await new PortalBrowser(app).post('/invitations/accept', { token: tokenOf(fresh), password: PASSWORD })).statusCode).toBe(201);
    const used = await new PortalBrowser(app).post('/invitations/accept', { token: tokenOf(fresh), password: PASSWORD });
    // The link of the address taken elsewhere gets that very answer, whoever holds it (the admin too).
    const taken = await new PortalBrowser(app).post('/invitations/accept', { token: tokenOf(elsewhere), password: PASSWORD });
    for (const response of [used, taken]) {
      expect({ status: response.statusCode, body: response.body, cookie: response.headers['set-cookie'] }).toStrictEqual({
        status: 404,
        body: JSON.stringify(INVALID_LINK),
        cookie: undefined,
      });
    }
    // It stays pending, as a link never opened does: the list does not tell either.
    const team = (await admin.get('/users')).json() as { users: Array<{ email: string }>; invitations: Array<{ email: string }> };
    expect(team.users.map((u) => u.email).sort()).toEqual(['admin@example.com', 'fresh@example.com']);
    expect(team.invitations.map((i) => i.email)).toEqual(['elsewhere@example.com']);
    // Nor does the inviting platform's log: the invitations and the one join.
    const platform = await services.platforms.findByName('inviting');
    expect((await services.auditLog.chain(platform!.id)).map((e) => [e.action, e.outcome])).toEqual([
      ['sign_up', 'success'],
      ['invite', 'success'],
      ['invite', 'success'],
      ['join', 'success'],
    ]);
    // The account elsewhere is untouched.
    expect(await services.users.findByEmail('elsewhere@example.com')).toMatchObject({ platform_name: 'other-platform', role: 'admin' });
    expect((await owner.get('/session')).statusCode).toBe(200);
  });

  it('counts every acceptance that makes no account against the address, as a sign-up', async () => {
    const admin = new PortalBrowser(app);
    await admin.signUp('counting@example.com', 'counting');
    await new PortalBrowser(app).signUp('member-elsewhere@example.com', 'elsewhere-two');
    const links = await Promise.all(['member-elsewhere@example.com', 'joins@example.com', 'joins-too@example.com'].map(async (email) => tokenOf(await admin.post('/invitations', { email, role: 'member' }))));
    const [taken, joins, joinsToo] = links as [string, string, string];
    // An instance of its own (its own in-process throttle), allowing two sign-ups an hour from an address.
    const { app: limited } = await env.app({ signUpLimit: 2 });
    const accept = (token: string) => new PortalBrowser(limited).post('/invitations/accept', { token, password: PASSWORD });
    // Joining is no refusal: it is given back.
    for (const token of [joins, joinsToo]) expect((await accept(token)).statusCode).toBe(201);
    expect((await accept(taken)).statusCode).toBe(404);
    expect((await accept(joins)).statusCode).toBe(404);
    const third = await accept(taken);
    expect({ status: third.statusCode, error: third.json().error, retryAfter: Number(third.headers['retry-after']) > 0 }).toStrictEqual({
      status: 429,
      error: 'too_many_failures',
      retryAfter: true,
    });
  });
});
