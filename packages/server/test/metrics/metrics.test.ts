import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src/services.js';
import { postForm, requestToken, wrongByOneCharacter } from '../support/oauth.js';
import { startDeployment } from '../support/bootstrap.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';
import { createTenant, get, postJson, type Tenant } from '../support/tenants.js';

/**
 * One sample line of the text format: name, optional labels, value (prom-client writes no timestamps).
 * Values are Go floats, NaN and Inf in any case (prom-client writes `Nan`).
 */
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|(?:nan|[+-]inf))$/i;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/gy;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text exposition format strictly: every line a HELP or TYPE comment, a sample, or empty (prom-client separates the families with one). */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  const lines = text.split('\n');
  expect(lines.at(-1)).toBe('');
  for (const line of lines.slice(0, -1)) {
    if (line === '') continue;
    if (/^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$/.test(line)) continue;
    const match = SAMPLE.exec(line);
    expect(match, `not a sample line: ${line}`).not.toBeNull();
    const labels: Record<string, string> = {};
    const raw = match![2] ?? '';
    LABEL.lastIndex = 0;
    let consumed = 0;
    for (let label = LABEL.exec(raw); label; label = LABEL.exec(raw)) {
      labels[label[1]!] = label[2]!;
      consumed = LABEL.lastIndex;
    }
    expect(consumed, `labels not parsed: ${line}`).toBe(raw.length);
    samples.push({ name: match![1]!, labels, value: Number(match![3]) });
  }
  return samples;
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && JSON.stringify(s.labels) === JSON.stringify(labels))?.value;
}

async function scrape(app: FastifyInstance): Promise<{ text: string; samples: Sample[] }> {
  const response = await app.inject({ method: 'GET', url: '/metrics' });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  expect(response.headers['cache-control']).toBe('no-store');
  return { text: response.body, samples: parseExposition(response.body) };
}

