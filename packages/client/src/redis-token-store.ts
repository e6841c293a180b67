import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Redis, RedisOptions } from 'ioredis';
import { InvalidArgumentError, StoreError } from './errors.js';
import { parseTokenRecord, serializeTokenRecord } from './record.js';
import type { StoreSnapshot, TokenLock, TokenRecord, TokenStore } from './token-store.js';

/**
 * Where {@link RedisTokenStore} connects: a Redis URL (the store opens and owns its own
 * connection, loading `ioredis` on first use), or an `ioredis` client you already have
 * (the store uses it as is and never closes it).
 *
 * @example
 * ```ts
 * const byUrl: RedisConnection = { url: 'redis://127.0.0.1:6379/0' };
 * const byClient: RedisConnection = { client: new Redis(process.env.REDIS_URL!) };
 * ```
 */
export type RedisConnection = { url: string } | { client: Redis };

/**
 * Options of {@link RedisTokenStore}.
 *
 * @example
 * ```ts
 * const options: RedisTokenStoreOptions = { keyPrefix: 'myapp:tessera:', commandTimeoutMs: 500 };
 * ```
 */
export interface RedisTokenStoreOptions {
  /** Prefix of every key the store writes. Default `tessera:`. */
  keyPrefix?: string;
  /** A store command that takes longer fails (and the token manager carries on without the store). Default 2000 ms. */
  commandTimeoutMs?: number;
  /** How long the first command waits for the first connection (URL form only). Default 2000 ms. */
  connectTimeoutMs?: number;
}

// Compare-and-set: never replace a token by one that expires at the same time or earlier.
const WRITE_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local ok, old = pcall(cjson.decode, cur)
  if ok and type(old) == 'table' and type(old.expiresAt) == 'number' and old.expiresAt >= tonumber(ARGV[2]) then
    return cur
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return ARGV[1]
`;

// Compare-and-delete: drop the token only if it is the one that failed.
const DELETE_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
local ok, old = pcall(cjson.decode, cur)
if ok and type(old) == 'table' and old.accessToken == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`;

