import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { InvalidArgumentError, StoreError } from './errors.js';
import { parseTokenRecord } from './record.js';
import type { StoreSnapshot, TokenLock, TokenRecord, TokenStore } from './token-store.js';

/**
 * Options of {@link FileTokenStore}.
 *
 * @example
 * ```ts
 * const options: FileTokenStoreOptions = { path: '/var/lib/myapp/tessera-tokens.json' };
 * ```
 */
export interface FileTokenStoreOptions {
  /**
   * The JSON file holding the tokens (created with mode 0600; its folder with 0700 if missing).
   * Default: {@link defaultTokenFile}, the file `tessera-token` uses, so a script and a program share a token.
   */
  path?: string;
}

/**
 * The token file `tessera-token` and `new FileTokenStore()` use when given none:
 * `$XDG_CACHE_HOME/tessera/tokens.json`, or `~/.cache/tessera/tokens.json` (the XDG Base Directory default).
 *
 * @example
 * ```ts
 * import { defaultTokenFile } from '@tessera/client';
 *
 * console.log(defaultTokenFile()); // /home/me/.cache/tessera/tokens.json
 * ```
 */
export function defaultTokenFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'tessera', 'tokens.json');
}

interface FileEntry {
  token: TokenRecord | null;
  /** Real-clock epoch ms after which the token entry may be dropped. */
  tokenKeepUntil: number | null;
  retryAt: number | null;
  retryKeepUntil: number | null;
}

interface FileData {
  version: 1;
  entries: Record<string, FileEntry>;
}

// The mutex guards a read-modify-write that takes milliseconds; one older than this was left by a crash.
const MUTEX_STALE_MS = 10_000;
const MUTEX_WAIT_MS = 5_000;

/**
 * A {@link TokenStore} in a JSON file, shared by the processes of one machine (or any that see the
 * same file system). Writes are atomic (temporary file + rename, mode 0600); the refresh lock is a
 * lock file created with `O_EXCL` that expires after its TTL, so a crashed holder cannot block the others.
 *
 * @example
 * ```ts
 * import { FileTokenStore, TokenManager } from '@tessera/client';
 *
 * const tokens = new TokenManager({
 *   tokenUrl: 'http://127.0.0.1:3000/oauth/token',
 *   clientId: process.env.TESSERA_CLIENT_ID!,
 *   clientSecret: process.env.TESSERA_CLIENT_SECRET!,
 *   store: new FileTokenStore({ path: '/var/lib/myapp/tessera-tokens.json' }),
 * });
 * ```
 */
export class FileTokenStore implements TokenStore {
  /** Absolute path of the token file. */
  readonly path: string;

  constructor(options: FileTokenStoreOptions = {}) {
    if (options.path !== undefined && (typeof options.path !== 'string' || options.path.length === 0)) {
      throw new InvalidArgumentError('FileTokenStore: path must be a non-empty string');
    }
    this.path = resolve(options.path ?? defaultTokenFile());
  }

  /** {@inheritDoc TokenStore.read} */
  async read(key: string): Promise<StoreSnapshot> {
    const data = await this.#load();
    const entry = data.entries[key];
    if (!entry) return { token: null, retryAt: null };
    const now = Date.now();
    return {
      token: entry.token && (entry.tokenKeepUntil ?? Infinity) > now ? entry.token : null,
      retryAt: entry.retryAt !== null && (entry.retryKeepUntil ?? Infinity) > now ? entry.retryAt : null,
    };
  }

