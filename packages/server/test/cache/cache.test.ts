import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { Cache } from '../../src/cache/cache.js';
import { MemoryCache } from '../../src/cache/memory-cache.js';
import { RedisCache } from '../../src/cache/redis-cache.js';
import { skipReason, TEST_REDIS_URL, TestClock } from '../support/services.js';

async function until(check: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('MemoryCache', () => {
  it('counts hits in a window that starts at the first hit', async () => {
    const clock = new TestClock();
    const cache = new MemoryCache(clock.now);
    expect(await cache.peek('k')).toEqual({ count: 0, resetInMs: 0 });
    expect(await cache.hit('k', 1000)).toEqual({ count: 1, resetInMs: 1000 });
    clock.advance(400);
    expect(await cache.hit('k', 1000)).toEqual({ count: 2, resetInMs: 600 });
    expect(await cache.peek('k')).toEqual({ count: 2, resetInMs: 600 });
    clock.advance(600);
    expect(await cache.peek('k')).toEqual({ count: 0, resetInMs: 0 });
    expect(await cache.hit('k', 1000)).toEqual({ count: 1, resetInMs: 1000 });
  });

  it('takes a hit back within its window, never below zero, and keeps the window', async () => {
    const clock = new TestClock();
    const cache = new MemoryCache(clock.now);
    await cache.unhit('k');
    expect(await cache.peek('k')).toEqual({ count: 0, resetInMs: 0 });
    await cache.hit('k', 1000);
    await cache.hit('k', 1000);
    clock.advance(400);
    await cache.unhit('k');
    expect(await cache.peek('k')).toEqual({ count: 1, resetInMs: 600 });
    await cache.unhit('k');
    await cache.unhit('k');
    expect(await cache.hit('k', 1000)).toEqual({ count: 1, resetInMs: 600 });
  });

  it('delivers published messages to its own subscribers', async () => {
    const cache = new MemoryCache();
    const got: string[] = [];
    await cache.subscribe('ch', (m) => got.push(m));
    await cache.publish('ch', 'hello');
    expect(got).toEqual(['hello']);
  });
});

describe.skipIf(skipReason('redis'))('RedisCache', () => {
  const prefix = `tessera-test:${randomBytes(6).toString('hex')}:`;
  const caches: Cache[] = [];
  const open = async () => {
    const cache = new RedisCache(TEST_REDIS_URL, prefix);
    await cache.connect();
    caches.push(cache);
    return cache;
  };
  afterAll(async () => {
    for (const cache of caches) await cache.close();
  });

  it('shares counters between instances, under its prefix, with an expiring window', async () => {
    const [a, b] = [await open(), await open()];
    expect(await a.peek('k')).toEqual({ count: 0, resetInMs: 0 });
    expect((await a.hit('k', 300)).count).toBe(1);
    const second = await b.hit('k', 300);
    expect(second.count).toBe(2);
    expect(second.resetInMs).toBeGreaterThan(0);
    expect(second.resetInMs).toBeLessThanOrEqual(300);
    expect((await b.peek('k')).count).toBe(2);
    await new Promise((r) => setTimeout(r, 350));
    expect(await a.peek('k')).toEqual({ count: 0, resetInMs: 0 });
  });

  it('takes a hit back for every instance, never below zero, and keeps the window', async () => {
    const [a, b] = [await open(), await open()];
    await a.unhit('back');
    expect(await a.peek('back')).toEqual({ count: 0, resetInMs: 0 });
    await a.hit('back', 60_000);
    await b.hit('back', 60_000);
    await b.unhit('back');
    const after = await a.peek('back');
    expect(after.count).toBe(1);
    expect(after.resetInMs).toBeGreaterThan(0);
    await a.unhit('back');
    await b.unhit('back');
    expect((await b.peek('back')).count).toBe(0);
    expect((await a.hit('back', 60_000)).count).toBe(1);
  });

  it('delivers a message to every instance', async () => {
    const [a, b] = [await open(), await open()];
    const got: string[] = [];
    await a.subscribe('status', (m) => got.push(`a:${m}`));
    await b.subscribe('status', (m) => got.push(`b:${m}`));
    await a.publish('status', 'changed');
    await until(() => got.length === 2);
    expect(got.sort()).toEqual(['a:changed', 'b:changed']);
    // The publisher heard it from memory first, and not again from Redis.
    await b.publish('status', 'again');
    await until(() => got.length === 4);
    await new Promise((r) => setTimeout(r, 100));
    expect(got.slice(2).sort()).toEqual(['a:again', 'b:again']);
  });

  it('delivers to its own subscribers first, even when Redis is away', async () => {
    const away = new RedisCache('redis://127.0.0.1:1', prefix);
    caches.push(away);
    await away.connect(200);
    const got: string[] = [];
    await away.subscribe('status', (m) => got.push(m));
    await expect(away.publish('status', 'changed')).rejects.toThrow();
    expect(got).toEqual(['changed']);
  });
});
