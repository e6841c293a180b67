import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import { TesseraError } from '../errors/tessera-error.js';
import type { AudiencesTable, Schema } from './schema.js';
import { insertOrConflict } from './unique-violation.js';

export type Audience = Selectable<AudiencesTable>;

/** What makes an audience a protected API (issue 23): where it answers and who may call it, as stored. */
export type ApiRouting = Pick<Audience, 'match_host' | 'match_path_prefix' | 'allowed_platforms' | 'allowed_credential_kinds'>;

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
  async insert(audience: Insertable<AudiencesTable>): Promise<void> {
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

  /** The protected APIs (issue 23), by URL. */
  async listApis(): Promise<Audience[]> {
    return this.db.selectFrom('audiences').selectAll().where('api', '=', 1).orderBy('url').execute();
  }

  /**
   * Makes a registered audience a protected API with `routing` (and `ttlSeconds`, when given), or changes
   * an API's: `onlyIf` 'plain' changes only an audience that is not an API yet (two commands racing), 'any'
   * either. Returns the row as stored; undefined when none was changed. Another API on the same host and
   * path prefix is a unique violation (index audiences_api_route), which the caller names.
   */
  async makeApi(url: string, routing: ApiRouting, change: { ttlSeconds?: number; now: number; onlyIf: 'plain' | 'any' }): Promise<Audience | undefined> {
    const set: Updateable<AudiencesTable> = { ...routing, api: 1, updated_at: change.now };
    if (change.ttlSeconds !== undefined) set.ttl_seconds = change.ttlSeconds;
    let update = this.db.updateTable('audiences').set(set).where('url', '=', url);
    if (change.onlyIf === 'plain') update = update.where('api', '=', 0);
    return update.returningAll().executeTakeFirst();
  }

  /** Removes a protected API (its audience with it); false when no API has this URL. */
  async removeApi(url: string): Promise<boolean> {
    const result = await this.db.deleteFrom('audiences').where('url', '=', url).where('api', '=', 1).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** Removes an audience; false when it was not registered. */
  async remove(url: string): Promise<boolean> {
    const result = await this.db.deleteFrom('audiences').where('url', '=', url).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
