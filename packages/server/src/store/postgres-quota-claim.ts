import { type Kysely, sql } from 'kysely';
import { type PendingAuditEntry, unnumberedAuditEntry } from './audit-log.js';
import type { OAuthClient, QuotaClaim } from './oauth-clients.js';
import type { Schema } from './schema.js';

type Claimer = (client: Pick<OAuthClient, 'client_id' | 'platform_id'>, now: number, intervalMs: number, issued: PendingAuditEntry) => Promise<QuotaClaim>;

/**
 * OAuthClientStore.claimQuota on PostgreSQL: one call of the database's `tessera_claim_quota` (migration
 * 0010), which takes the platform's lock, makes the conditional claim and appends the token_issued entry
 * in one transaction — the same writes, in the same lock order, as every other append (store/audit-log.ts),
 * in one round trip instead of six. The entry's id and the text its hash covers are the application's.
 */
export function postgresQuotaClaim(db: Kysely<Schema>): Claimer {
  return async (client, now, intervalMs, issued) => {
    const entry = { ...issued, platform_id: client.platform_id };
    const { id, hashHead, hashTail } = unnumberedAuditEntry(entry);
    const { rows } = await sql<{ granted: boolean; last_issued_at: number | null; status: OAuthClient['status'] | null }>`
      select granted, last_issued_at, status from tessera_claim_quota(
        ${client.client_id}, ${client.platform_id}, ${now}::bigint, ${intervalMs}::bigint,
        ${id}, ${entry.at}::bigint, ${entry.actor}, ${entry.action}, ${entry.target_id},
        ${entry.source_address}, ${entry.user_agent}, ${entry.outcome}, ${hashHead}, ${hashTail})`.execute(db);
    const row = rows[0]!;
    if (row.granted) return { granted: true };
    return { granted: false, lastIssuedAt: row.last_issued_at, status: row.status ?? undefined };
  };
}
