import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { verifyAudit } from '../../src/audit/verify-audit.js';
import type { Services } from '../../src/services.js';
import type { AuditEntry } from '../../src/store/audit-log.js';
import { startDeployment } from '../support/bootstrap.js';
import { form } from '../support/oauth.js';
import { HOUR, skipReason, STORE_KINDS, type TestEnvironment } from '../support/services.js';
import { createTestClient, type TestClient } from '../support/tenants.js';

const FLEET_AGENT = 'fleet-sdk/1.0 (=cmd)';

/** A token request from a given address and user agent. */
function tokenRequest(app: FastifyInstance, client: TestClient, remoteAddress = '198.51.100.4') {
  return app.inject({
    method: 'POST',
    url: '/oauth/token',
    remoteAddress,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': FLEET_AGENT },
    payload: form({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret }),
  });
}

/** The platform's entries as the test expects them: without id and hashes. */
async function entries(services: Services, platformName: string) {
  const platform = await services.platforms.findByName(platformName);
  return (await services.auditLog.chain(platform!.id)).map(({ id: _id, hash: _hash, prev_hash: _prev, platform_id: _platform, ...rest }: AuditEntry) => rest);
}

describe.each(STORE_KINDS)('the token endpoint in the audit log (%s)', (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;

  beforeAll(async () => {
    ({ env, app, services } = await startDeployment({ store }));
  });
  afterAll(async () => env?.close());
  afterEach(() => vi.restoreAllMocks());

  const generated = (client: TestClient, at: number) => ({
    seq: 1,
    at,
    actor: 'cli',
    action: 'generate',
    target_id: client.client_id,
    source_address: null,
    user_agent: null,
    outcome: 'success',
  });
  const byClient = (client: TestClient, seq: number, at: number, action: string, outcome: string, address = '198.51.100.4') => ({
    seq,
    at,
    actor: client.client_id,
    action,
    target_id: client.client_id,
    source_address: address,
    user_agent: FLEET_AGENT,
    outcome,
  });

  it('records each token issued: the client as actor and target, its address and user agent', async () => {
    const client = await createTestClient(services);
    const t0 = env.clock.now();
    expect((await tokenRequest(app, client)).statusCode).toBe(200);
    env.clock.advance(20 * HOUR);
    expect((await tokenRequest(app, client, '203.0.113.9')).statusCode).toBe(200);
    expect(await entries(services, client.platformName)).toStrictEqual([
      generated(client, t0),
      byClient(client, 2, t0, 'token_issued', 'success'),
      byClient(client, 3, t0 + 20 * HOUR, 'token_issued', 'success', '203.0.113.9'),
    ]);
    expect((await verifyAudit(services)).ok).toBe(true);
  });

  it('chains an entry whose user agent JSON escapes (quotes, backslash, non-ASCII): on PostgreSQL the database hashes it', async () => {
    const client = await createTestClient(services);
    const agent = 'fleet "ünï" \\ sdk 🚀';
    const response = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': agent },
      payload: form({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret }),
    });
    expect(response.statusCode).toBe(200);
    const issued = (await entries(services, client.platformName)).filter((e) => e.action === 'token_issued');
    expect(issued.map((e) => e.user_agent)).toEqual([agent]);
    expect(await verifyAudit(services)).toMatchObject({ ok: true });
  });

  it('records quota refusals at most once per client per minute', async () => {
    const client = await createTestClient(services);
    const other = await createTestClient(services);
    const t0 = env.clock.now();
    expect((await tokenRequest(app, client)).statusCode).toBe(200);
    expect((await tokenRequest(app, other)).statusCode).toBe(200);
    for (const [advance, from] of [
      [1_000, '198.51.100.4'],
      [0, '198.51.100.5'],
      [59_999, '198.51.100.6'],
      [1, '198.51.100.7'],
      [30_000, '198.51.100.8'],
    ] as const) {
      env.clock.advance(advance);
      const refused = await tokenRequest(app, client, from);
      expect(refused.statusCode).toBe(400);
      expect(refused.json()).toStrictEqual({ error: 'rate_limit_exceeded', error_description: `Client Test client ${client.client_id} has exceeded the daily rate limit` });
    }
    // Another client's window is its own.
    expect((await tokenRequest(app, other)).statusCode).toBe(400);
    expect(await entries(services, client.platformName)).toStrictEqual([
      generated(client, t0),
      byClient(client, 2, t0, 'token_issued', 'success'),
      // The first refusal of each minute-long window: at +1 s, then at +61 s (the window began at +1 s).
      byClient(client, 3, t0 + 1_000, 'token_refused', 'failure'),
      byClient(client, 4, t0 + 61_000, 'token_refused', 'failure', '198.51.100.7'),
    ]);
    expect((await entries(services, other.platformName)).map((e) => [e.seq, e.action, e.outcome, e.at])).toStrictEqual([
      [1, 'generate', 'success', t0],
      [2, 'token_issued', 'success', t0],
      [3, 'token_refused', 'failure', t0 + 91_000],
    ]);
    expect((await verifyAudit(services)).ok).toBe(true);
  });

  it('asks the shared counter once per window: the rest of the minute’s refusals are answered from memory', async () => {
    const client = await createTestClient(services);
    expect((await tokenRequest(app, client)).statusCode).toBe(200);
    const hits = vi.spyOn(services.cache, 'hit');
    const counted = () => hits.mock.calls.filter(([key]) => key === `audit:token_refused:${client.client_id}`).length;
    for (let i = 0; i < 5; i++) expect((await tokenRequest(app, client)).statusCode).toBe(400);
    expect(counted()).toBe(1);
    env.clock.advance(60_000);
    expect((await tokenRequest(app, client)).statusCode).toBe(400);
    expect(counted()).toBe(2);
    expect((await entries(services, client.platformName)).filter((e) => e.action === 'token_refused')).toHaveLength(2);
  });

  it('records one issuance for concurrent requests to two instances, with the one token', async () => {
    const client = await createTestClient(services);
    const { app: second } = await env.app();
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => tokenRequest(i % 2 ? app : second, client)));
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, ...Array(9).fill(400)]);
    const actions = (await entries(services, client.platformName)).map((e) => e.action);
    expect(actions.filter((a) => a === 'token_issued')).toHaveLength(1);
    // Each instance's in-process cache keeps its own minute: one refusal entry per instance at most.
    expect(actions.filter((a) => a === 'token_refused').length).toBeGreaterThanOrEqual(1);
    expect(actions.filter((a) => a === 'token_refused').length).toBeLessThanOrEqual(2);
    expect((await verifyAudit(services)).ok).toBe(true);
  });

  it('commits a token with its entry: when the entry cannot be written, no token is sent and the quota is not spent', async () => {
    const client = await createTestClient(services);
    const db = services.database.db;
    await sql`alter table audit_log rename to audit_log_away`.execute(db);
    let failed;
    try {
      failed = await tokenRequest(app, client);
    } finally {
      await sql`alter table audit_log_away rename to audit_log`.execute(db);
    }
    expect(failed.statusCode).toBe(500);
    expect(failed.json()).toStrictEqual({ error: 'server_error', error_description: 'The server could not complete the request' });
    expect((await services.oauthClients.find(client.client_id))?.last_issued_at).toBeNull();
    expect((await entries(services, client.platformName)).map((e) => e.action)).toEqual(['generate']);
    expect((await tokenRequest(app, client)).statusCode).toBe(200);
  });

  it('still refuses with 400 when the refusal cannot be recorded (the cache or the store away)', async () => {
    const client = await createTestClient(services);
    expect((await tokenRequest(app, client)).statusCode).toBe(200);
    vi.spyOn(services.cache, 'hit').mockRejectedValue(new Error('Redis is away'));
    const refused = await tokenRequest(app, client);
    expect({ status: refused.statusCode, body: refused.json() }).toStrictEqual({
      status: 400,
      body: { error: 'rate_limit_exceeded', error_description: `Client Test client ${client.client_id} has exceeded the daily rate limit` },
    });
    vi.restoreAllMocks();
    vi.spyOn(services.auditLog, 'append').mockRejectedValue(new Error('the store is away'));
    expect((await tokenRequest(app, client)).statusCode).toBe(400);
    expect((await entries(services, client.platformName)).map((e) => e.action)).toEqual(['generate', 'token_issued']);
  });
});

describe.skipIf(skipReason('redis'))('token refusals across instances sharing Redis', () => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;

  beforeAll(async () => {
    ({ env, app, services } = await startDeployment({ redis: true }));
  });
  afterAll(async () => env?.close());

  it('records one refusal a minute for the whole fleet', async () => {
    const client = await createTestClient(services);
    const { app: second } = await env.app();
    expect((await tokenRequest(app, client)).statusCode).toBe(200);
    for (const instance of [app, second, app, second]) expect((await tokenRequest(instance, client)).statusCode).toBe(400);
    expect((await entries(services, client.platformName)).map((e) => e.action)).toEqual(['generate', 'token_issued', 'token_refused']);
  });
});
