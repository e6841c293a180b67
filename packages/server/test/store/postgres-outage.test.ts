import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATUS_RECHECK_MS } from '../../src/credentials/credential-events.js';
import { STORE_RETRY_AFTER_SECONDS } from '../../src/store/store-unavailable.js';
import { freePort } from '../support/listen.js';
import { oauthCredentials } from '../support/portal.js';
import { startServer } from '../support/processes.js';
import { skipReason, TEST_REDIS_URL } from '../support/services.js';
import { binarySkipReason, startThrowawayPostgres, type ThrowawayPostgres } from '../support/throwaway-services.js';
import { deleteRedisKeys, uniqueRedisPrefix } from '../../../../test-support/redis.js';

// PostgreSQL stopping while `tessera serve` runs on it (a cluster of the test's own, stopped with
// `pg_ctl stop -m immediate`): what needs the store answers 503 with Retry-After in each surface's
// shape, never a token without its quota check and never a 500; credentials whose status was read less
// than STATUS_RECHECK_MS ago keep working; and all of it comes back without a restart. One outage for
// both deployments (without Redis and with it), each a server on a database of its own in the cluster:
// the waiting (the stop, STATUS_RECHECK_MS, the start and the recovery) is done once.

const UNAVAILABLE = `The service is temporarily unavailable: its database cannot be reached. Try again shortly.`;
const RETRY_AFTER = String(STORE_RETRY_AFTER_SECONDS);

interface Answer {
  status: number;
  retryAfter: string | null;
  body: unknown;
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: text ? (JSON.parse(text) as unknown) : '' };
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** A person in the portal over real HTTP: the session cookie and CSRF token, as the SPA keeps them. */
class Portal {
  private cookie = '';
  private csrf = '';
  constructor(private readonly url: string) {}

