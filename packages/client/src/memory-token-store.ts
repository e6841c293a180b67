import { randomUUID } from 'node:crypto';
import type { StoreSnapshot, TokenLock, TokenRecord, TokenStore } from './token-store.js';

interface Entry {
  token: TokenRecord | null;
  retryAt: number | null;
  lock: { owner: string; expiresAt: number } | null;
}

/**
 * A {@link TokenStore} in this process's memory. Share one instance between the token managers
 * of a process; nothing survives a restart, so prefer {@link FileTokenStore} or
 * {@link RedisTokenStore} where restarts happen (they spend the quota otherwise).
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
      entry = { token: null, retryAt: null, lock: null };
      this.#entries.set(key, entry);
    }
    return entry;
  }

  /** {@inheritDoc TokenStore.read} */
  async read(key: string): Promise<StoreSnapshot> {
    const entry = this.#entries.get(key);
    return { token: entry?.token ? { ...entry.token } : null, retryAt: entry?.retryAt ?? null };
  }

  /** {@inheritDoc TokenStore.write} */
  async write(key: string, token: TokenRecord, _ttlMs: number): Promise<TokenRecord> {
    const entry = this.#entry(key);
    if (!entry.token || entry.token.expiresAt < token.expiresAt) entry.token = { ...token };
    return { ...entry.token };
  }

  /** {@inheritDoc TokenStore.delete} */
  async delete(key: string, accessToken: string): Promise<boolean> {
    const entry = this.#entries.get(key);
    if (!entry?.token || entry.token.accessToken !== accessToken) return false;
    entry.token = null;
    return true;
  }

  /** {@inheritDoc TokenStore.setRetryAt} */
  async setRetryAt(key: string, retryAt: number, _ttlMs: number): Promise<void> {
    const entry = this.#entry(key);
    entry.retryAt = Math.max(entry.retryAt ?? retryAt, retryAt);
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
