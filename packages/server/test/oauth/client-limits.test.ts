import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearClientLimits, setClientLimits } from '../../src/credentials/client-token-limits.js';
import type { Services } from '../../src/services.js';
import type { AuditEntry } from '../../src/store/audit-log.js';
import { FLEET_DEPLOYMENTS, startFleet } from '../support/bootstrap.js';
import { basicTokenRequest, rateLimitAnswer, requestToken, tokenAnswerWithin } from '../support/oauth.js';
import { HOUR, type TestEnvironment } from '../support/services.js';
import { createTestClient } from '../support/tenants.js';

const DAY = 24 * HOUR;

/** Seconds from `now` to the end of its fixed window of `windowMs` (the clock's UTC hour or day). */
function toWindowEnd(now: number, windowMs: number): number {
  return Math.ceil(((Math.floor(now / windowMs) + 1) * windowMs - now) / 1000);
}

/** The platform's audit entries by action. */
async function auditActions(services: Services, platformName: string): Promise<Record<string, number>> {
  const platform = await services.platforms.findByName(platformName);
  const counts: Record<string, number> = {};
  for (const { action } of (await services.auditLog.chain(platform!.id)) as AuditEntry[]) counts[action] = (counts[action] ?? 0) + 1;
  return counts;
}

/** The sum over the instances of a metric's sample. */
async function metricSum(services: Services[], sample: string): Promise<number> {
  let sum = 0;
  for (const instance of services) {
    const body = (await instance.exporter!.exposition()).body;
    const line = body.split('\n').find((l) => l.startsWith(`${sample} `));
    sum += line ? Number(line.split(' ')[1]) : 0;
  }
  return sum;
}

