import { EventEmitter } from 'node:events';
import type { Cache, WindowCount } from './cache.js';

/** Bound on live counters, so a flood of distinct keys cannot grow memory without limit. */
const MAX_COUNTERS = 100_000;

/** The in-process cache of the embedded default: one instance, so publish reaches only itself. */
export class MemoryCache implements Cache {
  readonly kind = 'memory';
  private readonly counters = new Map<string, { count: number; resetAt: number }>();
  private readonly events = new EventEmitter();

  constructor(private readonly now: () => number = Date.now) {
    this.events.setMaxListeners(0);
  }

  async hit(key: string, windowMs: number): Promise<WindowCount> {
    const now = this.now();
    let counter = this.counters.get(key);
    if (!counter || counter.resetAt <= now) {
      if (this.counters.size >= MAX_COUNTERS) this.sweep(now);
      counter = { count: 0, resetAt: now + windowMs };
      this.counters.set(key, counter);
    }
    counter.count += 1;
    return { count: counter.count, resetInMs: counter.resetAt - now };
  }

  async peek(key: string): Promise<WindowCount> {
    const now = this.now();
    const counter = this.counters.get(key);
    if (!counter || counter.resetAt <= now) return { count: 0, resetInMs: 0 };
    return { count: counter.count, resetInMs: counter.resetAt - now };
  }

  async unhit(key: string): Promise<void> {
    const counter = this.counters.get(key);
    if (counter && counter.resetAt > this.now() && counter.count > 0) counter.count -= 1;
  }

  async publish(channel: string, message: string): Promise<void> {
    this.events.emit(channel, message);
  }

  async subscribe(channel: string, listener: (message: string) => void): Promise<() => void> {
    this.events.on(channel, listener);
    return () => this.events.off(channel, listener);
  }

  async ping(): Promise<void> {
    // In-process: it answers while the process runs.
  }

  async close(): Promise<void> {
    this.events.removeAllListeners();
    this.counters.clear();
  }

  private sweep(now: number): void {
    for (const [key, counter] of this.counters) if (counter.resetAt <= now) this.counters.delete(key);
    // Still full of live counters: drop the oldest (Map keeps insertion order).
    for (const key of this.counters.keys()) {
      if (this.counters.size < MAX_COUNTERS) break;
      this.counters.delete(key);
    }
  }
}
