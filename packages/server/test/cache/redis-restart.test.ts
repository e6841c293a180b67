import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { CREDENTIAL_STATUS_CHANNEL, STATUS_RECHECK_MS } from '../../src/credentials/credential-events.js';
import { freePort } from '../support/listen.js';
import { oauthCredentials } from '../support/portal.js';
import { startServer } from '../support/processes.js';
import { createPostgresDatabase, skipReason } from '../support/services.js';
import { binarySkipReason, startThrowawayRedis } from '../support/throwaway-services.js';

// Redis (a server of the test's own) killed and started again under two `tessera serve` instances on
// one PostgreSQL: the quota holds exactly while it is away (the store decides), requests keep being
// served, and once it is back a change made on one instance reaches the other's guard through pub/sub
// again, without a restart: sooner than any status re-read (STATUS_RECHECK_MS) could have done it.

// A loopback name, so the portal answers requests sent to either instance's 127.0.0.1 port (portal/this-server.ts).
const PUBLIC_URL = 'http://localhost';

interface Answer {
  status: number;
  body: unknown;
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : '' };
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 20 ms until it holds or `ms` passes; true when it held. */
async function waitFor(condition: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
}

describe.skipIf(binarySkipReason('redis') || skipReason('postgres'))('Redis stopping and returning under two instances', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it('holds the quota while Redis is away, and propagates revocations and deactivations again once it is back', async () => {
    const redis = await startThrowawayRedis();
    cleanups.push(() => redis.kill());
    const database = await createPostgresDatabase();
    cleanups.push(database.drop);
    const dataDir = await mkdtemp(path.join(tmpdir(), 'tessera-redis-restart-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const prefix = 'tessera-restart:';
    const shared = {
      DATABASE_URL: database.url,
      TESSERA_DATA_DIR: dataDir,
      TESSERA_MASTER_KEY: randomBytes(32).toString('base64'),
      TESSERA_PUBLIC_URL: PUBLIC_URL,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: prefix,
      // Sign-up at once: this suite is about Redis, not about verified sign-up (accounts/sign-up.test.ts).
      TESSERA_PORTAL_SIGNUP: 'open',
    };
    const [a, b] = await Promise.all([freePort(), freePort()]).then((ports) => Promise.all(ports.map((port) => startServer({ ...shared, PORT: String(port) }))));
    cleanups.push(a!.stop, b!.stop);
    const instances = [a!, b!];

    const post = (url: string, route: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(`${url}${route}`, { method: 'POST', body: new URLSearchParams(fields), headers }).then(answer);
    const whoami = (url: string, authorization: string) => fetch(`${url}/raas/v2/whoami`, { headers: { authorization } }).then((r) => r.status);

    // A platform and two clients, made in the portal of instance A.
    let cookie = '';
    let csrf = '';
    const portal = async (route: string, body?: unknown): Promise<Answer> => {
      const headers: Record<string, string> = { origin: PUBLIC_URL, 'x-csrf-token': csrf };
      if (cookie) headers.cookie = cookie;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${a!.url}/portal/api${route}`, { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
      cookie = response.headers.get('set-cookie')?.split(';')[0] ?? cookie;
      const result = await answer(response);
      const { csrfToken } = (result.body || {}) as { csrfToken?: unknown };
      if (typeof csrfToken === 'string') csrf = csrfToken;
      return result;
    };
    expect((await portal('/signup', { email: 'admin@restart.test', password: 'correct horse battery staple', platformName: 'restart' })).status).toBe(201);
    const clients = ([(await portal('/oauth-clients', { name: 'One' })).body, (await portal('/oauth-clients', { name: 'Two' })).body] as Array<{
      clientId: string;
      clientSecret: string;
    }>).map(oauthCredentials);

    await redis.kill();

    // The quota, exactly, with Redis away: 10 concurrent requests per client over both instances, one token each.
    const tokens: string[] = [];
    for (const client of clients) {
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => post(instances[i % 2]!.url, '/oauth/token', { grant_type: 'client_credentials', ...client! })),
      );
      const granted = answers.filter((r) => r.status === 200);
      expect(granted).toHaveLength(1);
      expect(answers.filter((r) => r.status === 400 && (r.body as { error: string }).error === 'rate_limit_exceeded')).toHaveLength(9);
      tokens.push(`Bearer ${(granted[0]!.body as { access_token: string }).access_token}`);
    }
    // Requests keep being served by both.
    for (const instance of instances) for (const token of tokens) expect(await whoami(instance.url, token)).toBe(200);

    await redis.start();

    // Both instances back on Redis: their command connections, and B's (and A's) subscription again.
    const probe = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    cleanups.push(async () => probe.disconnect());
    const reconnected = await waitFor(async () => {
      const [, subscribers] = (await probe.pubsub('NUMSUB', prefix + CREDENTIAL_STATUS_CHANNEL)) as [string, number];
      const connections = String(await probe.client('LIST')).trim().split('\n').length;
      return Number(subscribers) === 2 && connections >= 5;
    }, 15_000);
    expect(reconnected, 'both instances reconnect and re-subscribe within 15 s').toBe(true);

    /** B reads the credential's status now; A changes it; how long until B refuses, and since B's read. */
    const propagation = async (change: () => Promise<Answer>, token: string) => {
      const read = Date.now();
      expect(await whoami(b!.url, token)).toBe(200);
      expect((await change()).status).toBe(200);
      const changed = Date.now();
      const refused = await waitFor(async () => (await whoami(b!.url, token)) === 401, STATUS_RECHECK_MS + 2000);
      expect(refused).toBe(true);
      return { afterChange: Date.now() - changed, afterRead: Date.now() - read };
    };

    const revocation = await propagation(
      () => post(a!.url, '/oauth/revoke', { token: tokens[1]!.slice(7) }, { authorization: basic(clients[1]!.client_id, clients[1]!.client_secret) }),
      tokens[1]!,
    );
    const deactivation = await propagation(() => portal(`/oauth-clients/${clients[0]!.client_id}/deactivate`), tokens[0]!);
    console.info(`after Redis returned: a revocation reached the other instance in ${revocation.afterChange} ms, a deactivation in ${deactivation.afterChange} ms`);
    // Through pub/sub: before B's own re-read of the status (STATUS_RECHECK_MS after it last read it) could refuse it.
    expect(revocation.afterRead).toBeLessThan(STATUS_RECHECK_MS);
    expect(deactivation.afterRead).toBeLessThan(STATUS_RECHECK_MS);
  });
});
