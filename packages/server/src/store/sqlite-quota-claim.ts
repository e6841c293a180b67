import type SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { type AuditEntry, chainedAuditEntry, type PendingAuditEntry } from './audit-log.js';
import type { OAuthClient, QuotaClaim } from './quota-claim.js';
import type { Schema } from './schema.js';
import { mapped } from './store-unavailable.js';

type ClaimArgs = [client: Pick<OAuthClient, 'client_id' | 'platform_id'>, now: number, intervalMs: number, issued: PendingAuditEntry];
type Claimer = (...args: ClaimArgs) => Promise<QuotaClaim>;

const AUDIT_COLUMNS = ['id', 'platform_id', 'seq', 'at', 'actor', 'action', 'target_id', 'source_address', 'user_agent', 'outcome', 'prev_hash', 'hash'] as const satisfies readonly (keyof AuditEntry)[];

/**
 * OAuthClientStore.claimQuota on SQLite, as one synchronous better-sqlite3 transaction of four prepared
 * statements: the same writes as the Kysely version (claim, then the token_issued entry chained to the
 * platform's last), without its per-statement query building and promise hops, which cost the token
 * endpoint more than the statements themselves (issue 13's profile). It runs holding Kysely's connection
 * (`db.connection()`), so it can never land inside a Kysely transaction that is awaiting on the same
 * database connection. `BEGIN IMMEDIATE` takes the write lock first, as the claim's UPDATE does.
 */
export function sqliteQuotaClaim(db: Kysely<Schema>, sqlite: SQLite.Database): Claimer {
  // Prepared on first use: the tables exist once the store is migrated, not when it is opened.
  let claim: ((...args: ClaimArgs) => QuotaClaim) | undefined;
  const prepare = () => {
    const claimAny = sqlite.prepare("update oauth_clients set last_issued_at = ? where client_id = ? and status = 'active'");
    const claimDue = sqlite.prepare(
      "update oauth_clients set last_issued_at = ? where client_id = ? and status = 'active' and (last_issued_at is null or last_issued_at <= ?)",
    );
    const last = sqlite.prepare('select seq, hash from audit_log where platform_id = ? order by seq desc limit 1');
    const append = sqlite.prepare(`insert into audit_log (${AUDIT_COLUMNS.join(', ')}) values (${AUDIT_COLUMNS.map((c) => `@${c}`).join(', ')})`);
    const current = sqlite.prepare('select last_issued_at, status from oauth_clients where client_id = ?');
    return sqlite.transaction((...[client, now, intervalMs, issued]: ClaimArgs): QuotaClaim => {
      // An interval of 0 turns the quota off: every claim is granted, in whatever order they commit.
      const { changes } = intervalMs > 0 ? claimDue.run(now, client.client_id, now - intervalMs) : claimAny.run(now, client.client_id);
      if (changes > 0) {
        const previous = last.get(client.platform_id) as Pick<AuditEntry, 'seq' | 'hash'> | undefined;
        append.run(chainedAuditEntry(previous, { ...issued, platform_id: client.platform_id }));
        return { granted: true };
      }
      const row = current.get(client.client_id) as Pick<OAuthClient, 'last_issued_at' | 'status'> | undefined;
      return { granted: false, lastIssuedAt: row?.last_issued_at ?? null, status: row?.status };
    }).immediate;
  };
  return (...args) =>
    db.connection().execute(async () => {
      try {
        claim ??= prepare();
        return claim(...args);
      } catch (error) {
        // As every other query's (store-unavailable.ts): a database locked past busy_timeout is a 503.
        throw mapped(error);
      }
    });
}
