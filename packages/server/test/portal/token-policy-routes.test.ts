import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetClientQuota } from '../../src/credentials/oauth-clients.js';
import type { Services } from '../../src/services.js';
import { startDeployment } from '../support/bootstrap.js';
import { requestToken } from '../support/oauth.js';
import { acmeAndGlobex, oauthCredentials, type PortalBrowser } from '../support/portal.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';

const NO_RESET = {
  error: 'conflict',
  message: 'There is no token quota to reset: the token policy of this server is rate (TESSERA_TOKEN_POLICY=rate)',
};

/**
 * Issue 22, in the portal: GET /portal/api/oauth-clients tells the page the token policy in force (the one
 * reading the metadata document makes too), so the page says it in words; under `rate` there is no quota,
 * and a reset is refused as the page, which offers none, says.
 */
describe.each(STORE_KINDS)('the token policy in the portal API on %s', (store) => {
  describe('TESSERA_TOKEN_POLICY=quota, TESSERA_QUOTA_INTERVAL=1800, TESSERA_TOKEN_TTL=3600', () => {
    let env: TestEnvironment;
    let app: FastifyInstance;
    let services: Services;
    let ann: PortalBrowser;
    let bob: PortalBrowser;

    beforeAll(async () => {
      ({ env, app, services } = await startDeployment({ store, config: { tokenPolicy: 'quota', quotaIntervalSeconds: 1_800, tokenTtlSeconds: 3_600 } }));
      ({ ann, bob } = await acmeAndGlobex(app, services));
    });
    afterAll(async () => env?.close());

    it('lists the clients with the quota in force, to admins and members alike, as the metadata says it', async () => {
      const tokenPolicy = { policy: 'quota', intervalSeconds: 1_800, tokenLifetimeSeconds: 3_600 };
      expect((await ann.get('/oauth-clients')).json()).toStrictEqual({ clients: [], maxActive: 2, tokenPolicy });
      expect((await bob.get('/oauth-clients')).json().tokenPolicy).toStrictEqual(tokenPolicy);
      const metadata = (await app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' })).json();
      expect(metadata.tessera_token_policy).toMatchObject({ policy: 'quota', tokens_per_interval: 1, interval_seconds: 1_800 });
    });

    it('resets the quota of a client the quota holds', async () => {
      const created = (await ann.post('/oauth-clients', { name: 'Quota' })).json();
      const issuedAt = env.clock.now();
      expect((await requestToken(app, oauthCredentials(created))).statusCode).toBe(200);
      expect((await ann.get('/oauth-clients')).json().clients[0].nextTokenAt).toBe(new Date(issuedAt + 1_800_000).toISOString());
      const reset = await ann.post(`/oauth-clients/${created.clientId}/reset-quota`);
      expect({ status: reset.statusCode, nextTokenAt: reset.json().nextTokenAt }).toStrictEqual({ status: 200, nextTokenAt: null });
    });
  });

  describe('TESSERA_TOKEN_POLICY=rate, TESSERA_TOKEN_RATE=7', () => {
    let env: TestEnvironment;
    let app: FastifyInstance;
    let services: Services;
    let ann: PortalBrowser;
    let bob: PortalBrowser;
    let zed: PortalBrowser;

    beforeAll(async () => {
      ({ env, app, services } = await startDeployment({ store, config: { tokenPolicy: 'rate', tokenRate: 7 } }));
      ({ ann, bob, zed } = await acmeAndGlobex(app, services));
    });
    afterAll(async () => env?.close());

    const resets = async () => {
      const platform = await services.platforms.findByName('acme');
      return (await services.auditLog.chain(platform!.id)).filter((entry) => entry.action === 'reset_quota').map(({ actor, target_id, outcome }) => ({ actor, target_id, outcome }));
    };

    it('lists the clients with the rate in force and no next token time', async () => {
      const created = (await ann.post('/oauth-clients', { name: 'Rated' })).json();
      for (let i = 0; i < 2; i++) expect((await requestToken(app, oauthCredentials(created))).statusCode).toBe(200);
      const listed = (await bob.get('/oauth-clients')).json();
      expect(listed.tokenPolicy).toStrictEqual({ policy: 'rate', requestsPerSecond: 7, tokenLifetimeSeconds: 86_400 });
      expect(listed.clients).toMatchObject([{ clientId: created.clientId, lastTokenIssuedAt: expect.any(String), nextTokenAt: null }]);
      const metadata = (await app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' })).json();
      expect(metadata.tessera_token_policy).toMatchObject({ policy: 'rate', requests_per_second: 7 });
    });

    it('refuses a quota reset (409): there is none; the refusal is audited, and the CLI’s path refuses alike', async () => {
      const { clientId } = (await ann.get('/oauth-clients')).json().clients[0];
      const refused = await ann.post(`/oauth-clients/${clientId}/reset-quota`);
      expect({ status: refused.statusCode, body: refused.json() }).toStrictEqual({ status: 409, body: NO_RESET });
      expect(await resets()).toEqual([{ actor: 'ann@acme.example', target_id: clientId, outcome: 'failure' }]);
      await expect(resetClientQuota(services, clientId)).rejects.toMatchObject({ code: 'conflict', message: NO_RESET.message });

      // A member is refused first as a member; another platform's admin learns nothing of the client.
      expect((await bob.post(`/oauth-clients/${clientId}/reset-quota`)).statusCode).toBe(403);
      const other = await zed.post(`/oauth-clients/${clientId}/reset-quota`);
      expect({ status: other.statusCode, body: other.json() }).toStrictEqual({ status: 409, body: NO_RESET });
      expect(await resets()).toHaveLength(2);
    });
  });
});