describe.each(STORE_KINDS)('GET /metrics after a scripted series of requests (%s)', (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;
  let acme: Tenant;
  let text: string;
  let samples: Sample[];
  const customerId = 'cust-4f9a2c-private';
  const wrongKey = () => `Basic ${Buffer.from(`acme:${wrongByOneCharacter(acme.apiKey)}`).toString('base64')}`;

  beforeAll(async () => {
    ({ env, app, services } = await startDeployment({ store }));
    // One token issued (POST /oauth/token, 200).
    acme = await createTenant(app, services, 'acme');
    const client = { platformName: 'acme', name: 'acme client', client_id: acme.clientId, client_secret: acme.clientSecret };
    // Refused by the quota (400).
    expect((await requestToken(app, client)).statusCode).toBe(400);
    // A wrong secret (401 invalid_client), and no credentials at all (401).
    expect((await requestToken(app, { ...client, client_secret: wrongByOneCharacter(acme.clientSecret) })).statusCode).toBe(401);
    expect((await postForm(app, '/oauth/token', 'grant_type=client_credentials')).statusCode).toBe(401);
    // Bearer and Basic, each verified once (miss) then served from memory (hit).
    for (const credential of [acme.bearer, acme.bearer, acme.basic, acme.basic]) {
      expect((await get(app, '/raas/v2/whoami', credential)).statusCode).toBe(200);
    }
    // A wrong API key (401, a miss), and no credentials (401, before any lookup).
    expect((await get(app, '/raas/v2/whoami', wrongKey())).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/raas/v2/whoami' })).statusCode).toBe(401);
    // An id in the path, created (201), read (200), created again (409: a conflict, not a store error).
    const body = { customerIdentifier: customerId, displayName: 'Private' };
    expect((await postJson(app, '/raas/v2/customers', acme.bearer, body)).statusCode).toBe(201);
    expect((await get(app, `/raas/v2/customers/${customerId}`, acme.bearer)).statusCode).toBe(200);
    expect((await postJson(app, '/raas/v2/customers', acme.bearer, body)).statusCode).toBe(409);
    // A path no route matches, holding a token.
    expect((await app.inject({ method: 'GET', url: `/nowhere/${acme.token}` })).statusCode).toBe(404);
    ({ text, samples } = await scrape(app));
  });
  afterAll(async () => env?.close());

  it('counts tokens issued, quota refusals and authentication failures by reason', () => {
    expect(value(samples, 'tessera_tokens_issued_total', { grant_type: 'client_credentials' })).toBe(1);
    expect(value(samples, 'tessera_token_quota_refusals_total')).toBe(1);
    const failures = samples.filter((s) => s.name === 'tessera_authentication_failures_total' && s.value > 0).map((s) => [s.labels, s.value]);
    expect(failures).toStrictEqual([
      [{ endpoint: 'oauth', reason: 'no_credentials' }, 1],
      [{ endpoint: 'oauth', reason: 'wrong_secret' }, 1],
      [{ endpoint: 'api', reason: 'credentials_required' }, 1],
      [{ endpoint: 'api', reason: 'invalid_credentials' }, 1],
    ]);
    // Every reason is there from the start, at zero.
    expect(value(samples, 'tessera_authentication_failures_total', { endpoint: 'api', reason: 'throttled' })).toBe(0);
  });

  it("counts the guard's credential cache hits and misses", () => {
    // Misses: the first Bearer, the first Basic, the wrong key. Hits: the second of each, and the three
    // customer requests with the token already verified.
    expect(value(samples, 'tessera_credential_cache_lookups_total', { result: 'hit' })).toBe(5);
    expect(value(samples, 'tessera_credential_cache_lookups_total', { result: 'miss' })).toBe(3);
  });

  it('counts requests by method, route pattern and status, with a latency histogram by route', () => {
    const requests = samples.filter((s) => s.name === 'tessera_http_requests_total').map((s) => [s.labels, s.value]);
    expect(requests).toStrictEqual([
      [{ method: 'POST', route: '/oauth/token', status_code: '200' }, 1],
      [{ method: 'POST', route: '/oauth/token', status_code: '400' }, 1],
      [{ method: 'POST', route: '/oauth/token', status_code: '401' }, 2],
      [{ method: 'GET', route: '/raas/v2/whoami', status_code: '200' }, 4],
      [{ method: 'GET', route: '/raas/v2/whoami', status_code: '401' }, 2],
      [{ method: 'POST', route: '/raas/v2/customers', status_code: '201' }, 1],
      [{ method: 'POST', route: '/raas/v2/customers', status_code: '409' }, 1],
      [{ method: 'GET', route: '/raas/v2/customers/:customerIdentifier', status_code: '200' }, 1],
      [{ method: 'GET', route: 'unmatched', status_code: '404' }, 1],
    ]);
    expect(value(samples, 'tessera_http_request_duration_seconds_count', { method: 'GET', route: '/raas/v2/whoami' })).toBe(6);
    expect(value(samples, 'tessera_http_request_duration_seconds_bucket', { le: '+Inf', method: 'GET', route: '/raas/v2/whoami' })).toBe(6);
    expect(value(samples, 'tessera_http_request_duration_seconds_count', { method: 'GET', route: '/raas/v2/customers/:customerIdentifier' })).toBe(1);
  });

  it('writes the text format as prom-client does, with the process metrics', () => {
    expect(text).toContain(
      '# HELP tessera_token_quota_refusals_total Token requests refused by the issuance quota.\n' +
        '# TYPE tessera_token_quota_refusals_total counter\n' +
        'tessera_token_quota_refusals_total 1\n',
    );
    expect(text).toContain('# TYPE tessera_http_request_duration_seconds histogram\n');
    expect(text).toContain('tessera_tokens_issued_total{grant_type="client_credentials"} 1\n');
    expect(text).toContain('# TYPE process_cpu_user_seconds_total counter\n');
    expect(value(samples, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(value(samples, 'tessera_store_errors_total')).toBe(0);
    expect(value(samples, 'tessera_redis_errors_total')).toBe(0);
  });

  it('holds no secret, token, client id or raw path in any label', () => {
    const labelValues = new Set(samples.flatMap((s) => Object.values(s.labels)));
    for (const secret of [acme.clientSecret, acme.token, acme.apiKey, acme.clientId, acme.apiKeyId, customerId, 'acme']) {
      expect(text).not.toContain(secret);
      for (const label of labelValues) expect(label).not.toContain(secret);
    }
    const routes = new Set(samples.filter((s) => s.labels.route !== undefined).map((s) => s.labels.route));
    expect([...routes].sort()).toStrictEqual(['/oauth/token', '/raas/v2/customers', '/raas/v2/customers/:customerIdentifier', '/raas/v2/whoami', 'unmatched']);
  });

  it('counts a failed query as a store error', async () => {
    await expect(services.database.db.selectFrom('no_such_table' as never).selectAll().execute()).rejects.toThrow();
    const { samples: after } = await scrape(app);
    expect(value(after, 'tessera_store_errors_total')).toBe(1);
  });
});

describe('metrics settings', () => {
  let env: TestEnvironment;
  beforeAll(async () => {
    ({ env } = await startDeployment());
  });
  afterAll(async () => env?.close());

  it('TESSERA_METRICS=false serves no /metrics and counts nothing', async () => {
    const { app, services } = await env.app({ metrics: false });
    expect(services.exporter).toBeUndefined();
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toStrictEqual({ error: 'not_found', message: 'No route GET /metrics' });
  });

  it('two apps in one process keep registries of their own', async () => {
    const first = await env.app();
    const second = await env.app();
    await first.app.inject({ method: 'GET', url: '/healthz' });
    const one = parseExposition((await first.app.inject({ method: 'GET', url: '/metrics' })).body);
    const other = parseExposition((await second.app.inject({ method: 'GET', url: '/metrics' })).body);
    expect(value(one, 'tessera_http_requests_total', { method: 'GET', route: '/healthz', status_code: '200' })).toBe(1);
    expect(value(other, 'tessera_http_requests_total', { method: 'GET', route: '/healthz', status_code: '200' })).toBeUndefined();
  });

  it('counts Redis errors', async () => {
    // Nothing listens on port 1: every connection attempt fails.
    const services = await env.open({ redisUrl: 'redis://127.0.0.1:1' });
    const { samples } = { samples: parseExposition((await services.exporter!.exposition()).body) };
    expect(value(samples, 'tessera_redis_errors_total')).toBeGreaterThanOrEqual(1);
  });
});