describe.each(FLEET_DEPLOYMENTS)('per-client token limits under the rate policy ($name)', (deployment) => {
  let env: TestEnvironment;
  let apps: FastifyInstance[];
  let services: Services[];

  beforeAll(async () => {
    if (deployment.skip) return;
    // The rate high, so that it never hides the limits; a default of 5 per hour, enforced, for every client.
    ({ env, apps, services } = await startFleet(deployment, { tokenPolicy: 'rate', tokenRate: 1000, clientTokensPerHour: 5, metrics: true }));
  });
  afterAll(async () => env?.close());

  it.skipIf(deployment.skip)('enforces a client’s own limit per hour across the instances: exactly 3 of 8 concurrent requests, then 429 until the next hour', async () => {
    const client = await createTestClient(services[0]!, 'limit-hour', 'Hourly');
    await setClientLimits(services[0]!, client.client_id, { per_hour: 3, mode: 'enforce' });
    const hourEnd = toWindowEnd(env.clock.now(), HOUR);
    const responses = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? basicTokenRequest : requestToken)(apps[i % apps.length]!, client)));
    const granted = responses.filter((response) => response.statusCode === 200);
    const refused = responses.filter((response) => response.statusCode !== 200);
    expect(granted).toHaveLength(3);
    expect(refused).toHaveLength(5);
    // Each grant was told its standing: 2, 1, 0 tokens left in the hour, in whatever order they were counted.
    expect(granted.map((response) => String(response.headers['ratelimit']).split(', ')[1]).sort()).toEqual([0, 1, 2].map((r) => `"hour";r=${r};t=${hourEnd}`));
    for (const response of [...granted, ...refused]) expect(response.headers['ratelimit-policy']).toBe('"rate";q=1000;w=1, "hour";q=3;w=3600');
    for (const response of refused) {
      expect(rateLimitAnswer(response)).toEqual({
        status: 429,
        retryAfter: String(hourEnd),
        policy: '"rate";q=1000;w=1, "hour";q=3;w=3600',
        rateLimit: expect.stringMatching(new RegExp(`^"rate";r=99\\d;t=1, "hour";r=0;t=${hourEnd}$`)),
      });
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.json()).toStrictEqual({
        error: 'rate_limit_exceeded',
        error_description: `Client Hourly ${client.client_id} has exceeded its limit of 3 tokens per hour`,
      });
    }
    // Recorded like the policy's refusals: one token_refused entry a minute, every refusal counted.
    expect(await auditActions(services[0]!, 'limit-hour')).toEqual({ generate: 1, client_limits_changed: 1, token_issued: 3, token_refused: 1 });
    expect(await metricSum(services, 'tessera_token_policy_refusals_total{policy="client_limit"}')).toBe(5);

    // Refused on every instance until the hour is over; granted again in the next one.
    env.clock.advance(hourEnd * 1000 - 1000);
    for (const app of apps) expect(rateLimitAnswer(await requestToken(app, client))).toMatchObject({ status: 429, retryAfter: '1' });
    env.clock.advance(1000);
    const next = await requestToken(apps.at(-1)!, client);
    expect(rateLimitAnswer(next)).toEqual({ status: 200, retryAfter: undefined, policy: '"rate";q=1000;w=1, "hour";q=3;w=3600', rateLimit: expect.stringMatching(/, "hour";r=2;t=3600$/) });
  });

  it.skipIf(deployment.skip)('enforces a limit per day, whatever the hours, with Retry-After to the end of the UTC day', async () => {
    const client = await createTestClient(services[0]!, 'limit-day', 'Daily');
    await setClientLimits(services[0]!, client.client_id, { per_day: 2 });
    expect((await requestToken(apps[0]!, client)).statusCode).toBe(200);
    env.clock.advance(HOUR);
    const second = await requestToken(apps.at(-1)!, client);
    const dayEnd = toWindowEnd(env.clock.now(), DAY);
    expect(rateLimitAnswer(second)).toMatchObject({ status: 200, policy: '"rate";q=1000;w=1, "day";q=2;w=86400', rateLimit: expect.stringMatching(new RegExp(`, "day";r=0;t=${dayEnd}$`)) });
    env.clock.advance(HOUR);
    const refused = await requestToken(apps[0]!, client);
    expect(rateLimitAnswer(refused)).toMatchObject({ status: 429, retryAfter: String(dayEnd - 3600) });
    expect(refused.json()).toStrictEqual({ error: 'rate_limit_exceeded', error_description: `Client Daily ${client.client_id} has exceeded its limit of 2 tokens per day` });
    // The next UTC day grants again.
    env.clock.advance((dayEnd - 3600) * 1000);
    expect(rateLimitAnswer(await requestToken(apps.at(-1)!, client))).toMatchObject({ status: 200, rateLimit: expect.stringMatching(/, "day";r=1;t=86400$/) });
  });

  it.skipIf(deployment.skip)('applies the default to a client without limits of its own; its own replace it; cleared, the default applies again', async () => {
    const client = await createTestClient(services[0]!, 'limit-default', 'Defaulted');
    const hourEnd = toWindowEnd(env.clock.now(), HOUR);
    for (let i = 0; i < 5; i++) expect((await requestToken(apps[i % apps.length]!, client)).statusCode).toBe(200);
    const sixth = await requestToken(apps[0]!, client);
    expect(rateLimitAnswer(sixth)).toMatchObject({ status: 429, policy: '"rate";q=1000;w=1, "hour";q=5;w=3600' });
    expect(sixth.json().error_description).toBe(`Client Defaulted ${client.client_id} has exceeded its limit of 5 tokens per hour`);

    // Its own limit of 7 beats the default of 5, on every instance (told by the announcement).
    await setClientLimits(services[0]!, client.client_id, { per_hour: 7 });
    for (const app of apps) {
      const response = await tokenAnswerWithin(app, client, (r) => r.statusCode === 200);
      expect(response.headers['ratelimit-policy']).toBe('"rate";q=1000;w=1, "hour";q=7;w=3600');
    }
    // Cleared: the default again, and the tokens of the hour still counted.
    await clearClientLimits(services[0]!, client.client_id);
    for (const app of apps) {
      const response = await tokenAnswerWithin(app, client, (r) => r.statusCode === 429);
      expect(rateLimitAnswer(response)).toMatchObject({ retryAfter: String(hourEnd), policy: '"rate";q=1000;w=1, "hour";q=5;w=3600' });
    }
  });

  it.skipIf(deployment.skip)('counts only tokens granted: a request refused by the rate, or by its parameters, gives its count back', async () => {
    const client = await createTestClient(services[0]!, 'limit-count', 'Counted');
    await setClientLimits(services[0]!, client.client_id, { per_hour: 2 });
    const hourEnd = toWindowEnd(env.clock.now(), HOUR);
    const badScope = await requestToken(apps[0]!, client, { scope: 'nope' });
    expect(badScope.statusCode).toBe(400);
    expect(badScope.headers['ratelimit']).toMatch(new RegExp(`, "hour";r=2;t=${hourEnd}$`));
    expect((await requestToken(apps.at(-1)!, client)).headers['ratelimit']).toMatch(new RegExp(`, "hour";r=1;t=${hourEnd}$`));
    expect((await requestToken(apps[0]!, client)).headers['ratelimit']).toMatch(new RegExp(`, "hour";r=0;t=${hourEnd}$`));
  });
});

