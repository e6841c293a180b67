import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether the test Redis answers; in CI it must (suites then fail instead of skipping). */
export async function redisAvailable(url = TEST_REDIS_URL): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
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

/** Skips a Redis suite, visibly, when Redis is unreachable outside CI. */
export async function skipWithoutRedis(suite: string): Promise<boolean> {
  if (await redisAvailable()) return false;
  if (process.env.CI) return false; // in CI the suite runs, and fails
  console.warn(`[${suite}] skipped: no Redis at ${TEST_REDIS_URL} (set TEST_REDIS_URL; in CI this suite runs)`);
  return true;
}

/** A key prefix no other run uses. */
export function uniquePrefix(): string {
  return `tessera-test:${process.pid}:${randomBytes(6).toString('hex')}:`;
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
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
