import type { Cache } from '../cache/cache.js';
import type { Config } from '../config/config.js';
import { AUDIENCE_CHANNEL, AUDIENCE_RECHECK_MS } from '../credentials/audiences.js';
import type { AudienceStore } from '../store/audiences.js';
import type { Database } from '../store/database.js';

/** An audience a token may be issued for, and the lifetime of its tokens. */
export interface TokenAudience {
  audience: string;
  ttlSeconds: number;
}

/**
 * The audiences the token endpoint issues tokens for (credentials/audiences.ts): the default one from the
 * configuration, without I/O, and the registered ones as this instance last read them from the store.
 * They are read again
 * - at once when a change is announced (`tessera audience add|remove` or any instance, through Redis pub/sub);
 * - at once on SQLite when another connection (the `tessera` command) has written to the database;
 * - otherwise at least every {@link AUDIENCE_RECHECK_MS}: the bound on how late a change reaches an
 *   instance that was not told of it (PostgreSQL with Redis away, or without Redis).
 */
export class AudienceRegistry {
  private snapshot: { audiences: ReadonlyMap<string, number>; readAt: number } | undefined;
  /** The read in flight, shared by the requests that need it; not by those after an announcement. */
  private reading: { generation: number; audiences: Promise<ReadonlyMap<string, number>> } | undefined;
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
  async resolve(requested: string | undefined): Promise<TokenAudience | undefined> {
    const { audience, tokenTtlSeconds } = this.config;
    // The default audience, asked for by nearly every request, reads nothing.
    if (requested === undefined || requested === audience) return { audience, ttlSeconds: tokenTtlSeconds };
    const ttlSeconds = (await this.registered()).get(requested);
    return ttlSeconds === undefined ? undefined : { audience: requested, ttlSeconds };
  }

  private async registered(): Promise<ReadonlyMap<string, number>> {
    if (this.changedElsewhere()) this.forget();
    const now = this.now();
    if (this.snapshot && now - this.snapshot.readAt < AUDIENCE_RECHECK_MS) return this.snapshot.audiences;
    const generation = this.generation;
    if (this.reading?.generation === generation) return this.reading.audiences;
    const audiences = this.store.list().then((rows) => {
      const read = new Map(rows.map((row) => [row.url, row.ttl_seconds]));
      if (generation === this.generation) this.snapshot = { audiences: read, readAt: now };
      return read;
    });
    this.reading = { generation, audiences };
    try {
      return await audiences;
    } finally {
      if (this.reading?.audiences === audiences) this.reading = undefined;
    }
  }

  private forget(): void {
    this.generation += 1;
    this.snapshot = undefined;
  }
}
