import type { Kysely, Transaction } from 'kysely';
import { TesseraError } from '../errors/tessera-error.js';
import { appendAuditEntry, type PendingAuditEntry } from './audit-log.js';
import { lockPlatform } from './platforms.js';
import type { CredentialStatus, Schema } from './schema.js';

/**
 * The lifecycle every credential table shares — insert while fewer than the limit are active, set the
 * status (activation respects the limit), delete only when inactive — with what differs between OAuth
 * clients and API keys given by a {@link CredentialTable}.
 */
export interface CredentialTable {
  table: 'oauth_clients' | 'api_keys';
  idColumn: 'client_id' | 'id';
  /** How messages name one: `Client cli_…`, `API key key_…`. */
  noun: string;
  /** How the limit's message names several: `2 active client credentials`. */
  plural: string;
  /** Active at once per platform, so a credential can rotate without downtime. */
  maxActive: number;
}

/** What the shared lifecycle reads and writes: the columns both tables have, under both id names. */
interface LifecycleRow {
  client_id: string;
  id: string;
  platform_id: string;
  status: CredentialStatus;
  status_changed_at: number;
  tokens_not_before: number | null;
}
type LifecycleDb = Kysely<Record<CredentialTable['table'], LifecycleRow>>;

function lifecycleDb(db: Kysely<Schema>): LifecycleDb {
  // Both tables have the columns the lifecycle touches; only the id's name differs (see idColumn).
  return db as unknown as LifecycleDb;
}

/*
 * Each write takes an optional audit entry (store/audit-log.ts) appended in the same transaction: the
 * change and its record commit together. Each takes the platform's lock before it writes the row.
 * Those that name a credential by id take an optional platform id too: the portal's, whose users must
 * never touch another platform's credential. The row is then read with that platform in the query, in
 * the same transaction as the change, so another platform's credential is `not_found` exactly as a
 * missing one, and no check can go stale before the write.
 */

/** The platform a credential must belong to, when the caller acts for one (the portal). */
export interface CredentialScope {
  platformId?: string | undefined;
}

/** Inserts an active credential unless its platform already has {@link CredentialTable.maxActive} active ones. */
export async function insertActiveCredential(
  db: Kysely<Schema>,
  kind: CredentialTable,
  row: { platform_id: string },
  platformName: string,
  audit?: PendingAuditEntry,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (!(await lockPlatform(trx, row.platform_id))) throw new TesseraError('not_found', `Platform ${platformName} does not exist`);
    await assertBelowLimit(trx, kind, row.platform_id, platformName);
    await lifecycleDb(trx)
      .insertInto(kind.table)
      .values({ ...row, status: 'active' } as unknown as LifecycleRow)
      .execute();
    if (audit) await appendAuditEntry(trx, { ...audit, platform_id: row.platform_id });
  });
}

/**
 * Sets the status; activating respects the active limit. `changes` adds what the kind changes with it
 * (a client's `tokens_not_before`). Returns the row as it now is.
 */
export async function setCredentialStatus<Row>(
  db: Kysely<Schema>,
  kind: CredentialTable,
  id: string,
  status: CredentialStatus,
  now: number,
  changes: (row: Row) => Partial<Row> = () => ({}),
  audit?: PendingAuditEntry,
  scope: CredentialScope = {},
): Promise<Row> {
  return db.transaction().execute(async (trx) => {
    const ldb = lifecycleDb(trx);
    const row = (await inScope(ldb.selectFrom(kind.table).selectAll().where(kind.idColumn, '=', id), scope).executeTakeFirst()) as Row & LifecycleRow | undefined;
    if (!row) throw new TesseraError('not_found', `${kind.noun} ${id} does not exist`);
    await lockPlatform(trx, row.platform_id);
    // Recorded even when the status already was so: the log says what was asked for, by whom.
    if (audit) await appendAuditEntry(trx, { ...audit, platform_id: row.platform_id });
    if (row.status === status) return row;
    if (status === 'active') {
      const platform = await trx.selectFrom('platforms').select('name').where('id', '=', row.platform_id).executeTakeFirstOrThrow();
      await assertBelowLimit(trx, kind, row.platform_id, platform.name);
    }
    const update = { status, status_changed_at: now, ...changes(row) };
    await ldb
      .updateTable(kind.table)
      .set(update as Partial<LifecycleRow>)
      .where(kind.idColumn, '=', id)
      .execute();
    return { ...row, ...update };
  });
}

/** Deletes an inactive credential; an active one must be deactivated first so no live integration breaks by accident. */
export async function deleteInactiveCredential(
  db: Kysely<Schema>,
  kind: CredentialTable,
  id: string,
  audit?: PendingAuditEntry,
  scope: CredentialScope = {},
): Promise<{ platform_id: string }> {
  return db.transaction().execute(async (trx) => {
    const ldb = lifecycleDb(trx);
    const row = await inScope(ldb.selectFrom(kind.table).select(['platform_id', 'status']).where(kind.idColumn, '=', id), scope).executeTakeFirst();
    if (!row) throw new TesseraError('not_found', `${kind.noun} ${id} does not exist`);
    await lockPlatform(trx, row.platform_id);
    // Read again under the lock: an activation may have committed in between.
    // The platform of the row read above: the id is unique, so the row cannot have changed platform.
    const deleted = await ldb.deleteFrom(kind.table).where(kind.idColumn, '=', id).where('platform_id', '=', row.platform_id).where('status', '=', 'inactive').executeTakeFirst();
    if (deleted.numDeletedRows === 0n) {
      if (!(await ldb.selectFrom(kind.table).select('status').where(kind.idColumn, '=', id).executeTakeFirst())) {
        throw new TesseraError('not_found', `${kind.noun} ${id} does not exist`);
      }
      throw new TesseraError('conflict', `${kind.noun} ${id} is active: deactivate it before deleting it`);
    }
    if (audit) await appendAuditEntry(trx, { ...audit, platform_id: row.platform_id });
    return { platform_id: row.platform_id };
  });
}

/** Narrows a query on a credential table to the scope's platform, when it names one. */
function inScope<Q extends { where(column: 'platform_id', op: '=', value: string): Q }>(query: Q, scope: CredentialScope): Q {
  return scope.platformId === undefined ? query : query.where('platform_id', '=', scope.platformId);
}

async function assertBelowLimit(trx: Transaction<Schema>, kind: CredentialTable, platformId: string, platformName: string): Promise<void> {
  const { count } = await lifecycleDb(trx)
    .selectFrom(kind.table)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('platform_id', '=', platformId)
    .where('status', '=', 'active')
    .executeTakeFirstOrThrow();
  if (Number(count) >= kind.maxActive) {
    throw new TesseraError('limit_reached', `Platform ${platformName} already has ${kind.maxActive} active ${kind.plural}: deactivate one first`);
  }
}
