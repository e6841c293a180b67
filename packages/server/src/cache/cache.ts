/** A counter in a fixed window: how many hits so far, and how long until the window ends. */
export interface WindowCount {
  count: number;
  resetInMs: number;
}

/**
 * Shared fast state that can always be rebuilt: counters and invalidation messages. In-process by
 * default, Redis when REDIS_URL is set so every instance sees the same. Losing it loses no data.
 */
export interface Cache {
  readonly kind: 'memory' | 'redis';
  /** Adds one to the counter `key`, whose window of `windowMs` starts at its first hit. */
  hit(key: string, windowMs: number): Promise<WindowCount>;
  /** Reads the counter `key` without changing it. */
  peek(key: string): Promise<WindowCount>;
  /** Takes one back from the counter `key` while its window lasts, never below zero; the window is not moved. */
  unhit(key: string): Promise<void>;
  /** Sends `message` to every instance's subscribers of `channel`: this one's first, even when Redis is away. */
  publish(channel: string, message: string): Promise<void>;
  /** Listens on `channel`; resolves with the function that stops listening. */
  subscribe(channel: string, listener: (message: string) => void): Promise<() => void>;
  /** Resolves when the cache answers (Redis: PING), rejects when it does not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
