import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAudience } from '../../src/credentials/audiences.js';
import { addApi } from '../../src/credentials/protected-apis.js';
import type { Services } from '../../src/services.js';
import type { AuditEntry } from '../../src/store/audit-log.js';
import { startDeployment } from '../support/bootstrap.js';
import { requestToken } from '../support/oauth.js';
import { acmeAndGlobex, oauthCredentials, type PortalBrowser } from '../support/portal.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';

const DEFAULT_LIMITS = { perHour: 50, perDay: null, mode: 'enforce', source: 'default' };

/**
 * Issue 22: a client's token limits on the portal's OAuth clients page — every member sees them, admins set
 * or clear them (audited) — and the server's audiences, read-only.
 */
describe.each(STORE_KINDS)('client token limits and audiences in the portal on %s', (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;
  let ann: PortalBrowser;
  let bob: PortalBrowser;
  let zed: PortalBrowser;
  let client: { clientId: string; clientSecret: string };

  beforeAll(async () => {
    // A default of 50 tokens an hour for every client; the rate policy, so that the limits decide.
    ({ env, app, services } = await startDeployment({ store, config: { tokenPolicy: 'rate', clientTokensPerHour: 50 } }));
    ({ ann, bob, zed } = await acmeAndGlobex(app, services));
    client = (await ann.post('/oauth-clients', { name: 'Limited' })).json();
  });
  afterAll(async () => env?.close());

  const limitsListed = async (browser: PortalBrowser) => (await browser.get('/oauth-clients')).json().clients[0].limits;
  const changes = async () => {
    const platform = await services.platforms.findByName('acme');
    return ((await services.auditLog.chain(platform!.id)) as AuditEntry[])
      .filter((entry) => entry.action === 'client_limits_changed')
      .map(({ actor, target_id, outcome, user_agent }) => ({ actor, target_id, outcome, user_agent }));
  };

  it('shows every member the limits in force, the default until an admin sets the client’s own', async () => {
    expect(await limitsListed(ann)).toStrictEqual(DEFAULT_LIMITS);
    expect(await limitsListed(bob)).toStrictEqual(DEFAULT_LIMITS);
  });

  it('lets an admin set them, audited, applied by the token endpoint, shown to members; and clear them back to the default', async () => {
    const set = await ann.put(`/oauth-clients/${client.clientId}/limits`, { perHour: 1, perDay: 1000, mode: 'enforce' });
    expect({ status: set.statusCode, body: set.json() }).toStrictEqual({ status: 200, body: { perHour: 1, perDay: 1000, mode: 'enforce', source: 'client' } });
    expect(await limitsListed(bob)).toStrictEqual({ perHour: 1, perDay: 1000, mode: 'enforce', source: 'client' });
    expect(await changes()).toEqual([{ actor: 'ann@acme.example', target_id: client.clientId, outcome: 'success', user_agent: 'portal-test' }]);

    const credentials = oauthCredentials(client);
    expect((await requestToken(app, credentials)).statusCode).toBe(200);
    const refused = await requestToken(app, credentials);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error_description).toBe(`Client Limited ${client.clientId} has exceeded its limit of 1 tokens per hour`);

    // Actions answer the client's view with its limits.
    expect((await ann.post(`/oauth-clients/${client.clientId}/deactivate`)).json().limits).toStrictEqual({ perHour: 1, perDay: 1000, mode: 'enforce', source: 'client' });
    expect((await ann.post(`/oauth-clients/${client.clientId}/activate`)).json().limits).toStrictEqual({ perHour: 1, perDay: 1000, mode: 'enforce', source: 'client' });

    const cleared = await ann.delete(`/oauth-clients/${client.clientId}/limits`);
    expect({ status: cleared.statusCode, body: cleared.json() }).toStrictEqual({ status: 200, body: DEFAULT_LIMITS });
    expect(await limitsListed(bob)).toStrictEqual(DEFAULT_LIMITS);
    expect((await requestToken(app, credentials)).statusCode).toBe(200);
    expect(await changes()).toHaveLength(2);
  });

  it('refuses members (403), another platform’s admin (404), and bad limits (400), recording no change', async () => {
    const before = await changes();
    const member = await bob.put(`/oauth-clients/${client.clientId}/limits`, { perHour: 5, perDay: null, mode: 'observe' });
    expect({ status: member.statusCode, body: member.json() }).toStrictEqual({
      status: 403,
      body: { error: 'forbidden', message: 'Only an admin can set the token limits of client credentials' },
    });
    expect((await bob.delete(`/oauth-clients/${client.clientId}/limits`)).statusCode).toBe(403);

    const other = await zed.put(`/oauth-clients/${client.clientId}/limits`, { perHour: 5, perDay: null, mode: 'observe' });
    expect({ status: other.statusCode, body: other.json() }).toStrictEqual({ status: 404, body: { error: 'not_found', message: `Client ${client.clientId} does not exist` } });
    expect((await zed.delete(`/oauth-clients/${client.clientId}/limits`)).statusCode).toBe(404);

    const invalid = async (body: unknown) => {
      const response = await ann.put(`/oauth-clients/${client.clientId}/limits`, body);
      return { status: response.statusCode, body: response.json() };
    };
    const outOfRange = { error: 'invalid_input', message: 'Invalid limit per hour: use a whole number of tokens from 1 to 1000000000' };
    expect(await invalid({ perHour: 0, perDay: null, mode: 'enforce' })).toStrictEqual({ status: 400, body: outOfRange });
    expect(await invalid({ perHour: 1_000_000_001, perDay: null, mode: 'enforce' })).toStrictEqual({ status: 400, body: outOfRange });
    const refusals: Array<[unknown, string]> = [
      [{ perHour: 1.5, perDay: null, mode: 'enforce' }, 'The limit per hour must be a whole number'],
      [{ perHour: 5, perDay: '5', mode: 'enforce' }, 'The limit per day must be a whole number'],
      [{ perHour: 5, perDay: null, mode: 'block' }, 'The mode must be one of: enforce, observe'],
      [{ perHour: 5, mode: 'enforce' }, 'The limit per day is required'],
      [{ perHour: 5, perDay: null, mode: 'enforce', extra: 1 }, 'The field "extra" is not expected here'],
    ];
    for (const [body, message] of refusals) {
      expect(await invalid(body), JSON.stringify(body)).toStrictEqual({ status: 400, body: { error: 'invalid_input', message } });
    }
    expect(await changes()).toEqual(before);
  });

  it('lists the audiences, the default first, with the protected APIs among them (issue 23), to every member', async () => {
    await addAudience(services, 'https://short.example/api', 300);
    await addApi(services, 'https://orders.example/', { ttlSeconds: 600, host: 'orders.example.com', pathPrefix: '/v1', platforms: ['acme'], credentialKinds: ['api_key'] });
    await addApi(services, 'https://open.example/', {});
    for (const browser of [ann, bob]) {
      const response = await browser.get('/audiences');
      expect({ status: response.statusCode, body: response.json() }).toStrictEqual({
        status: 200,
        body: {
          audiences: [
            { url: env.config.audience, ttlSeconds: 86_400, default: true, api: null },
            { url: 'https://open.example/', ttlSeconds: 86_400, default: false, api: { host: null, pathPrefix: '/', platforms: null, credentialKinds: null } },
            {
              url: 'https://orders.example/',
              ttlSeconds: 600,
              default: false,
              api: { host: 'orders.example.com', pathPrefix: '/v1', platforms: ['acme'], credentialKinds: ['api_key'] },
            },
            { url: 'https://short.example/api', ttlSeconds: 300, default: false, api: null },
          ],
        },
      });
    }
  });
});
