import { Redis } from 'ioredis';
import type { Cache, WindowCount } from './cache.js';

/** INCR then start the window on the first hit only (PEXPIRE NX, Redis 7), in one atomic script. */
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}`;

/** The distributed cache: counters and pub/sub shared by every instance on one Redis. */
export class RedisCache implements Cache {
  readonly kind = 'redis';
  private readonly commands: Redis;
  private subscriber: Redis | undefined;
  private readonly listeners = new Map<string, Array<(message: string) => void>>();

  constructor(
    url: string,
    private readonly prefix: string,
    private readonly onError: (error: Error) => void = () => {},
  ) {
    // Fail fast while Redis is away: callers fall back rather than queue requests behind it.
    this.commands = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: true, connectTimeout: 2000 });
    this.commands.on('error', this.onError);
  }

  async connect(): Promise<void> {
    await this.commands.connect();
  }

  async hit(key: string, windowMs: number): Promise<WindowCount> {
    const [count, ttl] = (await this.commands.eval(HIT_SCRIPT, 1, this.prefix + key, windowMs)) as [number, number];
    return { count, resetInMs: ttl };
  }

  async peek(key: string): Promise<WindowCount> {
    const [[, count], [, ttl]] = (await this.commands.multi().get(this.prefix + key).pttl(this.prefix + key).exec()) as [
      [Error | null, string | null],
      [Error | null, number],
    ];
    if (count === null || ttl < 0) return { count: 0, resetInMs: 0 };
    return { count: Number(count), resetInMs: ttl };
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.commands.publish(this.prefix + channel, message);
  }

  async subscribe(channel: string, listener: (message: string) => void): Promise<void> {
    if (!this.subscriber) {
      this.subscriber = this.commands.duplicate();
      this.subscriber.on('message', (fullChannel: string, message: string) => {
        for (const l of this.listeners.get(fullChannel) ?? []) l(message);
      });
      // Resubscribes by itself after a reconnect (ioredis autoResubscribe).
      this.subscriber.on('error', this.onError);
    }
    const full = this.prefix + channel;
    const list = this.listeners.get(full) ?? [];
    list.push(listener);
    this.listeners.set(full, list);
    if (list.length === 1) await this.subscriber.subscribe(full);
  }

  async close(): Promise<void> {
    this.subscriber?.disconnect();
    this.commands.disconnect();
  }
}
