import type { Kysely, Selectable } from 'kysely';
import type { Schema, SigningKeysTable } from './schema.js';

export type SigningKeyRow = Selectable<SigningKeysTable>;

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
  async rotate(key: Omit<SigningKeyRow, 'retired_at'>): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('signing_keys').set({ retired_at: key.sign_from }).where('retired_at', 'is', null).execute();
      await trx.insertInto('signing_keys').values({ ...key, retired_at: null }).execute();
    });
  }

  /**
   * Adds a first key. Instances starting at once on an empty store may each add one: harmless, since
   * every instance signs with the same newest key and publishes them all.
   */
  async insert(key: Omit<SigningKeyRow, 'retired_at'>): Promise<void> {
    await this.db.insertInto('signing_keys').values({ ...key, retired_at: null }).execute();
  }
}
