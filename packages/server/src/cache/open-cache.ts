import type { Cache } from './cache.js';
import { MemoryCache } from './memory-cache.js';

export async function openCache(options: {
  redisUrl?: string | undefined;
  prefix: string;
  now: () => number;
  onError: (error: Error) => void;
}): Promise<Cache> {
  if (!options.redisUrl) return new MemoryCache(options.now);
  // Loaded only when configured: ioredis is a third of the `tessera` command's start-up otherwise.
  const { RedisCache } = await import('./redis-cache.js');
  const cache = new RedisCache(options.redisUrl, options.prefix, options.onError);
  await cache.connect();
  return cache;
}
