import type { Kysely, Selectable } from 'kysely';
import { isUniqueViolation } from './unique-violation.js';
import type { Schema, SigningKeysTable } from './schema.js';

export type SigningKeyRow = Selectable<SigningKeysTable>;
export type NewSigningKey = Omit<SigningKeyRow, 'retired_at' | 'bootstrap'>;

export class SigningKeyStore {
  constructor(private readonly db: Kysely<Schema>) {}

  /** Keys still needed: the current ones and those retired less than `keepRetiredMs` ago. */
  async listLive(now: number, keepRetiredMs: number): Promise<SigningKeyRow[]> {
    return this.db
      .selectFrom('signing_keys')
      .selectAll()
      .where((eb) => eb.or([eb('retired_at', 'is', null), eb('retired_at', '>', now - keepRetiredMs)]))
      .orderBy('sign_from', 'desc')
      .orderBy('kid')
      .execute();
  }

  /** Adds a key and retires, from the moment it starts signing, every key still current. */
  async rotate(key: NewSigningKey): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('signing_keys').set({ retired_at: key.sign_from }).where('retired_at', 'is', null).execute();
      await trx.insertInto('signing_keys').values({ ...key, retired_at: null, bootstrap: null }).execute();
    });
  }

  /**
   * Adds the first key ever, unless another instance starting at the same time already did: the
   * unique bootstrap marker lets exactly one such insert through.
   */
  async insertFirst(key: NewSigningKey): Promise<void> {
    try {
      await this.db.insertInto('signing_keys').values({ ...key, retired_at: null, bootstrap: 1 }).execute();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
}
