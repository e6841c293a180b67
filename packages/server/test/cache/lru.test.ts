import { describe, expect, it } from 'vitest';
import { LruCache } from '../../src/cache/lru.js';

describe('LruCache', () => {
  it('holds at most its bound, dropping the least recently used', () => {
    const cache = new LruCache<{ id: string }>(3);
    for (const id of ['a', 'b', 'c']) cache.set(`token-${id}`, { id });
    expect(cache.get('token-a')).toEqual({ id: 'a' }); // a is now the most recent
    cache.set('token-d', { id: 'd' });
    expect(cache.size).toBe(3);
    expect(cache.get('token-b')).toBeUndefined();
    expect(['token-a', 'token-c', 'token-d'].map((k) => cache.get(k)?.id)).toEqual(['a', 'c', 'd']);
  });

  it('forgets entries by predicate (an announced status change) and entirely', () => {
    const cache = new LruCache<{ clientId: string }>(10);
    cache.set('t1', { clientId: 'cli_1' });
    cache.set('t2', { clientId: 'cli_2' });
    cache.set('t3', { clientId: 'cli_1' });
    cache.deleteWhere((e) => e.clientId === 'cli_1');
    expect([cache.get('t1'), cache.get('t2'), cache.get('t3')]).toEqual([undefined, { clientId: 'cli_2' }, undefined]);
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
