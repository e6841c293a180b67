import { type Kysely, sql } from 'kysely';
import type { Schema } from './schema.js';

/** Whether the store holds anything sealed under the master key (signing keys, API keys). */
export async function hasSealedData(db: Kysely<Schema>): Promise<boolean> {
  const { rows } = await sql<{ sealed: number }>`select 1 as sealed where exists (select 1 from signing_keys) or exists (select 1 from api_keys)`.execute(db);
  return rows.length > 0;
}
