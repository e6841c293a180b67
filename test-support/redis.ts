import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

// Redis for the tests of both packages, with one behaviour: each run works under a prefix of its own
// and deletes it after; a suite whose Redis is missing skips and says why, except in CI, where it
// must run and so fails loudly.

/** From the environment (CI exports it), else the local default. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether Redis at `url` answers a PING. */
export async function redisReachable(url = TEST_REDIS_URL): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Why `suite` is skipped (`describe.skipIf` takes it), or false when Redis answers; throws in CI. */
export async function redisSkipReason(suite: string, url = TEST_REDIS_URL): Promise<string | false> {
  if (await redisReachable(url)) return false;
  if (process.env.CI) throw new Error(`CI must run the ${suite} suites, but Redis at ${url} is unreachable`);
  console.warn(`Skipping the ${suite} suites: no Redis at ${url} (set TEST_REDIS_URL)`);
  return `no Redis at ${url}`;
}

/** A key prefix no other run uses. */
export function uniqueRedisPrefix(): string {
  return `tessera-test:${process.pid}:${randomBytes(6).toString('hex')}:`;
}

/** Deletes every key under `prefix`, walking the keyspace with SCAN (KEYS would block Redis). */
export async function deleteRedisKeys(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    if (keys.length > 0) await client.del(...keys);
  } finally {
    client.disconnect();
  }
}
