import { MemoryTokenStore, StoreError, type StoreSnapshot, type TokenLock, type TokenRecord, type TokenStore } from '../../src/index.js';

/** A store that records every call, and can be taken down and brought back. */
export class TestStore implements TokenStore {
  readonly calls: string[] = [];
  readonly inner: TokenStore;
  down = false;
  readonly #listeners = new Set<() => void>();

  constructor(inner: TokenStore = new MemoryTokenStore(), readonly withReconnect = true) {
    this.inner = inner;
    if (!withReconnect) this.onReconnect = undefined;
  }

  #check(name: string): void {
    this.calls.push(name);
    if (this.down) throw new StoreError('connect ECONNREFUSED 127.0.0.1:6379');
  }

  async read(key: string): Promise<StoreSnapshot> {
    this.#check('read');
    return this.inner.read(key);
  }

  async write(key: string, token: TokenRecord, ttlMs: number): Promise<TokenRecord> {
    this.#check('write');
    return this.inner.write(key, token, ttlMs);
  }

  async delete(key: string, accessToken: string): Promise<boolean> {
    this.#check('delete');
    return this.inner.delete(key, accessToken);
  }

  async setRetryAt(key: string, retryAt: number, ttlMs: number): Promise<void> {
    this.#check('setRetryAt');
    return this.inner.setRetryAt(key, retryAt, ttlMs);
  }

  async clearRetryAt(key: string): Promise<void> {
    this.#check('clearRetryAt');
    return this.inner.clearRetryAt?.(key);
  }

  async lock(key: string, ttlMs: number): Promise<TokenLock | null> {
    this.#check('lock');
    const lock = await this.inner.lock(key, ttlMs);
    if (!lock) return null;
    return {
      release: async () => {
        this.#check('release');
        await lock.release();
      },
    };
  }

  onReconnect?: (listener: () => void) => () => void = (listener) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** Brings the store back and tells subscribers, as ioredis's 'ready' does. */
  reconnect(): void {
    this.down = false;
    for (const listener of this.#listeners) listener();
  }
}
