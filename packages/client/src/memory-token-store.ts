import { randomUUID } from 'node:crypto';
import type { StoreSnapshot, TokenLock, TokenRecord, TokenStore } from './token-store.js';

interface Entry {
  token: TokenRecord | null;
  tokenKeepUntil: number;
  retryAt: number | null;
  retryKeepUntil: number;
  lock: { owner: string; expiresAt: number } | null;
}

/**
 * A {@link TokenStore} in this process's memory. Share one instance between the token managers
 * of a process; nothing survives a restart, so prefer {@link FileTokenStore} or
 * {@link RedisTokenStore} where restarts happen (each restart would otherwise spend the quota).
 *
 * @example
 * ```ts
 * import { MemoryTokenStore, TokenManager } from '@tessera/client';
 *
 * const tokens = new TokenManager({
 *   tokenUrl: 'http://127.0.0.1:3000/oauth/token',
 *   clientId: process.env.TESSERA_CLIENT_ID!,
 *   clientSecret: process.env.TESSERA_CLIENT_SECRET!,
 *   store: new MemoryTokenStore(),
 * });
 * ```
 */
export class MemoryTokenStore implements TokenStore {
  readonly #entries = new Map<string, Entry>();

  #entry(key: string): Entry {
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = { token: null, tokenKeepUntil: 0, retryAt: null, retryKeepUntil: 0, lock: null };
      this.#entries.set(key, entry);
    }
    return entry;
  }

  #token(entry: Entry | undefined, now: number): TokenRecord | null {
    return entry?.token && entry.tokenKeepUntil > now ? entry.token : null;
  }

  /** {@inheritDoc TokenStore.read} */
  async read(key: string): Promise<StoreSnapshot> {
    const entry = this.#entries.get(key);
    const now = Date.now();
    const token = this.#token(entry, now);
    return {
      token: token ? { ...token } : null,
      retryAt: entry && entry.retryAt !== null && entry.retryKeepUntil > now ? entry.retryAt : null,
    };
  }

  /** {@inheritDoc TokenStore.write} */
  async write(key: string, token: TokenRecord, ttlMs: number): Promise<TokenRecord> {
    const entry = this.#entry(key);
    const now = Date.now();
    const current = this.#token(entry, now);
    if (current && current.expiresAt >= token.expiresAt) return { ...current };
    entry.token = { ...token };
    entry.tokenKeepUntil = now + Math.max(1, ttlMs);
    return { ...token };
  }

  /** {@inheritDoc TokenStore.delete} */
  async delete(key: string, accessToken: string): Promise<boolean> {
    const entry = this.#entries.get(key);
    if (this.#token(entry, Date.now())?.accessToken !== accessToken || !entry) return false;
    entry.token = null;
    return true;
  }

  /** {@inheritDoc TokenStore.setRetryAt} */
  async setRetryAt(key: string, retryAt: number, ttlMs: number): Promise<void> {
    const entry = this.#entry(key);
    const now = Date.now();
    if (entry.retryAt !== null && entry.retryKeepUntil > now && entry.retryAt >= retryAt) return;
    entry.retryAt = retryAt;
    entry.retryKeepUntil = now + Math.max(1, ttlMs);
  }

  /** {@inheritDoc TokenStore.clearRetryAt} */
  async clearRetryAt(key: string): Promise<void> {
    const entry = this.#entries.get(key);
    if (entry) entry.retryAt = null;
  }

  /** {@inheritDoc TokenStore.lock} */
  async lock(key: string, ttlMs: number): Promise<TokenLock | null> {
    const entry = this.#entry(key);
    const now = Date.now();
    if (entry.lock && entry.lock.expiresAt > now) return null;
    const owner = randomUUID();
    entry.lock = { owner, expiresAt: now + ttlMs };
    return {
      release: async () => {
        if (entry.lock?.owner === owner) entry.lock = null;
      },
    };
  }
}
