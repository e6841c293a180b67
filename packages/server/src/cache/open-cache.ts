import type { Cache } from './cache.js';
import { MemoryCache } from './memory-cache.js';
import { RedisCache } from './redis-cache.js';

export async function openCache(options: {
  redisUrl?: string | undefined;
  prefix: string;
  now: () => number;
  onError: (error: Error) => void;
}): Promise<Cache> {
  if (!options.redisUrl) return new MemoryCache(options.now);
  const cache = new RedisCache(options.redisUrl, options.prefix, options.onError);
  await cache.connect();
  return cache;
}
