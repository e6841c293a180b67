/** Sleeps `ms` milliseconds of real time. */
export type Sleep = (ms: number) => Promise<void>;

/** The real `setTimeout` sleep. */
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Measures a bounded wait (for another process's refresh, for a failing store) on the token
 * manager's one clock, the injected `now`.
 *
 * The time spent is the larger of what that clock says has passed and what this wait itself slept.
 * On a real clock the two agree (the clock also counts the time spent in store calls), so the wait
 * ends on time as with `Date.now()`. On a clock that stands still — tests freeze it — the sleeps
 * alone still end the wait after its budget of real sleeping, instead of never. A clock moved
 * forward ends the wait early, as it moves every other deadline of the manager. `sleep` is
 * injectable so that the wait can be tested without sleeping.
 */
export class Stopwatch {
  readonly #now: () => number;
  readonly #sleep: Sleep;
  readonly #start: number;
  #slept = 0;

  constructor(now: () => number, sleep: Sleep = realSleep) {
    this.#now = now;
    this.#sleep = sleep;
    this.#start = now();
  }

  /** Milliseconds spent since the stopwatch started. */
  elapsed(): number {
    return Math.max(this.#now() - this.#start, this.#slept);
  }

  /** Sleeps `ms` (nothing if `ms <= 0`) and counts it. */
  async sleep(ms: number): Promise<void> {
    if (ms <= 0) return;
    await this.#sleep(ms);
    this.#slept += ms;
  }
}
