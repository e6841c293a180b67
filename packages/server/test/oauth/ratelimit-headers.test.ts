import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rateLimitHeaders } from '../../src/oauth/ratelimit-headers.js';
import type { Services } from '../../src/services.js';
import { startDeployment } from '../support/bootstrap.js';
import { basicTokenRequest, rateLimitAnswer, requestToken } from '../support/oauth.js';
import { HOUR, type TestEnvironment } from '../support/services.js';
import { createTestClient } from '../support/tenants.js';

describe('rateLimitHeaders (draft-ietf-httpapi-ratelimit-headers-11 §3, §4)', () => {
  it('renders each limit as a Structured Fields item of its policy, in one list per field', () => {
    expect(rateLimitHeaders([{ policy: 'quota', quota: 1, windowSeconds: 72000, remaining: 0, resetSeconds: 3600 }])).toEqual({
      'RateLimit-Policy': '"quota";q=1;w=72000',
      RateLimit: '"quota";r=0;t=3600',
    });
    // More policies, as per-client limits will add: one item each; t left out when undefined (it is OPTIONAL).
    expect(
      rateLimitHeaders([
        { policy: 'rate', quota: 100, windowSeconds: 1, remaining: 99, resetSeconds: 1 },
        { policy: 'per-hour', quota: 50, windowSeconds: 3600, remaining: 50 },
      ]),
    ).toEqual({ 'RateLimit-Policy': '"rate";q=100;w=1, "per-hour";q=50;w=3600', RateLimit: '"rate";r=99;t=1, "per-hour";r=50' });
  });

  it('sends no field when no limit applies, and keeps every value a valid sf-string or non-negative integer', () => {
    expect(rateLimitHeaders([])).toEqual({});
    expect(rateLimitHeaders([{ policy: 'a"b\\c\n', quota: 2.7, windowSeconds: 0, remaining: -1, resetSeconds: 0.5 }])).toEqual({
      'RateLimit-Policy': '"a\\"b\\\\c?";q=2;w=1',
      RateLimit: '"a\\"b\\\\c?";r=0;t=0',
    });
  });
});

describe('the quota policy (the default): its answers unchanged, with the RateLimit fields', () => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;

  beforeAll(async () => {
    ({ env, app, services } = await startDeployment());
  });
  afterAll(async () => env?.close());

  it('says r=1 before the token, r=0 with the whole interval on the grant, and the time left on each refusal', async () => {
    const client = await createTestClient(services, 'quota-fields', 'Quota');
    // Authenticated, refused for its scope: its token of the interval is still to take.
    expect(rateLimitAnswer(await requestToken(app, client, { scope: 'nope' }))).toEqual({ status: 400, retryAfter: undefined, policy: '"quota";q=1;w=72000', rateLimit: '"quota";r=1' });

    const granted = await requestToken(app, client);
    expect(rateLimitAnswer(granted)).toEqual({ status: 200, retryAfter: undefined, policy: '"quota";q=1;w=72000', rateLimit: '"quota";r=0;t=72000' });

    env.clock.advance(HOUR);
    const refused = await requestToken(app, client);
    expect(rateLimitAnswer(refused)).toEqual({ status: 400, retryAfter: '68400', policy: '"quota";q=1;w=72000', rateLimit: '"quota";r=0;t=68400' });
    expect(refused.json()).toStrictEqual({ error: 'rate_limit_exceeded', error_description: `Client Quota ${client.client_id} has exceeded the daily rate limit` });
    // Refused before its body is read, with the Basic header: the same fields.
    expect(rateLimitAnswer(await basicTokenRequest(app, client))).toEqual({ status: 400, retryAfter: '68400', policy: '"quota";q=1;w=72000', rateLimit: '"quota";r=0;t=68400' });

    env.clock.advance(19 * HOUR - 1000);
    expect(rateLimitAnswer(await requestToken(app, client))).toMatchObject({ status: 400, retryAfter: '1', rateLimit: '"quota";r=0;t=1' });
    env.clock.advance(1000);
    expect(rateLimitAnswer(await requestToken(app, client))).toMatchObject({ status: 200, rateLimit: '"quota";r=0;t=72000' });
  });

  it('says the same when a concurrent request took the token first (the store’s claim refuses)', async () => {
    const client = await createTestClient(services, 'quota-race', 'Race');
    const responses = await Promise.all(Array.from({ length: 4 }, () => requestToken(app, client)));
    expect(responses.filter((r) => r.statusCode === 200)).toHaveLength(1);
    for (const response of responses.filter((r) => r.statusCode !== 200)) {
      expect(rateLimitAnswer(response)).toEqual({ status: 400, retryAfter: '72000', policy: '"quota";q=1;w=72000', rateLimit: '"quota";r=0;t=72000' });
    }
  });

  it('sends no field with the quota turned off (TESSERA_QUOTA_INTERVAL=0): no limit applies', async () => {
    const off = await env.app({ quotaIntervalSeconds: 0 });
    const client = await createTestClient(off.services, 'quota-off', 'Off');
    for (let i = 0; i < 2; i++) expect(rateLimitAnswer(await requestToken(off.app, client))).toEqual({ status: 200, retryAfter: undefined, policy: undefined, rateLimit: undefined });
  });
});

describe.each([
  {
    tokenPolicy: 'quota' as const,
    metadata: { policy: 'quota', tokens_per_interval: 1, interval_seconds: 72000, client_limits: { windows: ['hour', 'day'], default: null } },
    says: ['A client gets one new token per 20 hours', '`RateLimit-Policy: "quota";q=1;w=72000`'],
    headline: '**One token per 20 hours.**',
  },
  {
    tokenPolicy: 'rate' as const,
    metadata: { policy: 'rate', requests_per_second: 100, client_limits: { windows: ['hour', 'day'], default: null } },
    says: ['A client may ask for a token up to 100 times per second', 'HTTP 429 `rate_limit_exceeded`', '`RateLimit-Policy: "rate";q=100;w=1`'],
    headline: '**Up to 100 token requests per second.**',
  },
])('the metadata and the console under TESSERA_TOKEN_POLICY=$tokenPolicy', ({ tokenPolicy, metadata, says, headline }) => {
  let env: TestEnvironment;
  let app: FastifyInstance;

  beforeAll(async () => {
    ({ env, app } = await startDeployment({ config: { tokenPolicy } }));
  });
  afterAll(async () => env?.close());

  it('tells the policy in force in the metadata (an RFC 8414 §2 extension)', async () => {
    const response = await app.inject('/.well-known/oauth-authorization-server');
    expect(response.statusCode).toBe(200);
    expect(response.json().tessera_token_policy).toStrictEqual(metadata);
  });

  it('tells it, and the RateLimit fields, in the console’s token operation and how-to', async () => {
    const doc = (await app.inject('/openapi.json')).json();
    const operation = doc.paths['/oauth/token'].post;
    for (const words of says) expect(operation.description).toContain(words);
    expect(operation.description).toContain('Every answer to an authenticated client, granted or refused, says where it stands');
    expect(doc.info.description).toContain(headline);
    if (tokenPolicy === 'rate') {
      expect(operation.responses['429'].description).toContain('rate_limit_exceeded: more than 100 token requests of your client within one second');
      expect(operation.responses['400'].description).not.toContain('rate_limit_exceeded');
    } else {
      expect(operation.responses['400'].description).toContain('rate_limit_exceeded');
    }
  });
});
