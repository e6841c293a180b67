import type { TokenRecord } from './token-store.js';

/** The in-process token and the moment it enters the refresh window. */
export interface HeldToken {
  record: TokenRecord;
  /** From this time on the token is inside the refresh window. */
  refreshAt: number;
}

/**
 * The token manager's in-process copy of the token: what `getToken` serves without any I/O.
 * It only ever moves to a token that expires later, and never back to one the API rejected.
 */
export class TokenHolder {
  readonly #now: () => number;
  readonly #refreshWindowMs: number;
  readonly #onAdopt: () => void;
  #current: HeldToken | null = null;
  /** A token the API rejected (401): never adopt it again from the store. */
  #rejected: string | null = null;

  /** `onAdopt` runs whenever a token is taken (the manager starts its background store check). */
  constructor(now: () => number, refreshWindowMs: number, onAdopt: () => void) {
    this.#now = now;
    this.#refreshWindowMs = refreshWindowMs;
    this.#onAdopt = onAdopt;
  }

  get current(): HeldToken | null {
    return this.#current;
  }

  /** Keeps `record` if it expires later than the current token (or `force`). */
  adopt(record: TokenRecord | null, force = false): void {
    if (!record || record.accessToken === this.#rejected) return;
    const current = this.#current;
    if (!force && current && current.record.expiresAt >= record.expiresAt) return;
    const lifetime = record.expiresAt - record.obtainedAt;
    // Tango's window is 4 of 24 hours; a server with short-lived tokens gets at most half their life.
    const window = Math.min(this.#refreshWindowMs, Math.max(0, lifetime / 2));
    this.#current = { record, refreshAt: record.expiresAt - window };
    this.#onAdopt();
  }

  /** Drops `accessToken` (if it is the current token) and never adopts it again. */
  reject(accessToken: string): void {
    this.#rejected = accessToken;
    if (this.#current?.record.accessToken === accessToken) this.#current = null;
  }

  /** The token if it is outside the refresh window. */
  fresh(): TokenRecord | null {
    const current = this.#current;
    return current && this.#now() < current.refreshAt ? current.record : null;
  }

  /** The token if it has not expired. */
  valid(): TokenRecord | null {
    const current = this.#current;
    return current && this.#now() < current.record.expiresAt ? current.record : null;
  }

  /** How long a store should keep `record`: until it expires. */
  ttl(record: TokenRecord): number {
    return Math.max(1, record.expiresAt - this.#now());
  }
}
