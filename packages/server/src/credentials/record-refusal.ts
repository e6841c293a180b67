import { type AuditAction, type AuditActor, type AuditDeps, recordAudit } from '../audit/record-audit.js';
import { hasCode } from '../errors/tessera-error.js';

/** What a refused action was aimed at, when it exists: the platform whose chain records it, and an id. */
export interface RefusalTarget {
  platformId: string;
  /** An existing credential's id, found in the store (never what a person typed); '' for a refused generate. */
  targetId: string;
}

/**
 * Runs `attempt`; when it fails and `target` finds what it was aimed at, appends a `failure` entry in a
 * transaction of its own (the refused one has rolled back, its entry with it), then rethrows. When
 * `target` finds nothing (no such platform or credential) no entry is written: there is no platform
 * to chain it to, and the id is only what someone typed (a typo, a pasted secret).
 *
 * The refusal is what the caller must hear: should its entry fail to be written too (the store is
 * down), the refusal is rethrown and the entry is lost with the store's own error.
 */
export async function recordingRefusal<T>(
  deps: AuditDeps,
  who: AuditActor,
  action: AuditAction,
  attempt: () => Promise<T>,
  target: () => Promise<RefusalTarget | undefined>,
): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    // The store is away: nothing was refused, and nothing could be written.
    if (hasCode(error, 'unavailable')) throw error;
    try {
      const found = await target();
      if (found) await recordAudit(deps, who, { platformId: found.platformId, action, targetId: found.targetId, outcome: 'failure' });
    } catch {
      // As said above: the refusal, not this, is the answer.
    }
    throw error;
  }
}
