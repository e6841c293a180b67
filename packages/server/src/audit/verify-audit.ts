import { GENESIS_HASH } from '../crypto/audit-hash.js';
import { type AuditLogStore, entryHash } from '../store/audit-log.js';
import type { PlatformStore } from '../store/platforms.js';

/** The first entry found broken: `changed` (its hash or link does not match) or `removed` (a gap in seq before it). */
export interface AuditBreak {
  problem: 'changed' | 'removed';
  platform_id: string;
  /** The platform's name when it still exists. */
  platformName: string | null;
  /** The changed entry's seq, or the first missing seq. */
  seq: number;
  /** The changed entry, or the entry that follows the gap. */
  id: string;
}

export type AuditVerification = { ok: true; checked: number } | { ok: false; checked: number; broken: AuditBreak };

/**
 * Walks every platform's chain in seq order and stops at the first break. What it cannot see: entries
 * removed from the end of a chain (or a whole chain), since nothing after them links to them; an
 * anchor kept outside the store (a published head hash) would be needed for that.
 */
export async function verifyAudit(deps: { auditLog: Pick<AuditLogStore, 'platformIds' | 'chain'>; platforms: Pick<PlatformStore, 'findById'> }): Promise<AuditVerification> {
  let checked = 0;
  for (const platformId of await deps.auditLog.platformIds()) {
    let prevHash = GENESIS_HASH;
    let expectedSeq = 1;
    for (const entry of await deps.auditLog.chain(platformId)) {
      let problem: AuditBreak['problem'] | undefined;
      if (entry.seq !== expectedSeq) problem = 'removed';
      // The content against its own hash, then the link to its predecessor: an edit of the row shows in
      // the first, a removal that renumbered seq (or a forged row) in the second.
      else if (entryHash(entry.prev_hash, entry) !== entry.hash || entry.prev_hash !== prevHash) problem = 'changed';
      if (problem) {
        const platform = await deps.platforms.findById(platformId);
        const seq = problem === 'removed' ? expectedSeq : entry.seq;
        return { ok: false, checked, broken: { problem, platform_id: platformId, platformName: platform?.name ?? null, seq, id: entry.id } };
      }
      checked += 1;
      prevHash = entry.hash;
      expectedSeq += 1;
    }
  }
  return { ok: true, checked };
}