const SET_RETRY_SCRIPT = `
local cur = tonumber(redis.call('GET', KEYS[1]))
if cur and cur >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;

// Token-checked release: a lock that expired and was taken by another process is not ours to delete.
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * A {@link TokenStore} in Redis, shared by every process and machine of a fleet. The refresh lock
 * is `SET NX PX` with a token-checked release; writes and deletes are Lua compare-and-set /
 * compare-and-delete. Keys are `<keyPrefix>{<key>}` (plus `:lock` and `:retry`); the hash tag keeps
 * them in one Redis Cluster slot. `ioredis` is an optional peer dependency (`npm install ioredis`),
 * loaded only when the store is first used; without it every call fails with a {@link StoreError}.
 *
 * When the store opens its own connection it disables ioredis's offline queue, so that commands
 * fail fast while Redis is down instead of waiting; the token manager then carries on with its
 * in-process token and writes it back when Redis returns.
 *
 * @example
 * ```ts
 * import { RedisTokenStore, TokenManager } from '@tessera/client';
 *
 * const store = new RedisTokenStore({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }, { keyPrefix: 'myapp:' });
 * const tokens = new TokenManager({
 *   tokenUrl: 'http://127.0.0.1:3000/oauth/token',
 *   clientId: process.env.TESSERA_CLIENT_ID!,
 *   clientSecret: process.env.TESSERA_CLIENT_SECRET!,
 *   store,
 * });
 * // … on shutdown:
 * await store.close();
 * ```
 */
export class RedisTokenStore implements TokenStore {
  /** The prefix of every key this store writes. */
  readonly keyPrefix: string;
  readonly #url: string | undefined;
  readonly #commandTimeoutMs: number;
  readonly #connectTimeoutMs: number;
  readonly #listeners = new Set<() => void>();
  #client: Redis | undefined;
  #clientPromise: Promise<Redis> | undefined;
  #everReady = false;
  #firstReady: Promise<void> | undefined;
  #closed = false;
  readonly #onReady = (): void => {
    this.#everReady = true;
    for (const listener of [...this.#listeners]) listener();
  };

  constructor(connection: RedisConnection, options: RedisTokenStoreOptions = {}) {
    if (connection && 'client' in connection && connection.client) {
      this.#client = connection.client;
      this.#clientPromise = Promise.resolve(connection.client);
      this.#client.on('ready', this.#onReady);
    } else if (connection && 'url' in connection && typeof connection.url === 'string' && connection.url.length > 0) {
      this.#url = connection.url;
    } else {
      throw new InvalidArgumentError('RedisTokenStore needs { url } or { client }');
    }
    this.keyPrefix = options.keyPrefix ?? 'tessera:';
    this.#commandTimeoutMs = positive(options.commandTimeoutMs, 2000, 'commandTimeoutMs');
    this.#connectTimeoutMs = positive(options.connectTimeoutMs, 2000, 'connectTimeoutMs');
  }

  /** {@inheritDoc TokenStore.read} */
  async read(key: string): Promise<StoreSnapshot> {
    const [token, retryAt] = await this.#run('read', (c) => c.mget(this.#tokenKey(key), this.#retryKey(key)));
    const retry = retryAt === null || retryAt === undefined ? null : Number(retryAt);
    return { token: token ? parseTokenRecord(token) : null, retryAt: retry !== null && Number.isFinite(retry) ? retry : null };
  }

  /** {@inheritDoc TokenStore.write} */
  async write(key: string, token: TokenRecord, ttlMs: number): Promise<TokenRecord> {
    const stored = await this.#run('write', (c) =>
      c.eval(WRITE_SCRIPT, 1, this.#tokenKey(key), serializeTokenRecord(token), String(token.expiresAt), String(ttl(ttlMs))),
    );
    const record = parseTokenRecord(stored);
    if (!record) throw new StoreError('Redis write returned an unreadable token record');
    return record;
  }

  /** {@inheritDoc TokenStore.delete} */
  async delete(key: string, accessToken: string): Promise<boolean> {
    const removed = await this.#run('delete', (c) => c.eval(DELETE_SCRIPT, 1, this.#tokenKey(key), accessToken));
    return removed === 1;
  }

  /** {@inheritDoc TokenStore.setRetryAt} */
  async setRetryAt(key: string, retryAt: number, ttlMs: number): Promise<void> {
    await this.#run('setRetryAt', (c) => c.eval(SET_RETRY_SCRIPT, 1, this.#retryKey(key), String(retryAt), String(ttl(ttlMs))));
  }

  /** {@inheritDoc TokenStore.clearRetryAt} */
  async clearRetryAt(key: string): Promise<void> {
    await this.#run('clearRetryAt', (c) => c.del(this.#retryKey(key)));
  }

  /** {@inheritDoc TokenStore.lock} */
  async lock(key: string, ttlMs: number): Promise<TokenLock | null> {
    const lockKey = this.#lockKey(key);
    const owner = randomUUID();
    const ok = await this.#run('lock', (c) => c.set(lockKey, owner, 'PX', ttl(ttlMs), 'NX'));
    if (ok !== 'OK') return null;
    return {
      release: async () => {
        await this.#run('unlock', (c) => c.eval(RELEASE_SCRIPT, 1, lockKey, owner));
      },
    };
  }

  /**
   * Calls `listener` each time the connection becomes ready again (ioredis's `ready` event) — after
   * a Redis restart or failover — so token managers put their token back.
   *
   * @example
   * ```ts
   * const stop = store.onReconnect(() => console.log('Redis is back'));
   * ```
   */
  onReconnect(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Closes the connection if the store opened it (URL form); leaves a client you passed in open.
   *
   * @example
   * ```ts
   * process.once('SIGTERM', async () => { await tokens.close(); await store.close(); });
   * ```
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    // A first connection may still be on its way: wait for it, so that it is closed too.
    const client = this.#client ?? (await this.#clientPromise?.catch(() => undefined));
    if (!client) return;
    client.off('ready', this.#onReady);
    if (this.#url === undefined) return;
    try {
      await Promise.race([client.quit(), new Promise((_, reject) => setTimeout(reject, this.#commandTimeoutMs).unref())]);
    } catch {
      client.disconnect();
    }
  }

  #tokenKey(key: string): string {
    return `${this.keyPrefix}{${key}}`;
  }

  #retryKey(key: string): string {
    return `${this.keyPrefix}{${key}}:retry`;
  }

  #lockKey(key: string): string {
    return `${this.keyPrefix}{${key}}:lock`;
  }

  async #connect(): Promise<Redis> {
    this.#clientPromise ??= (async () => {
      let RedisClass: typeof Redis;
      try {
        // Loaded lazily: memory and file store users never load ioredis.
        RedisClass = (await import('ioredis')).Redis;
      } catch (err) {
        this.#clientPromise = undefined;
        // ioredis is an optional peer dependency: only Redis users install it.
        throw new StoreError('RedisTokenStore needs the ioredis package, an optional peer dependency of @tessera/client: npm install ioredis', {
          cause: err,
        });
      }
      const options: RedisOptions = {
        // Fail fast while disconnected instead of queueing commands until Redis returns.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: this.#connectTimeoutMs,
        retryStrategy: (times) => Math.min(100 * times, 2000),
      };
      const client = new RedisClass(this.#url as string, options);
      // Without a listener ioredis prints every connection error; the token manager reports outages itself.
      client.on('error', () => undefined);
      client.on('ready', this.#onReady);
      this.#client = client;
      return client;
    })();
    const client = await this.#clientPromise;
    if (this.#url !== undefined && client.status !== 'ready') {
      if (this.#everReady || !['wait', 'connecting', 'connect'].includes(client.status)) {
        throw new StoreError(`Redis is not connected (${client.status})`);
      }
      // First use: give the first connection a moment (one waiter for all concurrent commands).
      this.#firstReady ??= once(client, 'ready', { signal: AbortSignal.timeout(this.#connectTimeoutMs) }).then(
        () => undefined,
        (err: unknown) => {
          this.#firstReady = undefined;
          throw new StoreError(`Redis did not become ready: ${describe(err)}`, { cause: err });
        },
      );
      await this.#firstReady;
    }
    return client;
  }

  async #run<T>(what: string, op: (client: Redis) => Promise<T>): Promise<T> {
    if (this.#closed) throw new StoreError('RedisTokenStore is closed');
    let client: Redis;
    try {
      // Loading ioredis and the first connection have their own bound (connectTimeoutMs), not the command's.
      client = await this.#connect();
    } catch (err) {
      if (err instanceof StoreError) throw err;
      throw new StoreError(`Redis ${what} failed: ${describe(err)}`, { cause: err });
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // One more turn of the event loop first: after a long synchronous stretch (a busy or starting
        // process), timers run before pending I/O, and the reply may already be waiting.
        setImmediate(() => reject(new StoreError(`Redis ${what} timed out after ${this.#commandTimeoutMs} ms`)));
      }, this.#commandTimeoutMs);
    });
    try {
      const pending = op(client);
      pending.catch(() => undefined); // settled after a timeout: nobody is waiting any more
      return await Promise.race([pending, timeout]);
    } catch (err) {
      if (err instanceof StoreError) throw err;
      throw new StoreError(`Redis ${what} failed: ${describe(err)}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }
}

function ttl(ms: number): number {
  return Math.max(1, Math.ceil(ms));
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(`${name} must be a positive number of milliseconds`);
  }
  return value;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
