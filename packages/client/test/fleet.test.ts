// Fleet tests: many real Node processes sharing one Redis store against a real token server
// (Tessera itself when packages/server is present, otherwise a scripted stand-in with its quota).
//
// Each test owns its state: a client credential of its own (its own quota and its own count of token
// requests), a Redis key prefix of its own, its own processes. The server and the private Redis are
// shared only as infrastructure, and Redis is running again before each test. So a test that fails
// half-way (or times out) leaves nothing the next one depends on.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tokenCacheKey } from '../src/index.js';
import { ensureBuilt } from './helpers/build.js';
import {
  PrivateRedis,
  startScripted,
  startTessera,
  startWorkers,
  tesseraAvailable,
  Worker,
  type FleetClient,
  type FleetServer,
} from './helpers/fleet.js';
import { uniqueRedisPrefix } from '../../../test-support/redis.js';
import { ScriptedServer } from './helpers/token-server.js';

const HOUR = 3_600_000;
/**
 * Processes started at once. The proof — one token request for the whole fleet — needs processes
 * that race for an empty store, not a particular count: 20 race as well as 50, and start in a
 * fraction of the time on a loaded 2-core machine. TESSERA_FLEET_SIZE runs a bigger fleet.
 */
const FLEET = Number(process.env.TESSERA_FLEET_SIZE ?? 20);
/**
 * A bound, not a target: starting Node processes is what takes the time (about 0.3 s of CPU each),
 * so it grows with the fleet. A loaded 2-core machine took 13 s to start 50 processes.
 */
const FLEET_TIMEOUT_MS = 60_000 + FLEET * 3_000;
const useTessera = tesseraAvailable() && process.env.TESSERA_FLEET_SERVER !== 'scripted';
const skip = !PrivateRedis.available() && !process.env.CI;
if (skip) console.warn('[fleet] skipped: redis-server is not installed (the fleet tests run their own, to be able to kill it)');
if (!useTessera) console.warn('[fleet] running against a scripted token server (packages/server missing, or TESSERA_FLEET_SERVER=scripted)');

