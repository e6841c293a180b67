import { createHash } from 'node:crypto';

/** The `prev_hash` of a platform's first audit entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields of an audit entry that its hash covers: all but the hashes themselves. */
export interface HashedAuditFields {
  id: string;
  platform_id: string;
  seq: number;
  at: number;
  actor: string;
  action: string;
  target_id: string;
  source_address: string | null;
  user_agent: string | null;
  outcome: string;
}

/**
 * sha256(prevHash + canonical JSON of the fields), hex. Canonical: the keys in one fixed (sorted) order,
 * so the same entry hashes the same whatever order a row's columns come back in from either store.
 * Chaining each hash into the next makes a changed or removed entry break every link after it.
 */
export function auditHash(prevHash: string, fields: HashedAuditFields): string {
  const canonical = JSON.stringify({
    action: fields.action,
    actor: fields.actor,
    at: Number(fields.at),
    id: fields.id,
    outcome: fields.outcome,
    platform_id: fields.platform_id,
    seq: Number(fields.seq),
    source_address: fields.source_address,
    target_id: fields.target_id,
    user_agent: fields.user_agent,
  });
  return createHash('sha256').update(prevHash + canonical, 'utf8').digest('hex');
}