  /** {@inheritDoc TokenStore.write} */
  async write(key: string, token: TokenRecord, ttlMs: number): Promise<TokenRecord> {
    return this.#mutate((data, now) => {
      const entry = (data.entries[key] ??= emptyEntry());
      const current = entry.token && (entry.tokenKeepUntil ?? Infinity) > now ? entry.token : null;
      if (current && current.expiresAt >= token.expiresAt) return { changed: false, result: current };
      entry.token = { ...token };
      entry.tokenKeepUntil = now + Math.max(1, ttlMs);
      return { changed: true, result: { ...token } };
    });
  }

  /** {@inheritDoc TokenStore.delete} */
  async delete(key: string, accessToken: string): Promise<boolean> {
    return this.#mutate((data) => {
      const entry = data.entries[key];
      if (!entry?.token || entry.token.accessToken !== accessToken) return { changed: false, result: false };
      entry.token = null;
      entry.tokenKeepUntil = null;
      return { changed: true, result: true };
    });
  }

  /** {@inheritDoc TokenStore.setRetryAt} */
  async setRetryAt(key: string, retryAt: number, ttlMs: number): Promise<void> {
    await this.#mutate((data, now) => {
      const entry = (data.entries[key] ??= emptyEntry());
      const live = entry.retryAt !== null && (entry.retryKeepUntil ?? Infinity) > now;
      if (live && entry.retryAt !== null && entry.retryAt >= retryAt) return { changed: false, result: undefined };
      entry.retryAt = retryAt;
      entry.retryKeepUntil = now + Math.max(1, ttlMs);
      return { changed: true, result: undefined };
    });
  }

  /** {@inheritDoc TokenStore.clearRetryAt} */
  async clearRetryAt(key: string): Promise<void> {
    await this.#mutate((data) => {
      const entry = data.entries[key];
      if (!entry || entry.retryAt === null) return { changed: false, result: undefined };
      entry.retryAt = null;
      entry.retryKeepUntil = null;
      return { changed: true, result: undefined };
    });
  }

  /** {@inheritDoc TokenStore.lock} */
  async lock(key: string, ttlMs: number): Promise<TokenLock | null> {
    const lockPath = this.#lockPath(key);
    const owner = randomUUID();
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const handle = await this.#openExclusive(lockPath);
        try {
          await handle.writeFile(JSON.stringify({ owner, pid: process.pid, expiresAt: Date.now() + ttlMs }));
        } catch (err) {
          await handle.close().catch(() => undefined);
          await unlinkIfPresent(lockPath).catch(() => undefined);
          throw storeError('could not write the lock file', err);
        }
        await handle.close();
        return { release: () => this.#release(lockPath, owner) };
      } catch (err) {
        if (err instanceof StoreError) throw err;
        if (code(err) !== 'EEXIST') throw storeError('could not create the lock file', err);
        // Held: take it over only if its holder's TTL has passed (a crashed or hung process).
        if (attempt > 0 || !(await this.#breakIfStale(lockPath))) return null;
      }
    }
    return null;
  }

  #lockPath(key: string): string {
    return `${this.path}.${createHash('sha256').update(key).digest('hex').slice(0, 24)}.lock`;
  }

  async #release(lockPath: string, owner: string): Promise<void> {
    // Under the mutex, so that no one else can remove the file between our check and our unlink.
    await this.#withMutex(async () => {
      const lock = await readLockFile(lockPath);
      if (lock?.owner === owner) await unlinkIfPresent(lockPath);
    });
  }

  async #breakIfStale(lockPath: string): Promise<boolean> {
    return this.#withMutex(async () => {
      const lock = await readLockFile(lockPath);
      if (lock === undefined) return true; // gone already
      let stale: boolean;
      if (lock !== null) {
        stale = lock.expiresAt <= Date.now();
      } else {
        // Unreadable: being written right now, or its writer crashed between create and write.
        const mtime = await stat(lockPath).then((s) => s.mtimeMs, () => 0);
        stale = Date.now() - mtime > MUTEX_STALE_MS;
      }
      if (stale) await unlinkIfPresent(lockPath);
      return stale;
    });
  }

  async #openExclusive(path: string) {
    try {
      return await open(path, 'wx', 0o600);
    } catch (err) {
      if (code(err) !== 'ENOENT') throw err;
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      return open(path, 'wx', 0o600);
    }
  }

  async #load(): Promise<FileData> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if (code(err) === 'ENOENT') return { version: 1, entries: {} };
      throw storeError('could not read the token file', err);
    }
    return parseFileData(text);
  }

  async #mutate<T>(change: (data: FileData, now: number) => { changed: boolean; result: T }): Promise<T> {
    return this.#withMutex(async () => {
      const data = await this.#load();
      const now = Date.now();
      const { changed, result } = change(data, now);
      if (changed) {
        prune(data, now);
        await this.#writeAtomically(JSON.stringify(data, null, 2) + '\n');
      }
      return result;
    });
  }

  async #writeAtomically(text: string): Promise<void> {
    // Readers see the old file or the new one, never a partial one (rename is atomic on POSIX).
    const tmp = `${this.path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const handle = await this.#openExclusive(tmp);
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, this.path);
    } catch (err) {
      await unlinkIfPresent(tmp).catch(() => undefined);
      throw storeError('could not write the token file', err);
    }
  }

  async #withMutex<T>(fn: () => Promise<T>): Promise<T> {
    const mutexPath = `${this.path}.mutex`;
    const deadline = Date.now() + MUTEX_WAIT_MS;
    let delay = 2;
    for (;;) {
      try {
        await (await this.#openExclusive(mutexPath)).close();
        break;
      } catch (err) {
        if (code(err) !== 'EEXIST') throw storeError('could not create the mutex file', err);
      }
      const mtime = await stat(mutexPath).then((s) => s.mtimeMs, () => null);
      if (mtime !== null && Date.now() - mtime > MUTEX_STALE_MS) {
        await unlinkIfPresent(mutexPath).catch(() => undefined);
        continue;
      }
      if (Date.now() >= deadline) throw new StoreError(`timed out waiting for ${mutexPath}`);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 50);
    }
    try {
      return await fn();
    } finally {
      await unlinkIfPresent(mutexPath).catch(() => undefined);
    }
  }
}

function emptyEntry(): FileEntry {
  return { token: null, tokenKeepUntil: null, retryAt: null, retryKeepUntil: null };
}

function prune(data: FileData, now: number): void {
  for (const [key, entry] of Object.entries(data.entries)) {
    if (entry.token && (entry.tokenKeepUntil ?? Infinity) <= now) {
      entry.token = null;
      entry.tokenKeepUntil = null;
    }
    if (entry.retryAt !== null && (entry.retryKeepUntil ?? Infinity) <= now) {
      entry.retryAt = null;
      entry.retryKeepUntil = null;
    }
    if (!entry.token && entry.retryAt === null) delete data.entries[key];
  }
}

/** A file that is not ours (or damaged by hand) reads as empty and is replaced on the next write. */
function parseFileData(text: string): FileData {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { version: 1, entries: {} };
  }
  const entries: Record<string, FileEntry> = {};
  const rawEntries = typeof raw === 'object' && raw !== null ? (raw as { entries?: unknown }).entries : undefined;
  if (typeof rawEntries === 'object' && rawEntries !== null) {
    for (const [key, value] of Object.entries(rawEntries as Record<string, unknown>)) {
      if (typeof value !== 'object' || value === null) continue;
      const e = value as Record<string, unknown>;
      entries[key] = {
        token: parseTokenRecord(e.token),
        tokenKeepUntil: finiteOrNull(e.tokenKeepUntil),
        retryAt: finiteOrNull(e.retryAt),
        retryKeepUntil: finiteOrNull(e.retryKeepUntil),
      };
    }
  }
  return { version: 1, entries };
}

/** `undefined` when the lock file does not exist, `null` when it cannot be parsed. */
async function readLockFile(path: string): Promise<{ owner: string; expiresAt: number } | null | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (code(err) === 'ENOENT') return undefined;
    throw storeError('could not read the lock file', err);
  }
  try {
    const lock = JSON.parse(text) as { owner?: unknown; expiresAt?: unknown };
    if (typeof lock.owner === 'string' && typeof lock.expiresAt === 'number') return { owner: lock.owner, expiresAt: lock.expiresAt };
  } catch {
    // fall through
  }
  return null;
}

async function unlinkIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if (code(err) !== 'ENOENT') throw err;
  }
}

function finiteOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function code(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string'
    ? (err as { code: string }).code
    : undefined;
}

function storeError(what: string, err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  return new StoreError(`FileTokenStore ${what}: ${code(err) ?? (err instanceof Error ? err.message : String(err))}`, { cause: err });
}
