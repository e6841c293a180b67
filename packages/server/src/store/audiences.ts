import type { Kysely, Selectable } from 'kysely';
import { TesseraError } from '../errors/tessera-error.js';
import type { AudiencesTable, Schema } from './schema.js';
import { insertOrConflict } from './unique-violation.js';

export type Audience = Selectable<AudiencesTable>;

/** The registered audiences (table `audiences`): the default one is configuration and never stored. */
export class AudienceStore {
  constructor(private readonly db: Kysely<Schema>) {}

  /** Every registered audience, by URL. */
  async list(): Promise<Audience[]> {
    return this.db.selectFrom('audiences').selectAll().orderBy('url').execute();
  }

  /** The longest lifetime of a registered audience's tokens; null when none is registered. */
  async longestTtlSeconds(): Promise<number | null> {
    const row = await this.db.selectFrom('audiences').select((eb) => eb.fn.max('ttl_seconds').as('longest')).executeTakeFirst();
    return row?.longest == null ? null : Number(row.longest);
  }

  async find(url: string): Promise<Audience | undefined> {
    return this.db.selectFrom('audiences').selectAll().where('url', '=', url).executeTakeFirst();
  }

  /** Registers an audience; one already registered is a `conflict` (two commands at once included). */
  async insert(audience: Audience): Promise<void> {
    await insertOrConflict(
      () => this.db.insertInto('audiences').values(audience).execute(),
      () => new TesseraError('conflict', `Audience ${audience.url} already exists`),
    );
  }

  /** Registers an audience or changes its lifetime; returns the row as stored. */
  async upsert(url: string, ttlSeconds: number, now: number): Promise<Audience> {
    return this.db
      .insertInto('audiences')
      .values({ url, ttl_seconds: ttlSeconds, created_at: now, updated_at: now })
      .onConflict((oc) => oc.column('url').doUpdateSet({ ttl_seconds: ttlSeconds, updated_at: now }))
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Removes an audience; false when it was not registered. */
  async remove(url: string): Promise<boolean> {
    const result = await this.db.deleteFrom('audiences').where('url', '=', url).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
