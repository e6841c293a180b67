import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RedisTokenStore, StoreError, TokenManager, type TokenStore } from '../src/index.js';
import { storeContract, token } from './helpers/store-contract.js';
import { deleteRedisKeys, redisSkipReason, TEST_REDIS_URL, uniqueRedisPrefix } from '../../../test-support/redis.js';
import { ScriptedServer } from './helpers/token-server.js';

const skip = await redisSkipReason('RedisTokenStore');
const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const DAY = 86_400_000;

describe.skipIf(skip)('RedisTokenStore', () => {
  const prefix = uniqueRedisPrefix();
  const opened: TokenStore[] = [];
  let raw: Redis;
  let n = 0;

  const make = (): RedisTokenStore => {
    const store = new RedisTokenStore({ url: TEST_REDIS_URL }, { keyPrefix: `${prefix}${++n}:` });
    opened.push(store);
    return store;
  };

  beforeAll(() => {
    raw = new Redis(TEST_REDIS_URL);
  });

  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close?.()));
    await deleteRedisKeys(prefix);
    expect(await raw.keys(`${prefix}*`)).toEqual([]);
    raw.disconnect();
  });

  storeContract(make);

  it('writes under the prefix with a hash tag, with a TTL, and never the client secret', async () => {
    const server = await ScriptedServer.start();
    try {
      const store = make();
      const secret = 'tsc_secret_redis-store-check';
      const tokens = new TokenManager({ tokenUrl: server.tokenUrl, clientId: 'cli_redis', clientSecret: secret, store, now: () => T0 });
      expect(await tokens.getToken()).toBe('tok-1');
      const keys = await raw.keys(`${store.keyPrefix}*`);
      expect(keys).toEqual([`${store.keyPrefix}{${tokens.key}}`]);
      const value = (await raw.get(keys[0]!))!;
      expect(JSON.parse(value)).toEqual({ accessToken: 'tok-1', tokenType: 'Bearer', scope: 'raas.all', obtainedAt: T0, expiresAt: T0 + DAY });
      expect(value).not.toContain(secret);
      const ttl = await raw.pttl(keys[0]!);
      expect(ttl).toBeGreaterThan(DAY - 60_000);
      expect(ttl).toBeLessThanOrEqual(DAY);
    } finally {
      await server.close();
    }
  });

  it('uses an ioredis client you pass in, and leaves it open on close', async () => {
    const client = new Redis(TEST_REDIS_URL);
    const store = new RedisTokenStore({ client }, { keyPrefix: `${prefix}client:` });
    await store.write('k1', token('tok-a', T0 + DAY), DAY);
    expect((await store.read('k1')).token).toEqual(token('tok-a', T0 + DAY));
    await store.close();
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
  });

  it('takes the lock with SET NX PX', async () => {
    const store = make();
    const lock = await store.lock('k1', 5_000);
    const lockKey = `${store.keyPrefix}{k1}:lock`;
    const pttl = await raw.pttl(lockKey);
    expect(pttl).toBeGreaterThan(4_000);
    expect(pttl).toBeLessThanOrEqual(5_000);
    await lock!.release();
    expect(await raw.exists(lockKey)).toBe(0);
  });

  it('puts the token back after the keys are flushed without a disconnect, so a new process needs no request', async () => {
    const server = await ScriptedServer.start();
    const keyPrefix = `${prefix}flush:`;
    const storeA = new RedisTokenStore({ url: TEST_REDIS_URL }, { keyPrefix });
    const storeB = new RedisTokenStore({ url: TEST_REDIS_URL }, { keyPrefix });
    opened.push(storeA, storeB);
    const options = { tokenUrl: server.tokenUrl, clientId: 'cli_flush', clientSecret: 'tsc_secret_flush-check', now: () => T0 };
    const a = new TokenManager({ ...options, store: storeA, storeCheckIntervalMs: 50 });
    try {
      expect(await a.getToken()).toBe('tok-1');
      // After this the server is over quota: any new request would fail.
      server.tokenHandler = () => ({ status: 400, headers: { 'retry-after': '3600' }, json: { error: 'rate_limit_exceeded' } });
      const key = `${keyPrefix}{${a.key}}`;
      expect(await raw.exists(key)).toBe(1);
      await deleteRedisKeys(keyPrefix); // FLUSHALL, for our keys only: the connection stays up
      expect(await raw.exists(key)).toBe(0);
      await vi.waitFor(async () => expect(await raw.exists(key)).toBe(1), { timeout: 10_000, interval: 25 });

      const b = new TokenManager({ ...options, store: storeB, storeCheckIntervalMs: 0 });
      expect(await b.getToken()).toBe('tok-1');
      expect(server.tokenRequests).toHaveLength(1);
      await b.close();
    } finally {
      await a.close();
      await server.close();
    }
  });

  it('fails fast with a StoreError when Redis is unreachable', async () => {
    const store = new RedisTokenStore({ url: 'redis://127.0.0.1:1' }, { connectTimeoutMs: 300 });
    const started = Date.now();
    const err = await store.read('k1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('store_error');
    expect(Date.now() - started).toBeLessThan(2_000);
    await store.close();
  });
});
