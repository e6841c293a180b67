import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Cache, WindowCount } from './cache.js';
import { within } from '../async/within.js';

/** A Redis command that has not answered by then fails, and the caller falls back. */
const COMMAND_TIMEOUT_MS = 500;

/** Between the sender's id and the message on the wire (a UUID holds no newline). */
const SENDER_SEPARATOR = '\n';

/** How long start-up waits for Redis before going on without it. */
const CONNECT_WAIT_MS = 2000;

/** INCR then start the window on the first hit only (PEXPIRE NX, Redis 7), in one atomic script. */
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}`;

/** DECR only a live counter above zero, in one atomic script: DECR keeps the key's expiry. */
const UNHIT_SCRIPT = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 0 and redis.call('PTTL', KEYS[1]) > 0 then redis.call('DECR', KEYS[1]) end
return 0`;

/** The distributed cache: counters and pub/sub shared by every instance on one Redis. */
export class RedisCache implements Cache {
  readonly kind = 'redis';
  private readonly commands: Redis;
  private subscriber: Redis | undefined;
  private readonly listeners = new Map<string, Array<(message: string) => void>>();
  /** Marks what this instance publishes, so that it skips its own messages coming back from Redis. */
  private readonly instanceId = randomUUID();

  constructor(
    url: string,
    private readonly prefix: string,
    private readonly onError: (error: Error) => void = () => {},
  ) {
    // Fail fast while Redis is away: no offline queue and a short command timeout, so callers fall
    // back at once (the throttle lets requests through, announcements wait for the status re-check)
    // instead of queueing requests behind reconnection attempts.
    this.commands = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: 2000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    this.commands.on('error', this.onError);
  }

  /**
   * Connects, waiting at most `waitMs` and never failing: Redis holds only what can be rebuilt, so an
   * instance starts (and the `tessera` command works) while Redis is away; ioredis keeps reconnecting.
   */
  async connect(waitMs = CONNECT_WAIT_MS): Promise<void> {
    await waitAtMost(this.commands.connect(), waitMs);
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

  async unhit(key: string): Promise<void> {
    await this.commands.eval(UNHIT_SCRIPT, 1, this.prefix + key);
  }

  /**
   * This instance's listeners hear the message first, from memory, and only then is it sent to the
   * others: with Redis away the publish fails, and the instance that made a change (a revocation, a
   * deactivation) must not keep accepting what it just refused. The message goes out marked with this
   * instance's id, so that its echo from Redis is not heard twice.
   */
  async publish(channel: string, message: string): Promise<void> {
    this.deliver(this.prefix + channel, message);
    await this.commands.publish(this.prefix + channel, `${this.instanceId}${SENDER_SEPARATOR}${message}`);
  }

  private deliver(fullChannel: string, message: string): void {
    for (const listener of this.listeners.get(fullChannel) ?? []) listener(message);
  }

  async subscribe(channel: string, listener: (message: string) => void): Promise<() => void> {
    if (!this.subscriber) {
      // The subscriber connection queues its SUBSCRIBE until Redis answers, and resubscribes after a
      // reconnect (ioredis autoResubscribe).
      this.subscriber = this.commands.duplicate({ enableOfflineQueue: true, commandTimeout: undefined });
      this.subscriber.on('message', (fullChannel: string, raw: string) => {
        const separator = raw.indexOf(SENDER_SEPARATOR);
        // Heard already, from memory, when it was published.
        if (separator >= 0 && raw.slice(0, separator) === this.instanceId) return;
        this.deliver(fullChannel, separator >= 0 ? raw.slice(separator + 1) : raw);
      });
      this.subscriber.on('error', this.onError);
    }
    const full = this.prefix + channel;
    const list = this.listeners.get(full) ?? [];
    list.push(listener);
    this.listeners.set(full, list);
    // Listening from here on when Redis is up; when it is away, the subscription completes on reconnect.
    if (list.length === 1) await waitAtMost(this.subscriber.subscribe(full), CONNECT_WAIT_MS);
    return () => {
      const remaining = (this.listeners.get(full) ?? []).filter((l) => l !== listener);
      this.listeners.set(full, remaining);
      if (remaining.length === 0) this.subscriber?.unsubscribe(full).catch(this.onError);
    };
  }

  /** Fails within the command timeout while Redis is away (no offline queue). */
  async ping(): Promise<void> {
    await this.commands.ping();
  }

  async close(): Promise<void> {
    this.subscriber?.disconnect();
    this.commands.disconnect();
  }
}

/** Waits for `promise` at most `ms`, never rejecting (failures reach onError through ioredis). */
function waitAtMost(promise: Promise<unknown>, ms: number): Promise<void> {
  return within(promise, ms).catch(() => {});
}