describe.skipIf(skip)(`a fleet of ${FLEET} processes (token server: ${useTessera ? 'Tessera' : 'scripted'})`, { timeout: FLEET_TIMEOUT_MS }, () => {
  let server: FleetServer;
  let redis: PrivateRedis;
  let dataDir: string;
  let workers: Worker[] = [];

  /** What one test's processes share: its client and its Redis prefix. */
  interface Fleet {
    client: FleetClient;
    prefix: string;
    env(offsetMs?: number): Record<string, string>;
    storeKey: string;
  }

  async function newFleet(): Promise<Fleet> {
    const client = await server.newClient();
    const prefix = uniqueRedisPrefix();
    return {
      client,
      prefix,
      env: (offsetMs = 0) => ({
        TOKEN_URL: server.tokenUrl,
        CLIENT_ID: client.clientId,
        CLIENT_SECRET: client.clientSecret,
        AUDIENCE: server.audience,
        REDIS_URL: redis.url,
        KEY_PREFIX: prefix,
        NOW_OFFSET_MS: String(offsetMs),
      }),
      storeKey: `${prefix}{${tokenCacheKey({ tokenUrl: server.tokenUrl, clientId: client.clientId, audience: server.audience, scope: 'raas.all' })}}`,
    };
  }

  async function stopWorkers(): Promise<void> {
    await Promise.all(workers.map((w) => w.exit()));
    workers = [];
  }

  async function allGet(list: Worker[]): Promise<string[]> {
    const replies = await Promise.all(list.map((w) => w.send('get')));
    for (const reply of replies) expect(reply.error, String(reply.message)).toBeUndefined();
    return replies.map((r) => String(r.token));
  }

  /** One process gets the fleet's first token into the store (one request), and exits. */
  async function seedToken(fleet: Fleet): Promise<string> {
    workers = await startWorkers(1, fleet.env());
    const [token] = await allGet(workers);
    await stopWorkers();
    expect(fleet.client.tokenRequests).toEqual([{ status: 200 }]);
    return token!;
  }

  beforeAll(async () => {
    await ensureBuilt();
    dataDir = await mkdtemp(join(tmpdir(), 'tessera-fleet-'));
    [server, redis] = await Promise.all([useTessera ? startTessera(dataDir) : startScripted(), PrivateRedis.start()]);
  }, 150_000);

  beforeEach(async () => {
    // A test that failed between stopping Redis and restarting it must not take the next one down too.
    await redis.ensureRunning();
  });

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

  it(`${FLEET} processes starting at once with an empty store make exactly one token request`, async () => {
    const fleet = await newFleet();
    workers = await startWorkers(FLEET, fleet.env());
    const tokens = await allGet(workers);
    expect(new Set(tokens)).toEqual(new Set([tokens[0]]));
    expect(fleet.client.tokenRequests).toEqual([{ status: 200 }]);
    for (const w of workers) expect(w.warnings).toEqual([]);
    await stopWorkers();
  });

  it(`${FLEET} processes started (or restarted) after the token is stored make none`, async () => {
    const fleet = await newFleet();
    const token = await seedToken(fleet);
    workers = await startWorkers(FLEET, fleet.env());
    expect(new Set(await allGet(workers))).toEqual(new Set([token]));
    expect(fleet.client.tokenRequests).toHaveLength(1);
    for (const w of workers) expect(w.warnings).toEqual([]);
    await stopWorkers();
  });

  it('a refresh inside the window happens once for the fleet', async () => {
    const fleet = await newFleet();
    const token = await seedToken(fleet);
    await fleet.client.resetQuota(); // stands for the 20 hours that the clocks below skip
    workers = await startWorkers(FLEET, fleet.env(20 * HOUR + 60_000));
    // Everyone gets a token at once (the still-valid one, or the new one if it is already in the
    // store); one process renews it in the background and the others pick the new one up. The
    // bound is generous (a loaded machine); each process returns as soon as it sees the new token.
    const first = await allGet(workers);
    const replies = await Promise.all(workers.map((w) => w.send('awaitNew', { from: token, timeoutMs: 60_000 })));
    const refreshed = String(replies[0]!.token);
    expect(refreshed).not.toBe(token);
    expect(new Set(replies.map((r) => r.token))).toEqual(new Set([refreshed]));
    expect(first).toContain(token);
    for (const t of first) expect([token, refreshed]).toContain(t);
    expect(fleet.client.tokenRequests).toEqual([{ status: 200 }, { status: 200 }]);
    await stopWorkers();
  });

  it('the quota error with a still-valid token is invisible to callers', async () => {
    const fleet = await newFleet();
    const token = await seedToken(fleet);
    // Inside the token's refresh window (it lives 24 h), but the server's quota has not passed.
    workers = await startWorkers(FLEET, fleet.env(21 * HOUR));
    const replies = await Promise.all(workers.map((w) => w.send('repeat', { times: 5, intervalMs: 300 })));
    for (const reply of replies) {
      expect(reply.error, String(reply.message)).toBeUndefined();
      expect(reply.tokens).toEqual([token]);
    }
    // One request for the whole fleet, answered with the quota error; its Retry-After is shared.
    expect(fleet.client.tokenRequests).toEqual([{ status: 200 }, { status: 400 }]);
    for (const w of workers) expect(w.warnings).toEqual([]);
    const client = new Redis(redis.url);
    const retryAt = Number(await client.get(`${fleet.storeKey}:retry`));
    client.disconnect();
    expect(retryAt).toBeGreaterThan(Date.now() + 21 * HOUR + 19 * HOUR);
    await stopWorkers();
  });

  it('20 processes sharing a FileTokenStore make one token request', async () => {
    const scripted = await ScriptedServer.start();
    const folder = await mkdtemp(join(dataDir, 'file-store-'));
    try {
      workers = await startWorkers(20, { TOKEN_URL: scripted.tokenUrl, CLIENT_ID: 'cli_file', CLIENT_SECRET: 'tsc_secret_file', TOKEN_FILE: join(folder, 'tokens.json') });
      expect(new Set(await allGet(workers))).toEqual(new Set(['tok-1']));
      expect(scripted.tokenRequests).toHaveLength(1);
      await stopWorkers();
    } finally {
      await scripted.close();
    }
  });

  it('Redis stopped mid-run loses nothing and causes no extra request', async () => {
    const fleet = await newFleet();
    workers = await startWorkers(10, fleet.env());
    const tokens = await allGet(workers);
    const token = tokens[0]!;
    expect(new Set(tokens)).toEqual(new Set([token]));
    expect(fleet.client.tokenRequests).toHaveLength(1);

    await redis.kill();
    for (let round = 0; round < 3; round++) expect(new Set(await allGet(workers))).toEqual(new Set([token]));

    // Redis comes back empty (no persistence): the running processes put the token back.
    await redis.restart();
    const client = new Redis(redis.url);
    let stored: string | null = null;
    // A bound, generous for a loaded machine; the loop ends as soon as the token is back.
    for (const deadline = Date.now() + 60_000; stored === null && Date.now() < deadline; ) {
      stored = await client.get(fleet.storeKey);
      if (stored === null) await new Promise((r) => setTimeout(r, 100));
    }
    client.disconnect();
    expect(stored).not.toBeNull();
    expect(JSON.parse(stored!).accessToken).toBe(token);

    // So new processes find it, and nobody asked the server again.
    const fresh = await startWorkers(10, fleet.env());
    workers.push(...fresh);
    expect(new Set(await allGet(fresh))).toEqual(new Set([token]));
    expect(fleet.client.tokenRequests).toHaveLength(1);
    await stopWorkers();
  });
});
