import type { Kysely, Transaction } from 'kysely';
import { TesseraError } from '../errors/tessera-error.js';
import type { Database } from './database.js';
import { appendAuditEntry, type PendingAuditEntry } from './audit-log.js';
import { lockPlatform } from './platforms.js';
import { sqliteQuotaClaim } from './sqlite-quota-claim.js';
import { postgresQuotaClaim } from './postgres-quota-claim.js';
import type { OAuthClient, QuotaClaim } from './quota-claim.js';
import { type CredentialScope, type CredentialTable, deleteInactiveCredential, insertActiveCredential, setCredentialStatus } from './credential-table.js';
import type { CredentialStatus, Schema } from './schema.js';

export type { OAuthClient, QuotaClaim } from './quota-claim.js';

/**
 * A client's own token limits as client authentication reads them with its row (store/client-token-limits.ts):
 * all null when it has none, and the default ones apply. Optional: a client read otherwise has none known.
 */
export interface ClientOwnLimits {
  limit_per_hour?: number | null;
  limit_per_day?: number | null;
  limit_mode?: string | null;
}

/** A platform may hold this many active client credentials at once, so a secret can rotate without downtime. */
export const MAX_ACTIVE_CLIENTS = 2;

const OAUTH_CLIENTS: CredentialTable = {
  table: 'oauth_clients',
  idColumn: 'client_id',
  noun: 'Client',
  plural: 'client credentials',
  maxActive: MAX_ACTIVE_CLIENTS,
};

/** The first whole second (in ms) after `now`: tokens issued at or before `now` have an earlier `iat`. */
export function tokensNotBeforeAfter(now: number): number {
  return (Math.floor(now / 1000) + 1) * 1000;
}

export class OAuthClientStore {
  /** The claim: one synchronous transaction on SQLite (store/sqlite-quota-claim.ts), one call on PostgreSQL (store/postgres-quota-claim.ts). */
  private readonly claim: ReturnType<typeof sqliteQuotaClaim>;

  private readonly db: Kysely<Schema>;

  /** The database's own handles (SQLite's, or PostgreSQL's prepared statements) serve the claim's fast path. */
  constructor({ db, sqlite, postgres }: Pick<Database, 'db' | 'sqlite' | 'postgres'>) {
    this.db = db;
    if (sqlite) this.claim = sqliteQuotaClaim(db, sqlite);
    else if (postgres) this.claim = postgresQuotaClaim(postgres);
    else throw new Error('The quota claim needs the database handle of SQLite or PostgreSQL');
  }

  /** Inserts an active client unless the platform already has {@link MAX_ACTIVE_CLIENTS} active ones. */
  async insertActive(
    client: Omit<OAuthClient, 'status' | 'last_issued_at' | 'issued_before_reset_at' | 'tokens_not_before'>,
    platformName: string,
    audit?: PendingAuditEntry,
  ): Promise<void> {
    const row: Omit<OAuthClient, 'status'> = { ...client, last_issued_at: null, issued_before_reset_at: null, tokens_not_before: null };
    await insertActiveCredential(this.db, OAUTH_CLIENTS, row, platformName, audit);
  }

  /** With a scope, a client of another platform is none. */
  async find(clientId: string, scope: CredentialScope = {}): Promise<OAuthClient | undefined> {
    let query = this.db.selectFrom('oauth_clients').selectAll().where('client_id', '=', clientId);
    if (scope.platformId !== undefined) query = query.where('platform_id', '=', scope.platformId);
    return query.executeTakeFirst();
  }

  /**
   * The client with its platform's name and its own token limits (issue 22; null when it has none), in one
   * query (the hot path of client authentication; the limits' row is found by its primary key).
   */
  async findWithPlatform(clientId: string): Promise<(OAuthClient & { platform_name: string } & ClientOwnLimits) | undefined> {
    return this.db
      .selectFrom('oauth_clients')
      .innerJoin('platforms', 'platforms.id', 'oauth_clients.platform_id')
      .leftJoin('client_token_limits', 'client_token_limits.client_id', 'oauth_clients.client_id')
      .selectAll('oauth_clients')
      .select(['platforms.name as platform_name', 'client_token_limits.per_hour as limit_per_hour', 'client_token_limits.per_day as limit_per_day', 'client_token_limits.mode as limit_mode'])
      .where('oauth_clients.client_id', '=', clientId)
      .executeTakeFirst();
  }

