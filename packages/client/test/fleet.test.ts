// Fleet tests: many real Node processes sharing one Redis store against a real token server
// (Tessera itself when packages/server is present, otherwise a scripted stand-in with its quota).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tokenCacheKey } from '../src/index.js';
import { ensureBuilt } from './helpers/build.js';
import {
  PrivateRedis,
  startScripted,
  startTessera,
  startWorkers,
  tesseraAvailable,
  Worker,
  type FleetServer,
} from './helpers/fleet.js';
import { uniqueRedisPrefix } from '../../../test-support/redis.js';
import { ScriptedServer } from './helpers/token-server.js';

const HOUR = 3_600_000;
const FLEET = 50;
const useTessera = tesseraAvailable() && process.env.TESSERA_FLEET_SERVER !== 'scripted';
const skip = !PrivateRedis.available() && !process.env.CI;
if (skip) console.warn('[fleet] skipped: redis-server is not installed (the fleet tests run their own, to be able to kill it)');
if (!useTessera) console.warn('[fleet] running against a scripted token server (packages/server missing, or TESSERA_FLEET_SERVER=scripted)');

describe.skipIf(skip)(`a fleet of ${FLEET} processes (token server: ${useTessera ? 'Tessera' : 'scripted'})`, () => {
  let server: FleetServer;
  let redis: PrivateRedis;
  let dataDir: string;
  let workers: Worker[] = [];

  const envFor = (keyPrefix: string, offsetMs = 0): Record<string, string> => ({
    TOKEN_URL: server.tokenUrl,
    CLIENT_ID: server.clientId,
    CLIENT_SECRET: server.clientSecret,
    AUDIENCE: server.audience,
    REDIS_URL: redis.url,
    KEY_PREFIX: keyPrefix,
    NOW_OFFSET_MS: String(offsetMs),
  });

  const storeKey = (keyPrefix: string) =>
    `${keyPrefix}{${tokenCacheKey({ tokenUrl: server.tokenUrl, clientId: server.clientId, audience: server.audience, scope: 'raas.all' })}}`;

  async function stopWorkers(): Promise<void> {
    await Promise.all(workers.map((w) => w.exit()));
    workers = [];
  }

  async function allGet(list: Worker[]): Promise<string[]> {
    const replies = await Promise.all(list.map((w) => w.send('get')));
    for (const reply of replies) expect(reply.error, String(reply.message)).toBeUndefined();
    return replies.map((r) => String(r.token));
  }

  beforeAll(async () => {
    await ensureBuilt();
    dataDir = await mkdtemp(join(tmpdir(), 'tessera-fleet-'));
    [server, redis] = await Promise.all([useTessera ? startTessera(dataDir) : startScripted(), PrivateRedis.start()]);
  }, 90_000);

  afterEach(() => {
    // A test that failed half-way leaves its processes: stop them before the next one starts.
    Worker.killAll();
    workers = [];
  });

  afterAll(async () => {
    Worker.killAll();
    await server?.close();
    await redis?.kill();
    await rm(dataDir, { recursive: true, force: true });
  });

  describe('sharing one token', () => {
    const prefix = uniqueRedisPrefix();
    let token: string;

    it(`${FLEET} processes starting at once with an empty store make exactly one token request`, async () => {
      workers = await startWorkers(FLEET, envFor(prefix));
      const tokens = await allGet(workers);
      token = tokens[0]!;
      expect(new Set(tokens)).toEqual(new Set([token]));
      expect(server.tokenRequests).toEqual([{ status: 200 }]);
      for (const w of workers) expect(w.warnings).toEqual([]);
      await stopWorkers();
    });

    it(`the same ${FLEET} processes restarted make none`, async () => {
      workers = await startWorkers(FLEET, envFor(prefix));
      expect(new Set(await allGet(workers))).toEqual(new Set([token]));
      expect(server.tokenRequests).toHaveLength(1);
      await stopWorkers();
    });

    let refreshed: string;

    it('a refresh inside the window happens once for the fleet', async () => {
      await server.resetQuota(); // stands for the 20 hours that the clocks below skip
      workers = await startWorkers(FLEET, envFor(prefix, 20 * HOUR + 60_000));
      // Everyone gets a token at once (the still-valid one, or the new one if it is already in the
      // store); one process renews it in the background and the others pick the new one up.
      const first = await allGet(workers);
      const replies = await Promise.all(workers.map((w) => w.send('awaitNew', { from: token, timeoutMs: 15_000 })));
      refreshed = String(replies[0]!.token);
      expect(refreshed).not.toBe(token);
      expect(new Set(replies.map((r) => r.token))).toEqual(new Set([refreshed]));
      expect(first).toContain(token);
      for (const t of first) expect([token, refreshed]).toContain(t);
      expect(server.tokenRequests).toEqual([{ status: 200 }, { status: 200 }]);
      await stopWorkers();
    });

    it('the quota error with a still-valid token is invisible to callers', async () => {
      // Inside the new token's window, but the server's quota has not passed (no reset this time).
      workers = await startWorkers(FLEET, envFor(prefix, 41 * HOUR));
      const replies = await Promise.all(workers.map((w) => w.send('repeat', { times: 5, intervalMs: 300 })));
      for (const reply of replies) {
        expect(reply.error, String(reply.message)).toBeUndefined();
        expect(reply.tokens).toEqual([refreshed]);
      }
      // One request for the whole fleet, answered with the quota error; its Retry-After is shared.
      expect(server.tokenRequests).toEqual([{ status: 200 }, { status: 200 }, { status: 400 }]);
      for (const w of workers) expect(w.warnings).toEqual([]);
      const client = new Redis(redis.url);
      const retryAt = Number(await client.get(`${storeKey(prefix)}:retry`));
      client.disconnect();
      expect(retryAt).toBeGreaterThan(Date.now() + 41 * HOUR + 19 * HOUR);
      await stopWorkers();
    });
  });

  it('20 processes sharing a FileTokenStore make one token request', async () => {
    const scripted = await ScriptedServer.start();
    try {
      const file = join(dataDir, 'fleet-tokens.json');
      workers = await startWorkers(20, { TOKEN_URL: scripted.tokenUrl, CLIENT_ID: 'cli_file', CLIENT_SECRET: 'tsc_secret_file', TOKEN_FILE: file });
      expect(new Set(await allGet(workers))).toEqual(new Set(['tok-1']));
      expect(scripted.tokenRequests).toHaveLength(1);
      await stopWorkers();
    } finally {
      await scripted.close();
    }
  });

  it('Redis stopped mid-run loses nothing and causes no extra request', async () => {
    const prefix = uniqueRedisPrefix();
    await server.resetQuota();
    const before = server.tokenRequests.length;
    workers = await startWorkers(10, envFor(prefix));
    const tokens = await allGet(workers);
    const token = tokens[0]!;
    expect(new Set(tokens)).toEqual(new Set([token]));
    expect(server.tokenRequests.length).toBe(before + 1);

    await redis.kill();
    for (let round = 0; round < 3; round++) expect(new Set(await allGet(workers))).toEqual(new Set([token]));

    // Redis comes back empty (no persistence): the running processes put the token back.
    await redis.restart();
    const client = new Redis(redis.url);
    let stored: string | null = null;
    for (let waited = 0; waited < 15_000 && stored === null; waited += 100) {
      stored = await client.get(storeKey(prefix));
      if (stored === null) await new Promise((r) => setTimeout(r, 100));
    }
    client.disconnect();
    expect(stored).not.toBeNull();
    expect(JSON.parse(stored!).accessToken).toBe(token);

    // So new processes find it, and nobody asked the server again.
    const fresh = await startWorkers(10, envFor(prefix));
    expect(new Set(await allGet(fresh))).toEqual(new Set([token]));
    workers.push(...fresh);
    expect(server.tokenRequests.length).toBe(before + 1);
    await stopWorkers();
  });
});
