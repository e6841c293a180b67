import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setClientStatus } from '../../src/credentials/oauth-clients.js';
import { startDeployment } from '../support/bootstrap.js';
import type { TestEnvironment } from '../support/services.js';
import { form, postForm, requestToken } from '../support/oauth.js';
import { basic, createTenant, createTestClient, get } from '../support/tenants.js';

// Redis holds only what can be rebuilt: with it away, instances start and serve, the throttle lets
// requests through, and credential changes still commit.
describe('with Redis unreachable', () => {
  let env: TestEnvironment;
  beforeAll(async () => {
    ({ env } = await startDeployment({ config: { redisUrl: 'redis://127.0.0.1:1', authFailureLimit: 1 } }));
  });
  afterAll(async () => env?.close());

  it('starts, issues tokens, refuses bad secrets and manages credentials', async () => {
    const { app, services } = await env.app();
    expect(services.cache.kind).toBe('redis');
    const client = await createTestClient(services);
    for (let i = 0; i < 3; i++) expect((await requestToken(app, { ...client, client_secret: 'wrong' })).statusCode).toBe(401);
    expect((await requestToken(app, client)).statusCode).toBe(200);
    expect((await setClientStatus(services, client.client_id, 'inactive')).status).toBe('inactive');
    expect((await requestToken(app, client)).statusCode).toBe(401);
  });

  it('refuses at once, on the instance that revoked it, a token it had already verified', async () => {
    const { app, services } = await env.app({ authFailureLimit: 100 });
    const acme = await createTenant(app, services, 'revoking-co');
    expect((await get(app, '/raas/v2/whoami', acme.bearer)).statusCode).toBe(200);
    const revoked = await postForm(app, '/oauth/revoke', form({ token: acme.token }), { authorization: basic(acme.clientId, acme.clientSecret) });
    expect(revoked.statusCode).toBe(200);
    // The clock stays frozen: the status re-read (5 s) cannot be what refuses it.
    const response = await get(app, '/raas/v2/whoami', acme.bearer);
    expect({ status: response.statusCode, message: response.json().message }).toEqual({ status: 401, message: 'The token has been revoked' });
  });

  it('refuses at once, on the instance that deactivated it, the token of a deactivated client', async () => {
    const { app, services } = await env.app({ authFailureLimit: 100 });
    const acme = await createTenant(app, services, 'deactivating-co');
    expect((await get(app, '/raas/v2/whoami', acme.bearer)).statusCode).toBe(200);
    await setClientStatus(services, acme.clientId, 'inactive');
    expect((await get(app, '/raas/v2/whoami', acme.bearer)).statusCode).toBe(401);
  });
});
