import type { Kysely, Selectable, Transaction } from 'kysely';
import { TesseraError } from '../errors/tessera-error.js';
import type { PlatformsTable, Schema } from './schema.js';
import { insertOrConflict } from './unique-violation.js';

export type Platform = Selectable<PlatformsTable>;

export class PlatformStore {
  constructor(private readonly db: Kysely<Schema>) {}

  /** Inserts a platform; a name already taken is a `conflict`. */
  async insert(platform: Omit<Platform, 'credential_lock'>): Promise<void> {
    await insertOrConflict(
      () => this.db.insertInto('platforms').values(platform).execute(),
      () => new TesseraError('conflict', `Platform ${platform.name} already exists`),
    );
  }

  async findByName(name: string): Promise<Platform | undefined> {
    return this.db.selectFrom('platforms').selectAll().where('name', '=', name).executeTakeFirst();
  }

  /** Every platform, by name. */
  async list(): Promise<Platform[]> {
    return this.db.selectFrom('platforms').selectAll().orderBy('name').execute();
  }

  async findById(id: string): Promise<Platform | undefined> {
    return this.db.selectFrom('platforms').selectAll().where('id', '=', id).executeTakeFirst();
  }
}

/**
 * Takes the platform's write lock inside a transaction: a write to its row, which PostgreSQL holds as a
 * row lock and SQLite as the database write lock until commit. Every transaction that counts a
 * platform's active credentials before adding one starts here, so the count cannot go stale.
 * Returns false when the platform does not exist.
 */
export async function lockPlatform(trx: Transaction<Schema>, platformId: string): Promise<boolean> {
  const result = await trx
    .updateTable('platforms')
    .set((eb) => ({ credential_lock: eb('credential_lock', '+', 1) }))
    .where('id', '=', platformId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
