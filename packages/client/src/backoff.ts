// After a failed token request, background refresh or store write-back, wait this long before the
// next one, doubling: a server or store in trouble is not hammered, and recovers within a minute.
export const MIN_RETRY_DELAY_MS = 1_000;
export const MAX_RETRY_DELAY_MS = 60_000;

/**
 * A doubling back-off: each failure waits twice as long as the one before, from `minMs` up to
 * `maxMs`. The token manager uses one per thing it retries (token requests after a failure,
 * background refreshes, store write-backs, store polls) so that none of them hammers a server or a
 * store that is already in trouble.
 */
export class Backoff {
  readonly #minMs: number;
  readonly #maxMs: number;
  #delayMs = 0;
  #until = 0;

  constructor(minMs: number, maxMs: number) {
    this.#minMs = minMs;
    this.#maxMs = maxMs;
  }

  /** The next delay: `minMs` after a success, then twice the last one, at most `maxMs`. */
  next(): number {
    this.#delayMs = Math.min(Math.max(this.#minMs, this.#delayMs * 2), this.#maxMs);
    return this.#delayMs;
  }

  /** A failure (or an attempt to throttle) at `now`: nothing more before the next delay, nor before `notBefore`. */
  fail(now: number, notBefore = 0): void {
    this.#until = Math.max(now + this.next(), notBefore);
  }

  /** True while the wait of the last failure runs. */
  waiting(now: number): boolean {
    return now < this.#until;
  }

  /** A success: the next failure waits `minMs` again. A wait already running is kept. */
  succeed(): void {
    this.#delayMs = 0;
  }

  /** Ends the running wait; the next failure still doubles the last delay. */
  clearWait(): void {
    this.#until = 0;
  }

  /** Both: as new. */
  reset(): void {
    this.succeed();
    this.clearWait();
  }
}