  async post(route: string, body?: unknown): Promise<Answer> {
    const headers: Record<string, string> = { origin: this.url };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.cookie) headers.cookie = this.cookie;
    if (this.csrf) headers['x-csrf-token'] = this.csrf;
    const response = await fetch(`${this.url}/portal/api${route}`, { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const cookie = response.headers.get('set-cookie');
    if (cookie) this.cookie = cookie.split(';')[0]!;
    const result = await answer(response);
    const { csrfToken } = (result.body || {}) as { csrfToken?: unknown };
    if (typeof csrfToken === 'string') this.csrf = csrfToken;
    return result;
  }
}

interface Client {
  client_id: string;
  client_secret: string;
}

/** One deployment through the outage: its own `tessera serve`, database and platform, and what it made before. */
interface Side {
  name: string;
  url: string;
  platformName: string;
  portal: Portal;
  first: Client;
  second: Client;
  usedKey: string;
  unusedKey: string;
  bearer: string;
  post: (route: string, fields: Record<string, string>, headers?: Record<string, string>) => Promise<Answer>;
  whoami: (authorization: string) => Promise<Answer>;
  tokenFor: (client: Client) => Promise<Answer>;
}

describe.skipIf(binarySkipReason('postgres'))('PostgreSQL stopping while serving', () => {
  let cluster: ThrowawayPostgres;
  const cleanups: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    cluster = await startThrowawayPostgres();
    cleanups.push(() => cluster.destroy());
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  const deployments = [
    { name: 'without Redis', redis: false },
    { name: 'with Redis', redis: true },
  ].filter(({ redis }) => !(redis && skipReason('redis')));

  /** A server for `deployment` on a new database of the cluster, and a platform with two clients and two API keys, made in the portal. */
  async function setUp({ name, redis }: (typeof deployments)[number]): Promise<Side> {
    const databaseUrl = await cluster.createDatabase(`outage_${redis ? 'redis' : 'memory'}_${randomBytes(4).toString('hex')}`);
    const dataDir = await mkdtemp(path.join(tmpdir(), 'tessera-outage-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const prefix = uniqueRedisPrefix();
    if (redis) cleanups.push(() => deleteRedisKeys(prefix));
    const port = await freePort();
    const server = await startServer({
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      TESSERA_DATA_DIR: dataDir,
      TESSERA_MASTER_KEY: randomBytes(32).toString('base64'),
      REDIS_URL: redis ? TEST_REDIS_URL : '',
      REDIS_KEY_PREFIX: prefix,
      // Sign-up at once: this suite is about PostgreSQL, not about verified sign-up (accounts/sign-up.test.ts).
      TESSERA_PORTAL_SIGNUP: 'open',
    });
    cleanups.push(server.stop);
    const { url } = server;
    const post = (route: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(`${url}${route}`, { method: 'POST', body: new URLSearchParams(fields), headers }).then(answer);
    const whoami = (authorization: string) => fetch(`${url}/raas/v2/whoami`, { headers: { authorization } }).then(answer);
    const tokenFor = (client: Client) => post('/oauth/token', { grant_type: 'client_credentials', ...client });

    const portal = new Portal(url);
    const platformName = `outage-${redis ? 'redis' : 'memory'}`;
    expect((await portal.post('/signup', { email: 'admin@outage.test', password: 'correct horse battery staple', platformName })).status).toBe(201);
    const [first, second] = ([(await portal.post('/oauth-clients', { name: 'First' })).body, (await portal.post('/oauth-clients', { name: 'Second' })).body] as Array<{
      clientId: string;
      clientSecret: string;
    }>).map(oauthCredentials);
    const [usedKey, unusedKey] = [(await portal.post('/api-keys')).body, (await portal.post('/api-keys')).body] as Array<{ apiKey: string }>;
    const issued = await tokenFor(first!);
    expect(issued.status, name).toBe(200);
    const bearer = `Bearer ${(issued.body as { access_token: string }).access_token}`;
    return { name, url, platformName, portal, first: first!, second: second!, usedKey: usedKey!.apiKey, unusedKey: unusedKey!.apiKey, bearer, post, whoami, tokenFor };
  }

  it(`answers 503 with Retry-After, serves what it remembers, and recovers (${deployments.map(({ name }) => name).join('; ')})`, { timeout: 120_000 }, async () => {
    // Before: each deployment's server, platform, clients and API keys, made side by side.
    const sides = await Promise.all(deployments.map(setUp));

    // Their status is read now, between these two moments: remembered for STATUS_RECHECK_MS.
    const statusRead = Date.now();
    for (const { name, platformName, usedKey, bearer, whoami } of sides) {
      expect((await whoami(bearer)).status, name).toBe(200);
      expect((await whoami(basic(platformName, usedKey))).status, name).toBe(200);
    }
    const statusReadEnd = Date.now();

    await cluster.stop();
    const stoppedAfter = Date.now() - statusRead;

    // Remembered credentials keep working for the rest of their STATUS_RECHECK_MS (5 s).
    expect(stoppedAfter, 'the cluster took too long to stop for this check').toBeLessThan(STATUS_RECHECK_MS - 1000);
    for (const { name, platformName, usedKey, bearer, whoami } of sides) {
      expect((await whoami(bearer)).status, name).toBe(200);
      expect((await whoami(basic(platformName, usedKey))).status, name).toBe(200);
    }

    for (const { name, first, second, unusedKey, platformName, bearer, portal, post, whoami, tokenFor } of sides) {
      // The token endpoint: RFC 6749's temporarily_unavailable (§4.1.2.1) with 503; no token without its quota check.
      expect(await tokenFor(second), name).toEqual({ status: 503, retryAfter: RETRY_AFTER, body: { error: 'temporarily_unavailable', error_description: UNAVAILABLE } });
      // Credential changes: the revocation endpoint and the portal.
      expect(await post('/oauth/revoke', { token: bearer.slice(7) }, { authorization: basic(first.client_id, first.client_secret) }), name).toEqual({
        status: 503,
        retryAfter: RETRY_AFTER,
        body: { error: 'temporarily_unavailable', error_description: UNAVAILABLE },
      });
      expect(await portal.post(`/oauth-clients/${first.client_id}/deactivate`), name).toEqual({
        status: 503,
        retryAfter: RETRY_AFTER,
        body: { error: 'unavailable', message: UNAVAILABLE },
      });
      // A credential not yet remembered: Tango's envelope with 503.
      const fresh = await whoami(basic(platformName, unusedKey));
      expect(fresh, name).toMatchObject({ status: 503, retryAfter: RETRY_AFTER, body: { path: '/raas/v2/whoami', httpCode: 503, httpPhrase: 'Service Unavailable', i18nKey: 'error.serviceUnavailable', message: UNAVAILABLE, errors: [] } });
    }
    // Past STATUS_RECHECK_MS the remembered ones need the store too.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, STATUS_RECHECK_MS - (Date.now() - statusReadEnd)) + 200));
    for (const { name, url, platformName, usedKey, bearer, whoami } of sides) {
      expect(await whoami(bearer), name).toMatchObject({ status: 503, retryAfter: RETRY_AFTER, body: { httpCode: 503, message: UNAVAILABLE } });
      expect(await whoami(basic(platformName, usedKey)), name).toMatchObject({ status: 503, retryAfter: RETRY_AFTER, body: { httpCode: 503 } });
      // The process stays alive and says so.
      expect((await fetch(`${url}/healthz`)).status, name).toBe(200);
    }

    await cluster.start();

    for (const { name, first, second, unusedKey, platformName, bearer, portal, whoami, tokenFor } of sides) {
      // Back without a restart: the first answer that is not 503 is the right one.
      const deadline = Date.now() + 15_000;
      let recovered = await tokenFor(second);
      while (recovered.status === 503 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        recovered = await tokenFor(second);
      }
      expect(recovered.status, name).toBe(200);
      // The quota held through the outage: the first client's 20 hours are still running.
      expect(await tokenFor(first), name).toEqual({
        status: 400,
        retryAfter: expect.stringMatching(/^\d+$/),
        body: { error: 'rate_limit_exceeded', error_description: `Client First ${first.client_id} has exceeded the daily rate limit` },
      });
      expect((await whoami(bearer)).status, name).toBe(200);
      expect((await whoami(basic(platformName, unusedKey))).status, name).toBe(200);
      expect((await portal.post(`/oauth-clients/${first.client_id}/deactivate`)).status, name).toBe(200);
      expect((await whoami(bearer)).status, name).toBe(401);
    }
  });
});
