import { Backoff, MAX_RETRY_DELAY_MS, MIN_RETRY_DELAY_MS } from './backoff.js';
import { LockTimeoutError } from './errors.js';
import type { RequestGate } from './request-gate.js';
import { Stopwatch, type Sleep } from './stopwatch.js';
import type { StoreSync } from './store-sync.js';
import type { TokenIssuer } from './token-issuer.js';
import type { ManagerSettings } from './token-manager-options.js';
import type { TokenHolder } from './token-holder.js';
import type { TokenLock, TokenRecord } from './token-store.js';

// Polls of a failing store, and of a store another process is filling, back off up to this.
const MAX_POLL_DELAY_MS = 1_000;

/** What {@link TokenRefresher} works with besides the settings. */
export interface TokenRefresherParts {
  holder: TokenHolder;
  gate: RequestGate;
  sync: StoreSync;
  issuer: TokenIssuer;
  /** The real-time sleep of the bounded waits (see {@link Stopwatch}). */
  sleep: Sleep;
}

type RefresherSettings = Pick<ManagerSettings, 'now' | 'waitTimeoutMs' | 'storeRetryMs' | 'lockTtlMs'>;

/**
 * The token manager's slow path: one flight at a time per process that reads the store, takes the
 * fleet's refresh lock (or waits, bounded, for the holder to fill the store) and has the
 * {@link TokenIssuer} ask the server. Inside the refresh window it runs in the background.
 */
export class TokenRefresher {
  readonly #s: RefresherSettings;
  readonly #p: TokenRefresherParts;
  #inflight: Promise<TokenRecord> | null = null;
  /** Background refresh attempts (inside the window) back off while they do not produce a fresh token. */
  readonly #background = new Backoff(MIN_RETRY_DELAY_MS, MAX_RETRY_DELAY_MS);

  constructor(settings: RefresherSettings, parts: TokenRefresherParts) {
    this.#s = settings;
    this.#p = parts;
  }

  /** The flight running, if any. */
  get inflight(): Promise<TokenRecord> | null {
    return this.#inflight;
  }

  /** Lets the next background refresh start at once (`clearRefusal`). */
  clearBackoff(): void {
    this.#background.reset();
  }

  /** A valid token when the in-process one is missing, expired or inside the refresh window. */
  async get(): Promise<TokenRecord> {
    const { holder, sync } = this.#p;
    const now = this.#s.now();
    const current = holder.current;
    sync.writeBackIfPending();
    const fresh = holder.fresh();
    if (fresh) return fresh;
    if (current !== null && now < current.record.expiresAt) {
      // Inside the window with a valid token: callers never wait; one background attempt at a time.
      this.#startBackgroundRefresh(now);
      return current.record;
    }
    let record = await (this.#inflight ?? this.#startFlight(false));
    if (this.#s.now() >= record.expiresAt) record = await this.#startFlight(false); // a flight started before expiry
    // A cold start that found a token inside the window uses it at once and renews it in the background.
    const latest = holder.current;
    if (latest?.record === record && this.#s.now() >= latest.refreshAt) this.#startBackgroundRefresh(this.#s.now());
    return record;
  }

  #startFlight(background: boolean): Promise<TokenRecord> {
    const flight = this.#flight(background).finally(() => {
      if (this.#inflight === flight) this.#inflight = null;
    });
    this.#inflight = flight;
    return flight;
  }

  #startBackgroundRefresh(now: number): void {
    if (this.#inflight || this.#background.waiting(now)) return;
    this.#startFlight(true).then(
      (record) => {
        const current = this.#p.holder.current;
        if (current && current.record === record && this.#s.now() < current.refreshAt) this.#background.reset();
        else this.#backOffBackground();
      },
      () => this.#backOffBackground(),
    );
  }

  #backOffBackground(): void {
    this.#background.fail(this.#s.now(), this.#p.gate.retryAt);
  }

  /**
   * Resolves to a token valid now, or rejects. A foreground flight (a caller is waiting and has no
   * valid token) returns a valid token from the store at once; a background one renews a token that
   * is inside the window.
   */
  async #flight(background: boolean): Promise<TokenRecord> {
    const { holder, sync, issuer } = this.#p;
    const watch = new Stopwatch(this.#s.now, this.#p.sleep);
    const poll = new Backoff(100, MAX_POLL_DELAY_MS);
    for (;;) {
      const snapshot = await sync.read();
      if (snapshot) {
        await sync.merge(snapshot);
        const fresh = holder.fresh();
        if (fresh) return fresh; // the store had a token outside the window: no lock
        const valid = holder.valid();
        if (valid && !background) return valid;
        return this.#refreshWithLock();
      }
      // The store failed. With a valid token there is no hurry; without one, give it a moment
      // (a failover, a slow start) before going to the token endpoint alone.
      const left = this.#s.storeRetryMs - watch.elapsed();
      if (holder.valid() || left <= 0) return issuer.requestWithoutStore();
      await watch.sleep(Math.min(poll.next(), left));
    }
  }

  async #refreshWithLock(): Promise<TokenRecord> {
    const { holder, gate, sync, issuer } = this.#p;
    const watch = new Stopwatch(this.#s.now, this.#p.sleep);
    const poll = new Backoff(25, MAX_POLL_DELAY_MS);
    for (;;) {
      const blocked = gate.blocked();
      if (blocked) return blocked();
      const lock = await sync.lock(this.#s.lockTtlMs);
      // As in #flight: only a process with no valid token gives the store a moment to come back.
      if (lock === 'failed' && (holder.valid() || watch.elapsed() >= this.#s.storeRetryMs)) return issuer.requestWithoutStore();
      if (lock !== 'failed' && lock !== 'busy') return this.#refreshLocked(lock);

      // Another process is refreshing: keep using a still-valid token, or wait for the store to fill.
      const valid = holder.valid();
      if (valid) return valid;
      const left = this.#s.waitTimeoutMs - watch.elapsed();
      if (left <= 0) {
        throw new LockTimeoutError(`Another process held the token refresh lock and no token appeared within ${this.#s.waitTimeoutMs} ms`);
      }
      await watch.sleep(Math.min(poll.next(), left));
      if (lock === 'failed') continue;
      const snapshot = await sync.read();
      if (!snapshot) continue; // the next lock attempt tells whether the store is really gone
      await sync.merge(snapshot);
      const adopted = holder.valid();
      if (adopted) return adopted;
    }
  }

  async #refreshLocked(lock: TokenLock): Promise<TokenRecord> {
    const { holder, gate, sync, issuer } = this.#p;
    try {
      // Re-read once the lock is held: the previous holder may have just stored a new token.
      const snapshot = await sync.read();
      if (snapshot) await sync.merge(snapshot);
      const fresh = holder.fresh();
      if (fresh) return fresh;
      if (!snapshot) return await issuer.requestWithoutStore();
      const blocked = gate.blocked();
      if (blocked) return blocked();
      return await issuer.request();
    } finally {
      lock.release().catch(() => undefined); // it expires on its own if Redis is gone
    }
  }
}
