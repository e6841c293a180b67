import { Backoff, MAX_RETRY_DELAY_MS, MIN_RETRY_DELAY_MS } from './backoff.js';
import { RateLimitedError, type TokenError } from './errors.js';
import type { TokenHolder } from './token-holder.js';
import type { TokenRecord } from './token-store.js';

/**
 * When the token manager may ask the token endpoint: not before the server's `Retry-After` (except a
 * re-check of the refusal), not during the back-off after a failed request, and — with no store to
 * coordinate through — not twice in one quota window. State only: the store I/O is the caller's.
 */
export class RequestGate {
  readonly #holder: TokenHolder;
  readonly #now: () => number;
  readonly #recheckIntervalMs: number;
  readonly #quotaWindowMs: number;
  /** No token request before this time (Retry-After), except a re-check of the refusal. */
  #retryAt = 0;
  /** With no valid token, the refusal may be re-checked from this time on (fleet-wide through the store). */
  #nextRecheckAt = 0;
  /** After a failed request: no new request during its back-off; `#lastFailure` is thrown meanwhile. */
  readonly #failures = new Backoff(MIN_RETRY_DELAY_MS, MAX_RETRY_DELAY_MS);
  #lastFailure: TokenError | null = null;
  #failureWarned = false;
  /** When this process last received a token from the server. */
  #lastIssuedAt: number | null = null;

  constructor(holder: TokenHolder, now: () => number, recheckIntervalMs: number, quotaWindowMs: number) {
    this.#holder = holder;
    this.#now = now;
    this.#recheckIntervalMs = recheckIntervalMs;
    this.#quotaWindowMs = quotaWindowMs;
  }

  get retryAt(): number {
    return this.#retryAt;
  }

  /** True while the server's refusal stands (a request now is a re-check). */
  refused(): boolean {
    return this.#now() < this.#retryAt;
  }

  /** Keeps the later of the current `Retry-After` and `retryAt` (the server's or the fleet's). */
  extendRetryAt(retryAt: number): void {
    this.#retryAt = Math.max(this.#retryAt, retryAt);
  }

  /** Keeps the later of the next re-check and `recheckAt` (the fleet's). */
  extendRecheckAt(recheckAt: number): void {
    this.#nextRecheckAt = Math.max(this.#nextRecheckAt, recheckAt);
  }

  /** Whether the store's re-check time matters at all (it is read only then). */
  get rechecks(): boolean {
    return this.#recheckIntervalMs > 0;
  }

  /** The next re-check, an interval from now (`null`: re-checks are off); record it for the fleet. */
  scheduleRecheck(): number | null {
    if (this.#recheckIntervalMs === 0) return null;
    const next = this.#now() + this.#recheckIntervalMs;
    this.extendRecheckAt(next);
    return next;
  }

  /**
   * A function that answers instead of a request when Retry-After or a recent failure forbids one:
   * the valid token if there is one, else the reason as an error.
   */
  blocked(): (() => TokenRecord) | null {
    const now = this.#now();
    if (now < this.#retryAt && !this.#recheckDue(now)) {
      const retryAt = this.#retryAt;
      return () => {
        const valid = this.#holder.valid();
        if (valid) return valid;
        throw new RateLimitedError(`Token quota exceeded; no new token before ${new Date(retryAt).toISOString()}`, retryAt);
      };
    }
    const failure = this.#lastFailure;
    if (this.#failures.waiting(now) && failure) {
      return () => {
        const valid = this.#holder.valid();
        if (valid) return valid;
        throw failure;
      };
    }
    return null;
  }

  /**
   * With no valid token left, a refusal is asked again every `refusalRecheckIntervalMs`: Retry-After
   * (RFC 6585 §4, RFC 9110 §10.2.3) is the server's estimate, and an administrator's quota reset ends
   * it early. With a valid token there is nothing to recover, so the server's time is kept.
   */
  #recheckDue(now: number): boolean {
    return this.#recheckIntervalMs > 0 && now >= this.#nextRecheckAt && this.#holder.valid() === null;
  }

  /** With the store down: the refusal of a second request in this quota window, or `null`. */
  quotaWindowRefusal(): RateLimitedError | null {
    const last = this.#lastIssuedAt;
    if (this.#quotaWindowMs === 0 || last === null || this.#now() - last >= this.#quotaWindowMs) return null;
    return new RateLimitedError(
      'The token store is unavailable and this process already received a token in this quota window',
      last + this.#quotaWindowMs,
    );
  }

  /** The server issued `record`. If it had refused before, the refusal is over (the quota was reset). */
  issued(record: TokenRecord, wasRefused: boolean): void {
    this.#lastIssuedAt = record.obtainedAt;
    this.#failures.reset();
    this.#lastFailure = null;
    this.#failureWarned = false;
    if (wasRefused) {
      this.#retryAt = 0;
      this.#nextRecheckAt = 0;
    }
  }

  /** A request failed (not a refusal): no new request during the back-off (1 s, doubling to 60 s). */
  failed(err: TokenError): void {
    this.#failures.fail(this.#now());
    this.#lastFailure = err;
  }

  /** True once per run of failures: the first failure hidden behind a valid token is worth a warning. */
  warnOnce(): boolean {
    if (this.#failureWarned) return false;
    this.#failureWarned = true;
    return true;
  }

  /** Forgets the refusal, the failure back-off and the quota-window guard (`clearRefusal`). */
  clear(): void {
    this.#retryAt = 0;
    this.#nextRecheckAt = 0;
    this.#failures.clearWait();
    this.#lastFailure = null;
    this.#lastIssuedAt = null;
  }
}
