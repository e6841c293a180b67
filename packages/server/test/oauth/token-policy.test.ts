import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oauthClients } from '../../src/credentials/oauth-clients.js';
import type { Services } from '../../src/services.js';
import type { AuditEntry } from '../../src/store/audit-log.js';
import { FLEET_DEPLOYMENTS, startDeployment, startFleet } from '../support/bootstrap.js';
import { basicTokenRequest, rateLimitAnswer, requestToken } from '../support/oauth.js';
import type { TestEnvironment } from '../support/services.js';
import { createTestClient } from '../support/tenants.js';

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

/** Counts of the platform's audit entries by action. */
async function auditActions(services: Services, platformName: string): Promise<Record<string, number>> {
  const platform = await services.platforms.findByName(platformName);
  const counts: Record<string, number> = {};
  for (const { action } of (await services.auditLog.chain(platform!.id)) as AuditEntry[]) counts[action] = (counts[action] ?? 0) + 1;
  return counts;
}

describe.each(FLEET_DEPLOYMENTS)('TESSERA_TOKEN_POLICY=rate, TESSERA_TOKEN_RATE=5 ($name)', (deployment) => {
  let env: TestEnvironment;
  let apps: FastifyInstance[];
  let services: Services[];

  beforeAll(async () => {
    if (deployment.skip) return;
    ({ env, apps, services } = await startFleet(deployment, { tokenPolicy: 'rate', tokenRate: 5 }));
  });
  afterAll(async () => env?.close());

  it.skipIf(deployment.skip)('grants exactly 5 of 12 concurrent requests spread over the instances, refuses 7 with 429, and grants again the next second', async () => {
    const client = await createTestClient(services[0]!, 'rate-burst', 'Burst');
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? basicTokenRequest : requestToken)(apps[i % apps.length]!, client)),
    );
    const granted = responses.filter((response) => response.statusCode === 200);
    const refused = responses.filter((response) => response.statusCode !== 200);
    expect(granted).toHaveLength(5);
    expect(refused).toHaveLength(7);
    for (const response of granted) {
      expect(response.headers).toMatchObject({ ...NO_STORE, 'ratelimit-policy': '"rate";q=5;w=1' });
      expect(response.headers['ratelimit']).toMatch(/^"rate";r=[0-4];t=1$/);
      expect(response.json()).toMatchObject({ token_type: 'Bearer', expires_in: 86400, scope: 'raas.all' });
    }
    // Each grant was told a different remaining count: 4, 3, 2, 1, 0, in whatever order they were counted.
    expect(granted.map((response) => response.headers['ratelimit']).sort()).toEqual([0, 1, 2, 3, 4].map((r) => `"rate";r=${r};t=1`));
    for (const response of refused) {
      expect(rateLimitAnswer(response)).toEqual({ status: 429, retryAfter: '1', policy: '"rate";q=5;w=1', rateLimit: '"rate";r=0;t=1' });
      expect(response.headers).toMatchObject(NO_STORE);
      expect(response.json()).toStrictEqual({
        error: 'rate_limit_exceeded',
        error_description: `Client Burst ${client.client_id} has exceeded 5 token requests per second`,
      });
    }
    // Every grant was recorded with its token_issued entry; the refusals once (a minute's window).
    expect(await auditActions(services[0]!, 'rate-burst')).toEqual({ generate: 1, token_issued: 5, token_refused: 1 });
    // Counted where refused: the sum over the instances.
    let metrics = '';
    for (const instance of services) metrics += (await instance.exporter!.exposition()).body;
    const refusalsCounted = [...metrics.matchAll(/^tessera_token_policy_refusals_total\{policy="rate"\} (\d+)$/gm)].reduce((sum, [, n]) => sum + Number(n), 0);
    expect(refusalsCounted).toBe(7);
    expect(metrics).toContain('tessera_token_policy_refusals_total{policy="quota"} 0\n');

    // Still the same second: refused on every instance, before the body is read for a Basic client.
    for (const app of apps) expect(rateLimitAnswer(await basicTokenRequest(app, client))).toMatchObject({ status: 429, retryAfter: '1' });

    env.clock.advance(1000);
    const next = await requestToken(apps.at(-1)!, client);
    expect(rateLimitAnswer(next)).toEqual({ status: 200, retryAfter: undefined, policy: '"rate";q=5;w=1', rateLimit: '"rate";r=4;t=1' });
  });

  it.skipIf(deployment.skip)('never refuses with the interval quota: two tokens in a row for one client, and the clients view has no next-token time', async () => {
    const client = await createTestClient(services[0]!, 'rate-twice', 'Twice');
    const first = await requestToken(apps[0]!, client);
    const second = await requestToken(apps.at(-1)!, client);
    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    expect(first.json().access_token).not.toBe(second.json().access_token);
    expect(second.headers['ratelimit']).toBe('"rate";r=3;t=1');
    // The issuance is still recorded: the last token's time, and its audit entries.
    const row = await services[0]!.oauthClients.findWithPlatform(client.client_id);
    expect(row?.last_issued_at).toBe(env.clock.now());
    expect(await auditActions(services[0]!, 'rate-twice')).toEqual({ generate: 1, token_issued: 2 });
    const [view] = await oauthClients.list(services[0]!, 'rate-twice');
    expect(view).toMatchObject({ last_token_issued_at: new Date(env.clock.now()).toISOString(), next_token_at: null });
  });

  it.skipIf(deployment.skip)('counts each client apart, refused requests included, and a request that fails its parameters too', async () => {
    const [a, b] = [await createTestClient(services[0]!, 'rate-a', 'A'), await createTestClient(services[0]!, 'rate-b', 'B')];
    const badScope = await requestToken(apps[0]!, a, { scope: 'nope' });
    expect(rateLimitAnswer(badScope)).toEqual({ status: 400, retryAfter: undefined, policy: '"rate";q=5;w=1', rateLimit: '"rate";r=4;t=1' });
    for (let i = 0; i < 4; i++) expect((await requestToken(apps[0]!, a)).statusCode).toBe(200);
    expect((await requestToken(apps.at(-1)!, a)).statusCode).toBe(429);
    expect(rateLimitAnswer(await requestToken(apps.at(-1)!, b))).toMatchObject({ status: 200, rateLimit: '"rate";r=4;t=1' });
  });
});

describe('an unknown client under either policy', () => {
  it.each(['quota', 'rate'] as const)('gets no RateLimit field (%s): it has no partition to report', async (tokenPolicy) => {
    const { env, app } = await startDeployment({ config: { tokenPolicy } });
    try {
      const response = await requestToken(app, { client_id: 'cli_unknown', client_secret: 'tsc_secret_wrong' });
      expect(response.statusCode).toBe(401);
      expect(response.headers['ratelimit']).toBeUndefined();
      expect(response.headers['ratelimit-policy']).toBeUndefined();
    } finally {
      await env.close();
    }
  });
});
