import { type Kysely, type Selectable, sql, SqliteAdapter } from 'kysely';
import type { PendingAuditEntry } from './audit-log.js';
import { type CredentialScope, type CredentialTable, deleteInactiveCredential, insertActiveCredential, setCredentialStatus } from './credential-table.js';
import type { ApiKeysTable, CredentialStatus, Schema } from './schema.js';

export type ApiKeyRow = Selectable<ApiKeysTable>;

/** A platform may hold this many active API keys at once, so a key can rotate without downtime. */
export const MAX_ACTIVE_API_KEYS = 2;

const API_KEYS: CredentialTable = { table: 'api_keys', idColumn: 'id', noun: 'API key', plural: 'API keys', maxActive: MAX_ACTIVE_API_KEYS };

/** What Basic authentication needs to know about a key: its status and its platform. */
export interface ApiKeyForAuth {
  id: string;
  status: CredentialStatus;
  platform_id: string;
  platform_name: string;
}

/** That API key `id` authenticated a request at `at` (ms since the epoch). */
export interface ApiKeyUse {
  id: string;
  at: number;
}

export class ApiKeyStore {
  constructor(private readonly db: Kysely<Schema>) {}

  /** Inserts an active key unless the platform already has {@link MAX_ACTIVE_API_KEYS} active ones. */
  async insertActive(key: Omit<ApiKeyRow, 'status'>, platformName: string, audit?: PendingAuditEntry): Promise<void> {
    await insertActiveCredential(this.db, API_KEYS, key, platformName, audit);
  }

  /** The key `id`; with a scope, only when it belongs to the scope's platform. */
  async find(id: string, scope: CredentialScope = {}): Promise<ApiKeyRow | undefined> {
    let query = this.db.selectFrom('api_keys').selectAll().where('id', '=', id);
    if (scope.platformId !== undefined) query = query.where('platform_id', '=', scope.platformId);
    return query.executeTakeFirst();
  }

  /** The key whose digest this is, with its platform's name, in one query (the miss path of Basic auth). */
  async findByDigest(keyDigest: string): Promise<ApiKeyForAuth | undefined> {
    return this.db
      .selectFrom('api_keys')
      .innerJoin('platforms', 'platforms.id', 'api_keys.platform_id')
      .select(['api_keys.id', 'api_keys.status', 'api_keys.platform_id', 'platforms.name as platform_name'])
      .where('api_keys.key_digest', '=', keyDigest)
      .executeTakeFirst();
  }

  async status(id: string): Promise<CredentialStatus | undefined> {
    return (await this.db.selectFrom('api_keys').select('status').where('id', '=', id).executeTakeFirst())?.status;
  }

  /**
   * Sets when keys were last used, a batch at once: on PostgreSQL one statement (the uses as two arrays,
   * unnested), on SQLite one transaction of a statement per key (in-process, no round trips). In the keys'
   * order, so that two instances writing overlapping batches take the rows' locks in the same order.
   * Never moves a use back (instances' clocks differ). No lock of the platform and no audit entry: a use
   * is no change of the credential.
   */
  async markUsed(uses: readonly ApiKeyUse[]): Promise<void> {
    const sorted = [...uses].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (!(this.db.getExecutor().adapter instanceof SqliteAdapter)) {
      await sql`update api_keys as k set last_used_at = u.at
        from unnest(${sorted.map((u) => u.id)}::text[], ${sorted.map((u) => u.at)}::bigint[]) as u(id, at)
        where k.id = u.id and (k.last_used_at is null or k.last_used_at < u.at)`.execute(this.db);
      return;
    }
    await this.db.transaction().execute(async (trx) => {
      for (const { id, at } of sorted) {
        await trx
          .updateTable('api_keys')
          .set({ last_used_at: at })
          .where('id', '=', id)
          .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
          .execute();
      }
    });
  }

  async listByPlatform(platformId: string): Promise<ApiKeyRow[]> {
    return this.db.selectFrom('api_keys').selectAll().where('platform_id', '=', platformId).orderBy('created_at').orderBy('id').execute();
  }

  /** Sets the status; activating respects the active limit. Returns the key as it now is. */
  async setStatus(id: string, status: CredentialStatus, now: number, audit?: PendingAuditEntry, scope?: CredentialScope): Promise<ApiKeyRow> {
    return setCredentialStatus<ApiKeyRow>(this.db, API_KEYS, id, status, now, undefined, audit, scope);
  }

  /** Deletes an inactive key; an active one must be deactivated first. */
  async deleteInactive(id: string, audit?: PendingAuditEntry, scope?: CredentialScope): Promise<{ platform_id: string }> {
    return deleteInactiveCredential(this.db, API_KEYS, id, audit, scope);
  }
}