describe.each(FLEET_DEPLOYMENTS)('per-client token limits under the quota policy ($name)', (deployment) => {
  let env: TestEnvironment;
  let apps: FastifyInstance[];
  let services: Services[];

  beforeAll(async () => {
    if (deployment.skip) return;
    ({ env, apps, services } = await startFleet(deployment, { clientTokensPerHour: 5 }));
  });
  afterAll(async () => env?.close());

  it.skipIf(deployment.skip)('reports both in the fields; a request the quota refuses is not counted', async () => {
    const client = await createTestClient(services[0]!, 'limit-quota', 'Quota');
    const hourEnd = toWindowEnd(env.clock.now(), HOUR);
    const granted = await requestToken(apps[0]!, client);
    expect(rateLimitAnswer(granted)).toEqual({ status: 200, retryAfter: undefined, policy: '"quota";q=1;w=72000, "hour";q=5;w=3600', rateLimit: `"quota";r=0;t=72000, "hour";r=4;t=${hourEnd}` });
    for (const [app, request] of [
      [apps.at(-1)!, requestToken],
      [apps[0]!, basicTokenRequest],
    ] as const) {
      const refused = await request(app, client);
      expect(rateLimitAnswer(refused)).toEqual({ status: 400, retryAfter: '72000', policy: '"quota";q=1;w=72000, "hour";q=5;w=3600', rateLimit: `"quota";r=0;t=72000, "hour";r=4;t=${hourEnd}` });
      expect(refused.json().error_description).toBe(`Client Quota ${client.client_id} has exceeded the daily rate limit`);
    }
  });
});

describe.each(FLEET_DEPLOYMENTS)('observed per-client token limits ($name)', (deployment) => {
  let env: TestEnvironment;
  let apps: FastifyInstance[];
  let services: Services[];

  beforeAll(async () => {
    if (deployment.skip) return;
    ({ env, apps, services } = await startFleet(deployment, { tokenPolicy: 'rate', clientTokensPerHour: 2, clientTokenLimitMode: 'observe', metrics: true }));
  });
  afterAll(async () => env?.close());

  it.skipIf(deployment.skip)('issues tokens past the limit, records it once per window in the audit log, and counts each in the metric', async () => {
    const client = await createTestClient(services[0]!, 'limit-observe', 'Observed');
    const hourEnd = toWindowEnd(env.clock.now(), HOUR);
    const responses = [];
    for (let i = 0; i < 5; i++) responses.push(await requestToken(apps[i % apps.length]!, client));
    expect(responses.map((response) => response.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(responses.map((response) => String(response.headers['ratelimit']).split(', ')[1])).toEqual([1, 0, 0, 0, 0].map((r) => `"hour";r=${r};t=${hourEnd}`));
    expect(await auditActions(services[0]!, 'limit-observe')).toEqual({ generate: 1, token_issued: 5, token_limit_observed: 1 });
    expect(await metricSum(services, 'tessera_token_limit_observed_total{window="hour"}')).toBe(3);
    expect(await metricSum(services, 'tessera_token_limit_observed_total{window="day"}')).toBe(0);
    const platform = await services[0]!.platforms.findByName('limit-observe');
    const observed = ((await services[0]!.auditLog.chain(platform!.id)) as AuditEntry[]).find((entry) => entry.action === 'token_limit_observed');
    expect(observed).toMatchObject({ actor: client.client_id, target_id: client.client_id, outcome: 'success', at: env.clock.now() });

    // The next hour is another window: one more entry once its limit is passed again.
    env.clock.advance(hourEnd * 1000);
    for (let i = 0; i < 3; i++) expect((await requestToken(apps[i % apps.length]!, client)).statusCode).toBe(200);
    expect(await auditActions(services[0]!, 'limit-observe')).toEqual({ generate: 1, token_issued: 8, token_limit_observed: 2 });
    expect(await metricSum(services, 'tessera_token_limit_observed_total{window="hour"}')).toBe(4);
  });
});
