import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src/services.js';
import { requestToken } from '../support/oauth.js';
import { oauthCredentials, PortalBrowser, signedUpAdmin } from '../support/portal.js';
import { HOUR, STORE_KINDS, type TestEnvironment } from '../support/services.js';
import { startDeployment } from '../support/bootstrap.js';

const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Issue 19, point 13: after *Reset quota* the portal still shows when the last token was issued (the
 * token lives on), and says when the quota refuses a token (`nextTokenAt`), so a reset is offered only
 * where it changes something.
 */
describe.each(STORE_KINDS)('a client’s last token and quota in the portal on %s', (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;
  let ann: PortalBrowser;

  beforeAll(async () => {
    ({ env, app, services } = await startDeployment({ store }));
    ann = await signedUpAdmin(app, 'quota@example.com', 'quota-view');
  });
  afterAll(async () => env?.close());

  it('keeps the last issue time through a reset, and says when the next token may be had', async () => {
    const created = (await ann.post('/oauth-clients', { name: 'Quota view' })).json();
    const client = oauthCredentials(created);
    const createdAt = iso(env.clock.now());
    const view = (fields: object) => ({
      name: 'Quota view',
      clientId: created.clientId,
      platform: 'quota-view',
      status: 'active',
      scope: 'raas.all',
      createdAt,
      limits: { perHour: null, perDay: null, mode: 'enforce', source: 'default' },
      ...fields,
    });
    const listed = async () => (await ann.get('/oauth-clients')).json().clients[0];

    // Never issued: nothing to show, nothing to reset.
    expect(await listed()).toStrictEqual(view({ lastTokenIssuedAt: null, nextTokenAt: null }));

    const issuedAt = env.clock.now();
    expect((await requestToken(app, client)).statusCode).toBe(200);
    const afterIssue = view({ lastTokenIssuedAt: iso(issuedAt), nextTokenAt: iso(issuedAt + 20 * HOUR) });
    expect(await listed()).toStrictEqual(afterIssue);

    // Minutes, not hours: the session's idle timeout is 30 minutes.
    env.clock.advance(10 * MINUTE);
    const reset = await ann.post(`/oauth-clients/${client.client_id}/reset-quota`);
    expect(reset.statusCode).toBe(200);
    // The token issued before the reset still lives: its time stays; the quota no longer refuses.
    const afterReset = view({ lastTokenIssuedAt: iso(issuedAt), nextTokenAt: null });
    expect(reset.json()).toStrictEqual(afterReset);
    expect(await listed()).toStrictEqual(afterReset);
    // A second reset changes nothing it shows.
    expect((await ann.post(`/oauth-clients/${client.client_id}/reset-quota`)).json()).toStrictEqual(afterReset);

    env.clock.advance(10 * MINUTE);
    const reissuedAt = env.clock.now();
    expect((await requestToken(app, client)).statusCode).toBe(200);
    expect(await listed()).toStrictEqual(view({ lastTokenIssuedAt: iso(reissuedAt), nextTokenAt: iso(reissuedAt + 20 * HOUR) }));
    // The new token spent the quota again.
    expect((await requestToken(app, client)).statusCode).toBe(400);

    // Once the interval has passed, the quota refuses nothing: nextTokenAt is null again.
    env.clock.advance(20 * HOUR);
    await ann.signIn('quota@example.com');
    expect(await listed()).toStrictEqual(view({ lastTokenIssuedAt: iso(reissuedAt), nextTokenAt: null }));

    // The store keeps the time the reset moved apart from the quota clock, which the claim reads.
    expect(await services.oauthClients.find(client.client_id)).toMatchObject({ last_issued_at: reissuedAt, issued_before_reset_at: issuedAt });
  });

  it('says when the quota refuses for a deactivated client too', async () => {
    await ann.signIn('quota@example.com');
    const client = oauthCredentials((await ann.post('/oauth-clients', {})).json());
    const issuedAt = env.clock.now();
    expect((await requestToken(app, client)).statusCode).toBe(200);
    const deactivated = (await ann.post(`/oauth-clients/${client.client_id}/deactivate`)).json();
    expect(deactivated).toMatchObject({ status: 'inactive', lastTokenIssuedAt: iso(issuedAt), nextTokenAt: iso(issuedAt + 20 * HOUR) });
    await ann.delete(`/oauth-clients/${client.client_id}`);
  });
});
