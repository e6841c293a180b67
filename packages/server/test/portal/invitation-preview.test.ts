import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDeployment } from '../support/bootstrap.js';
import { PASSWORD, PortalBrowser, signedUpAdmin } from '../support/portal.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';

const NOT_VALID = { error: 'not_found', message: 'This invitation link is not valid: it was used, withdrawn or has expired' };

/**
 * Issue 19, point 15: the invitation page names the platform being joined. The token travels in a POST
 * body; a used, withdrawn, expired or unknown link gets one and the same 404.
 */
describe.each(STORE_KINDS)('what an invitation link joins, on %s', (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let ann: PortalBrowser;

  beforeAll(async () => {
    ({ env, app } = await startDeployment({ store }));
    ann = await signedUpAdmin(app, 'inviter@example.com', 'joinable');
  });
  afterAll(async () => env?.close());

  const invite = async (email: string, role: 'admin' | 'member') => {
    const { invitation, link } = (await ann.post('/invitations', { email, role })).json();
    return { id: invitation.id as string, token: (link as string).split('/').at(-1)! };
  };
  const preview = (token: unknown) => new PortalBrowser(app).post('/invitations/preview', { token });

  it('answers the platform, the invited email and the role, to anyone holding the link', async () => {
    const { token } = await invite('Newcomer@Example.com', 'member');
    const response = await preview(token);
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.json()).toStrictEqual({ platform: 'joinable', email: 'newcomer@example.com', role: 'member' });
    // Looking does not use the link up.
    expect((await preview(token)).json()).toStrictEqual({ platform: 'joinable', email: 'newcomer@example.com', role: 'member' });
    expect((await new PortalBrowser(app).post('/invitations/accept', { token, password: PASSWORD })).statusCode).toBe(201);
  });

  it('answers alike for an address that has an account on another platform (no oracle for the inviting admin)', async () => {
    expect((await new PortalBrowser(app).signUp('elsewhere@example.com', 'elsewhere')).statusCode).toBe(201);
    const { token } = await invite('elsewhere@example.com', 'admin');
    const response = await preview(token);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toStrictEqual({ platform: 'joinable', email: 'elsewhere@example.com', role: 'admin' });
  });

  it('gives one 404 for a used, withdrawn, expired or unknown link', async () => {
    const used = await invite('used@example.com', 'admin');
    await new PortalBrowser(app).post('/invitations/accept', { token: used.token, password: PASSWORD });
    const withdrawn = await invite('withdrawn@example.com', 'member');
    await ann.delete(`/invitations/${withdrawn.id}`);
    const expired = await invite('expired@example.com', 'member');
    for (const token of [used.token, withdrawn.token, 'tsi_unknownTokenOfTheRightShape0000000000', 'not-even-a-token']) {
      const response = await preview(token);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toStrictEqual(NOT_VALID);
    }
    env.clock.advance(7 * 24 * 3_600_000);
    expect((await preview(expired.token)).json()).toStrictEqual(NOT_VALID);
  });

  it('takes the token in the body only', async () => {
    await ann.signIn('inviter@example.com');
    const { token } = await invite('body-only@example.com', 'member');
    expect((await new PortalBrowser(app).get(`/invitations/preview?token=${token}`)).statusCode).toBe(404);
    expect((await new PortalBrowser(app).post('/invitations/preview', {})).json()).toStrictEqual({ error: 'invalid_input', message: 'The invitation link is required' });
  });
});
