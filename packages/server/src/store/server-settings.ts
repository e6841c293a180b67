import type { Kysely } from 'kysely';
import type { Schema } from './schema.js';

const PUBLIC_URL = 'public_url';

/**
 * What a running server tells the `tessera` command through the store they share: the command runs
 * in another terminal, often without the server's environment, and has no other line to the server.
 */
export class ServerSettingStore {
  constructor(private readonly db: Kysely<Schema>) {}

  /** Records the public URL the server serves on (TESSERA_PUBLIC_URL, or http://HOST:PORT); each start replaces it. */
  async recordPublicUrl(url: string, now: number): Promise<void> {
    await this.db
      .insertInto('server_settings')
      .values({ name: PUBLIC_URL, value: url, updated_at: now })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value: url, updated_at: now }))
      .execute();
  }

  /** The public URL the last server started on this store recorded; undefined before any started. */
  async publicUrl(): Promise<string | undefined> {
    const row = await this.db.selectFrom('server_settings').select('value').where('name', '=', PUBLIC_URL).executeTakeFirst();
    return row?.value;
  }
}
