import type { Kysely, Selectable, Transaction } from 'kysely';
import type { PendingAuditEntry } from './audit-log.js';
import type { CredentialScope } from './credential-table.js';
import { lockedClient, type OAuthClient } from './oauth-clients.js';
import type { ClientTokenLimitsTable, Schema } from './schema.js';

export type ClientTokenLimitsRow = Selectable<ClientTokenLimitsTable>;

/** The numbers and mode of a client's own limits, as set. */
export type ClientTokenLimitsValues = Pick<ClientTokenLimitsRow, 'per_hour' | 'per_day' | 'mode'>;

/**
 * Clients' own token limits (table `client_token_limits`, issue 22). The token endpoint reads them with
 * the client's row (OAuthClientStore.findWithPlatform joins them); this writes them, each change with its
 * audit entry in one transaction under the platform's lock (one lock order: platform, then row).
 */
export class ClientTokenLimitStore {
  constructor(private readonly db: Kysely<Schema>) {}

  /** The client's own limits; undefined when it has none (the default ones apply). */
  async find(clientId: string): Promise<ClientTokenLimitsRow | undefined> {
    return this.db.selectFrom('client_token_limits').selectAll().where('client_id', '=', clientId).executeTakeFirst();
  }

  /** The own limits of a platform's clients, by client id. */
  async listByPlatform(platformId: string): Promise<Map<string, ClientTokenLimitsRow>> {
    const rows = await this.db
      .selectFrom('client_token_limits')
      .innerJoin('oauth_clients', 'oauth_clients.client_id', 'client_token_limits.client_id')
      .selectAll('client_token_limits')
      .where('oauth_clients.platform_id', '=', platformId)
      .execute();
    return new Map(rows.map((row) => [row.client_id, row]));
  }

  /** Sets (or replaces) the client's own limits; `not_found` for a client that does not exist (or is another platform's). */
  async set(clientId: string, values: ClientTokenLimitsValues, now: number, audit: PendingAuditEntry, scope: CredentialScope = {}): Promise<OAuthClient> {
    return this.change(clientId, audit, scope, async (trx) => {
      const row = { ...values, updated_at: now };
      await trx
        .insertInto('client_token_limits')
        .values({ client_id: clientId, ...row })
        .onConflict((oc) => oc.column('client_id').doUpdateSet(row))
        .execute();
    });
  }

  /** Removes the client's own limits (the default ones apply again); `not_found` for a client that does not exist. */
  async clear(clientId: string, audit: PendingAuditEntry, scope: CredentialScope = {}): Promise<OAuthClient> {
    return this.change(clientId, audit, scope, async (trx) => {
      await trx.deleteFrom('client_token_limits').where('client_id', '=', clientId).execute();
    });
  }

  private async change(clientId: string, audit: PendingAuditEntry, scope: CredentialScope, write: (trx: Transaction<Schema>) => Promise<void>): Promise<OAuthClient> {
    return this.db.transaction().execute(async (trx) => {
      const client = await lockedClient(trx, clientId, scope, audit);
      await write(trx);
      return client;
    });
  }
}