  async listByPlatform(platformId: string): Promise<OAuthClient[]> {
    return this.db.selectFrom('oauth_clients').selectAll().where('platform_id', '=', platformId).orderBy('created_at').orderBy('client_id').execute();
  }

  /** Sets the status; activating respects the active limit. Returns the client as it now is. */
  async setStatus(clientId: string, status: CredentialStatus, now: number, audit?: PendingAuditEntry, scope?: CredentialScope): Promise<OAuthClient> {
    // A deactivation invalidates every token issued up to it, for good: `iat` has whole seconds, so the
    // line is drawn at the next whole second (a token of this very second counts as issued before),
    // and always past the previous line, beyond which the tokens of a quick re-activation were dated.
    return setCredentialStatus<OAuthClient>(this.db, OAUTH_CLIENTS, clientId, status, now, (client) => ({
      tokens_not_before:
        status === 'inactive' ? Math.max(tokensNotBeforeAfter(now), (client.tokens_not_before ?? 0) + 1000) : client.tokens_not_before,
    }), audit, scope);
  }

  /** Deletes an inactive client; an active one must be deactivated first. */
  async deleteInactive(clientId: string, audit?: PendingAuditEntry, scope?: CredentialScope): Promise<{ platform_id: string }> {
    return deleteInactiveCredential(this.db, OAUTH_CLIENTS, clientId, audit, scope);
  }

  /**
   * The issuance quota as one atomic conditional write: it succeeds only for an active client whose last
   * token is at least `intervalMs` old, so concurrent requests on any number of instances get one grant.
   * A grant appends `issued` (the token_issued entry) in the same transaction: the quota is spent and
   * the issuance recorded together, or neither. On PostgreSQL (store/postgres-quota-claim.ts) the
   * platform's lock comes first, as in every transaction that appends (one lock order: platform, then
   * row; store/audit-log.ts). On SQLite (store/sqlite-quota-claim.ts) the claim's own write already holds
   * the database's one write lock, which is all the platform's lock gives.
   */
  async claimQuota(client: Pick<OAuthClient, 'client_id' | 'platform_id'>, now: number, intervalMs: number, issued: PendingAuditEntry): Promise<QuotaClaim> {
    return this.claim(client, now, intervalMs, issued);
  }

  /**
   * Clears the quota: the recovery path when an issued token was lost. The time it clears is kept as
   * `issued_before_reset_at` (the token it dates still lives). Returns the client as it now is.
   */
  async resetQuota(clientId: string, audit?: PendingAuditEntry, scope: CredentialScope = {}): Promise<OAuthClient> {
    return this.db.transaction().execute(async (trx) => {
      await lockedClient(trx, clientId, scope, audit);
      // SET reads the row as it was (SQL's UPDATE semantics), under the lock: a claim that committed after
      // the read above is what moves, and a second reset keeps the time the first one moved.
      const result = await trx
        .updateTable('oauth_clients')
        .set((eb) => ({ issued_before_reset_at: eb.fn.coalesce('last_issued_at', 'issued_before_reset_at'), last_issued_at: null }))
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) throw new TesseraError('not_found', `Client ${clientId} does not exist`);
      return trx.selectFrom('oauth_clients').selectAll().where('client_id', '=', clientId).executeTakeFirstOrThrow();
    });
  }
}

/**
 * The first step of a change to a client's row or to what hangs on it (its own token limits): reads the
 * client (in `scope`: `not_found` when it is another platform's or none), takes its platform's lock before
 * anything is written (one lock order: store/audit-log.ts) and appends the change's audit entry.
 */
export async function lockedClient(trx: Transaction<Schema>, clientId: string, scope: CredentialScope, audit?: PendingAuditEntry): Promise<OAuthClient> {
  let query = trx.selectFrom('oauth_clients').selectAll().where('client_id', '=', clientId);
  if (scope.platformId !== undefined) query = query.where('platform_id', '=', scope.platformId);
  const client = await query.executeTakeFirst();
  if (!client) throw new TesseraError('not_found', `Client ${clientId} does not exist`);
  await lockPlatform(trx, client.platform_id);
  if (audit) await appendAuditEntry(trx, { ...audit, platform_id: client.platform_id });
  return client;
}
