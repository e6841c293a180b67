import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Grant } from '../src/oauth/grants/grant.js';
import type { Services } from '../src/services.js';
import { appOn, startDeployment } from './support/bootstrap.js';
import { postForm, requestToken } from './support/oauth.js';
import type { TestEnvironment } from './support/services.js';
import { basic, createTestClient, get, type Tenant } from './support/tenants.js';

/**
 * The composition root (services.ts) makes every long-lived object once per process: two apps built on
 * the same services — an embedder serving two ports, the tests' captured-log apps — share their memory.
 */
describe('the long-lived objects of the services', () => {
  let env: TestEnvironment;
  let first: FastifyInstance;
  let second: FastifyInstance;
  let services: Services;
  let acme: Tenant;

  beforeAll(async () => {
    ({ env, app: first, services, tenants: { acme } } = await startDeployment({ tenants: ['acme'] }));
    second = await appOn(services);
  });
  afterAll(async () => {
    await second?.close();
    await env?.close();
  });

  it('are one client cache: a client the first app has read costs the second app no read of the store', async () => {
    const findWithPlatform = vi.spyOn(services.oauthClients, 'findWithPlatform');
    try {
      // acme has had its token of the interval (from the first app): the second app refuses from memory.
      const response = await postForm(second, '/oauth/token', 'grant_type=client_credentials', { authorization: basic(acme.clientId, acme.clientSecret) });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({
        error: 'rate_limit_exceeded',
        error_description: `Client acme client ${acme.clientId} has exceeded the daily rate limit`,
      });
      expect(findWithPlatform).not.toHaveBeenCalled();
    } finally {
      findWithPlatform.mockRestore();
    }
  });

  it("are one API guard: an API key's last use is written once a minute, whichever app served it", async () => {
    const markUsed = vi.spyOn(services.apiKeys, 'markUsed');
    try {
      expect((await get(first, '/raas/v2/whoami', acme.basic)).statusCode).toBe(200);
      expect((await get(second, '/raas/v2/whoami', acme.basic)).statusCode).toBe(200);
      await services.apiGuard.flushLastUse();
      expect(markUsed.mock.calls).toEqual([[[{ id: acme.apiKeyId, at: expect.any(Number) }]]]);
    } finally {
      markUsed.mockRestore();
    }
  });

  it('are one list of grants: what the services hold, the token endpoint serves and the metadata lists', async () => {
    // A grant of the embedder's: it answers by itself (no quota, no signature), so that only the wiring is tested.
    const grant: Grant = { grantType: 'urn:example:test', handle: async () => ({ access_token: 'test', token_type: 'Bearer', expires_in: 1, scope: 'raas.all' }) };
    const app = await appOn({ ...services, grants: [...services.grants, grant] });
    try {
      expect((await app.inject('/.well-known/oauth-authorization-server')).json().grant_types_supported).toEqual(['client_credentials', 'urn:example:test']);
      const response = await requestToken(app, await createTestClient(services), { grant_type: 'urn:example:test' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ access_token: 'test', token_type: 'Bearer', expires_in: 1, scope: 'raas.all' });
    } finally {
      await app.close();
    }
  });
});
