import type { Cache } from '../cache/cache.js';
import type { Config } from '../config/config.js';
import type { AudienceStore } from '../store/audiences.js';
import type { Database } from '../store/database.js';
import { AUDIENCE_CHANNEL, AUDIENCE_RECHECK_MS } from './audiences.js';
import { type ProtectedApi, protectedApiOf } from './protected-apis.js';

export type { CredentialKind, ProtectedApi } from './protected-apis.js';

/** An audience a token may be issued for, and the lifetime of its tokens. */
export interface TokenAudience {
  audience: string;
  ttlSeconds: number;
}

/** The registered audiences as last read: their tokens' lifetimes, and the protected APIs among them. */
interface Registered {
  ttls: ReadonlyMap<string, number>;
  apis: ReadonlyMap<string, ProtectedApi>;
}

/**
 * The audiences the token endpoint issues tokens for (credentials/audiences.ts), and the protected APIs
 * among them that /forward-auth serves (credentials/protected-apis.ts): the default audience from the
 * configuration, without I/O, and the registered ones as this instance last read them from the store.
 * They are read again
 * - at once when a change is announced (`tessera audience|api add|remove` or any instance, through Redis pub/sub);
 * - at once on SQLite when another connection (the `tessera` command) has written to the database;
 * - otherwise at least every {@link AUDIENCE_RECHECK_MS}: the bound on how late a change reaches an
 *   instance that was not told of it (PostgreSQL with Redis away, or without Redis).
 */
export class AudienceRegistry {
  private snapshot: { registered: Registered; readAt: number } | undefined;
  /** The read in flight, shared by the requests that need it; not by those after an announcement. */
  private reading: { generation: number; registered: Promise<Registered> } | undefined;
  /** Bumped by every announcement: a read that started before one is not remembered. */
  private generation = 0;
  private unsubscribe: (() => void) | undefined;
  private readonly changedElsewhere: () => boolean;

  constructor(
    private readonly store: Pick<AudienceStore, 'list'>,
    database: Pick<Database, 'watchChangesElsewhere'>,
    private readonly cache: Pick<Cache, 'subscribe'>,
    private readonly config: Pick<Config, 'audience' | 'tokenTtlSeconds'>,
    private readonly now: () => number,
  ) {
    this.changedElsewhere = database.watchChangesElsewhere();
  }

  /** Listens for changes announced by any instance, or by the `tessera` command through Redis. */
  async start(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = await this.cache.subscribe(AUDIENCE_CHANNEL, () => this.forget());
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /**
   * The audience a token request names (undefined: none, the default) with its tokens' lifetime;
   * undefined when it is neither the default nor registered.
   */
  async resolve(requested?: string): Promise<TokenAudience | undefined> {
    const { audience, tokenTtlSeconds } = this.config;
    // The default audience, asked for by nearly every request, reads nothing.
    if (requested === undefined || requested === audience) return { audience, ttlSeconds: tokenTtlSeconds };
    const ttlSeconds = (await this.registered()).ttls.get(requested);
    return ttlSeconds === undefined ? undefined : { audience: requested, ttlSeconds };
  }

  /** The protected API whose audience is `audience` (compared as a string, RFC 7519 §4.1.3); undefined: none. */
  async api(audience: string): Promise<ProtectedApi | undefined> {
    return (await this.registered()).apis.get(audience);
  }

  /**
   * The protected API a request for `host` and `path` is for; undefined: none. `host` is the Host the
   * request was sent to (RFC 9110 §7.2; any case), `path` its path, already normalised (dot segments
   * resolved, RFC 3986 §5.2.4) and without the query.
   *
   * The host first: an API registered with this host and port beats one registered with this host name
   * alone (which answers on any port), which beats one on any host. Then the longest path prefix that
   * matches on a segment boundary: `/v1` matches `/v1` and `/v1/x`, never `/v1x`.
   */
  async apiFor(host: string, path: string): Promise<ProtectedApi | undefined> {
    const { apis } = await this.registered();
    const requested = host.toLowerCase();
    const hostname = hostnameOf(requested);
    let best: { api: ProtectedApi; rank: number } | undefined;
    for (const api of apis.values()) {
      const rank = api.host === null ? 1 : api.host === requested ? 3 : api.host === hostname ? 2 : 0;
      if (rank === 0 || !underPrefix(path, api.pathPrefix)) continue;
      if (!best || rank > best.rank || (rank === best.rank && api.pathPrefix.length > best.api.pathPrefix.length)) best = { api, rank };
    }
    return best?.api;
  }

  private async registered(): Promise<Registered> {
    if (this.changedElsewhere()) this.forget();
    const now = this.now();
    if (this.snapshot && now - this.snapshot.readAt < AUDIENCE_RECHECK_MS) return this.snapshot.registered;
    const generation = this.generation;
    if (this.reading?.generation === generation) return this.reading.registered;
    const registered = this.store.list().then((rows) => {
      // A row for the default's URL (registered under another TESSERA_AUDIENCE) is shadowed by the default,
      // which is /raas/v2's and never an API.
      const own = rows.filter((row) => row.url !== this.config.audience);
      const read: Registered = {
        ttls: new Map(own.map((row) => [row.url, row.ttl_seconds])),
        apis: new Map(own.filter((row) => row.api === 1).map((row) => [row.url, protectedApiOf(row)])),
      };
      if (generation === this.generation) this.snapshot = { registered: read, readAt: now };
      return read;
    });
    this.reading = { generation, registered };
    try {
      return await registered;
    } finally {
      if (this.reading?.registered === registered) this.reading = undefined;
    }
  }

  private forget(): void {
    this.generation += 1;
    this.snapshot = undefined;
  }
}

/** `host` without its port: `api.example.com:8443` → `api.example.com`, `[::1]:8080` → `[::1]`. */
function hostnameOf(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end === -1 ? host : host.slice(0, end + 1);
  }
  const colon = host.indexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

/** Whether `path` is `prefix` or under it, on a segment boundary. */
function underPrefix(path: string, prefix: string): boolean {
  return prefix === '/' || path === prefix || path.startsWith(`${prefix}/`);
}
