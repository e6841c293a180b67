import type { FastifyBaseLogger } from 'fastify';
import type { Cache } from '../cache/cache.js';
import { TesseraError } from '../errors/tessera-error.js';
import { logAtMostEvery } from '../log/log-at-most-every.js';


/** Which counters a throttle keeps, and what it says when one is used up. */
export interface ThrottleKind {
  /** The counters' key prefix: throttles of different kinds never share a count. */
  namespace: string;
  message: string;
}

/** Failed client and API authentications per address: the token endpoint's and the API guard's. */
export const ADDRESS_AUTH_FAILURES: ThrottleKind = { namespace: 'authfail', message: 'Too many failed authentication attempts from this address' };

/**
 * Counts failed authentications per key (a client address, by default) in a fixed window, shared by
 * every instance through the cache. Only failures count, and the default limit (100 a minute) is far
 * above what an honest client meets. When the cache is unreachable it lets requests through: the
 * credentials still have to be right, and an outage of Redis must not become an outage of the API.
 */
export class FailureThrottle {
  /** While the cache is away, say so once a minute rather than on every request. */
  private readonly outage: (error: unknown, message: string) => void;

  constructor(
    private readonly cache: Cache,
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly log: Pick<FastifyBaseLogger, 'warn'>,
    now: () => number = Date.now,
    private readonly kind: ThrottleKind = ADDRESS_AUTH_FAILURES,
  ) {
    this.outage = logAtMostEvery(60_000, (error: unknown, message: string) => this.log.warn({ err: error }, message), now);
  }

  /** Throws the domain's `too_many_failures` when `address` (the key) has used up its failures. */
  async check(address: string): Promise<void> {
    const blocked = await this.blocked(address);
    if (blocked) throw new TesseraError('too_many_failures', blocked.message, { retryAfterSeconds: blocked.retryAfterSeconds });
  }

  /**
   * Whether `address` has used up its failures, and for how long, without an exception: the token
   * endpoint answers a flood with it, at the lowest cost it can (issue 12).
   */
  async blocked(address: string): Promise<{ message: string; retryAfterSeconds: number } | undefined> {
    try {
      const { count, resetInMs } = await this.cache.peek(this.key(address));
      if (count >= this.limit) return { message: this.kind.message, retryAfterSeconds: Math.max(1, Math.ceil(resetInMs / 1000)) };
    } catch (error) {
      this.outage(error, 'failure throttle unavailable: letting requests through');
    }
    return undefined;
  }

  /**
   * Counts an attempt before it is evaluated, and throws `too_many_failures` when the count goes past
   * the limit: one atomic increment, so however many requests arrive at once, on however many
   * instances, at most `limit` are evaluated in a window. A check before and a count after (check, then
   * recordFailure) lets a parallel burst through, every request reading the count before any is added.
   * An attempt that turns out well is given back with {@link release}.
   */
  async reserve(address: string): Promise<void> {
    let counted: { count: number; resetInMs: number };
    try {
      counted = await this.cache.hit(this.key(address), this.windowMs);
    } catch (error) {
      this.outage(error, 'failure throttle unavailable: letting requests through');
      return;
    }
    if (counted.count > this.limit) {
      throw new TesseraError('too_many_failures', this.kind.message, { retryAfterSeconds: Math.max(1, Math.ceil(counted.resetInMs / 1000)) });
    }
  }

  /** Gives back an attempt {@link reserve} counted: it succeeded, or was never evaluated. */
  async release(address: string): Promise<void> {
    try {
      await this.cache.unhit(this.key(address));
    } catch (error) {
      this.outage(error, 'failure throttle unavailable: an attempt stays counted');
    }
  }

  async recordFailure(address: string): Promise<void> {
    try {
      await this.cache.hit(this.key(address), this.windowMs);
    } catch (error) {
      this.outage(error, 'failure throttle unavailable: failures not counted');
    }
  }

  private key(address: string): string {
    return `${this.kind.namespace}:${address}`;
  }
}
