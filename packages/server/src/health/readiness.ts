import type { Cache } from '../cache/cache.js';
import { type Database, pingDatabase } from '../store/database.js';
import { within } from '../async/within.js';

/** How long a dependency may take to answer before it counts as unreachable. */
const READINESS_TIMEOUT_MS = 1000;

export interface ReadinessReport {
  /** 200 or 503: what a load balancer acts on. */
  statusCode: 200 | 503;
  body: {
    status: 'ready' | 'degraded';
    store: 'ok' | 'unreachable';
    redis: 'ok' | 'unreachable' | 'not configured';
  };
}

/**
 * Whether this instance can serve: the store answers a trivial query and Redis (when configured)
 * answers PING, each within {@link READINESS_TIMEOUT_MS}.
 *
 * Redis down leaves the instance ready (200, status "degraded"): the store decides the quota and every
 * credential, Redis holds only what can be rebuilt, and Redis is shared, so taking instances out for it
 * would turn a Redis outage into an outage of the whole fleet. The store down makes it unready (503).
 */
export class Readiness {
  /** One check at a time: load balancers polling a hung store must not pile up queries behind it. */
  private pending: Promise<ReadinessReport> | undefined;

  constructor(
    private readonly database: Database,
    private readonly cache: Cache,
    private readonly timeoutMs = READINESS_TIMEOUT_MS,
  ) {}

  check(): Promise<ReadinessReport> {
    this.pending ??= this.run().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async run(): Promise<ReadinessReport> {
    const [store, redis] = await Promise.all([
      answers(pingDatabase(this.database.db), this.timeoutMs),
      this.cache.kind === 'redis' ? answers(this.cache.ping(), this.timeoutMs) : Promise.resolve(undefined),
    ]);
    const body: ReadinessReport['body'] = {
      status: store && redis !== false ? 'ready' : 'degraded',
      store: store ? 'ok' : 'unreachable',
      redis: redis === undefined ? 'not configured' : redis ? 'ok' : 'unreachable',
    };
    return { statusCode: store ? 200 : 503, body };
  }
}

/** Whether `promise` resolves within `ms`. */
function answers(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return within(promise, ms).then(() => true, () => false);
}
