/**
 * The one small interface every token store implements. A store is shared by all the processes
 * (and machines) that use the same OAuth client, so that a restart or a fleet of processes
 * reuses one token instead of spending the issuance quota.
 */

/**
 * An access token as kept in a store. It never holds the client secret.
 *
 * @example
 * ```ts
 * const record: TokenRecord = {
 *   accessToken: 'eyJ…', tokenType: 'Bearer', scope: 'raas.all',
 *   obtainedAt: 1_700_000_000_000, expiresAt: 1_700_086_400_000,
 * };
 * ```
 */
export interface TokenRecord {
  /** The access token. */
  accessToken: string;
  /** Always `Bearer` (RFC 6750). */
  tokenType: string;
  /** The scope the server granted, or `null` when it did not say. */
  scope: string | null;
  /** When the response arrived, in epoch ms on the clock of the process that fetched it. */
  obtainedAt: number;
  /** `obtainedAt + expires_in * 1000`: computed from `expires_in`, never from the JWT `exp`. */
  expiresAt: number;
}

/**
 * What a store holds for one key: the token (if any) and the time before which nobody in the
 * fleet may ask for a new one (from the server's `Retry-After`), if any.
 *
 * @example
 * ```ts
 * const { token, retryAt } = await store.read(key);
 * if (!token && retryAt !== null) console.log('over quota until', new Date(retryAt));
 * ```
 */
export interface StoreSnapshot {
  token: TokenRecord | null;
  retryAt: number | null;
}

/**
 * A fleet-wide refresh lock held by one process. Release it when done; it also expires on its
 * own after the TTL it was taken with, so a crashed holder cannot block the fleet.
 *
 * @example
 * ```ts
 * const lock = await store.lock(key, 20_000);
 * if (lock) try { … } finally { await lock.release(); }
 * ```
 */
export interface TokenLock {
  /** Releases the lock if this holder still owns it (a lock taken over after expiry is left alone). */
  release(): Promise<void>;
}

/**
 * Storage for tokens shared between processes. `key` is opaque, made by {@link tokenCacheKey}
 * from the token URL, client id, audience and scope, so different clients never mix.
 * Implementations: {@link MemoryTokenStore}, {@link FileTokenStore}, {@link RedisTokenStore};
 * any other must keep these guarantees. Failures reject (preferably with a {@link StoreError}).
 *
 * @example
 * ```ts
 * // A store that wraps another and logs every write.
 * class LoggingStore implements TokenStore {
 *   constructor(private inner: TokenStore) {}
 *   read(key: string) { return this.inner.read(key); }
 *   write(key: string, token: TokenRecord, ttlMs: number) {
 *     console.log('write', key);
 *     return this.inner.write(key, token, ttlMs);
 *   }
 *   delete(key: string, accessToken: string) { return this.inner.delete(key, accessToken); }
 *   setRetryAt(key: string, retryAt: number, ttlMs: number) { return this.inner.setRetryAt(key, retryAt, ttlMs); }
 *   lock(key: string, ttlMs: number) { return this.inner.lock(key, ttlMs); }
 * }
 * ```
 */
export interface TokenStore {
  /** Reads the token and the fleet-wide `retryAt` for `key`. */
  read(key: string): Promise<StoreSnapshot>;
  /**
   * Compare-and-set, atomically: stores `token` unless the stored token expires at the same
   * time or later, and resolves to the token the store holds afterwards (yours, or the later one).
   * `ttlMs` is how long the entry is worth keeping (stores may drop it after).
   */
  write(key: string, token: TokenRecord, ttlMs: number): Promise<TokenRecord>;
  /** Compare-and-delete, atomically: removes the stored token only if it is `accessToken`. Resolves `true` if removed. */
  delete(key: string, accessToken: string): Promise<boolean>;
  /** Records, for the whole fleet, that no token request may be made before `retryAt` (kept for `ttlMs`). Keeps the later time. */
  setRetryAt(key: string, retryAt: number, ttlMs: number): Promise<void>;
  /**
   * Optional: forgets the fleet-wide `retryAt` for `key` (after an administrator reset the quota; see
   * {@link TokenManager.clearRefusal}). Without it a cleared refusal lasts until the next re-check.
   */
  clearRetryAt?(key: string): Promise<void>;
  /** Tries once to take the refresh lock for `ttlMs` (real time). Resolves `null` if someone else holds it. */
  lock(key: string, ttlMs: number): Promise<TokenLock | null>;
  /**
   * Optional: calls `listener` whenever the backing service is (re)connected — e.g. Redis came
   * back after an outage or a failover — so token managers can put their token back. Returns an unsubscribe function.
   */
  onReconnect?(listener: () => void): () => void;
  /** Optional: releases connections the store opened itself. */
  close?(): Promise<void>;
}
