import { TesseraError } from '../errors.js';
import type { AuditEntry, AuditLogStore } from '../store/audit-log.js';
import type { PlatformStore } from '../store/platforms.js';

/** An audit entry as shown to people: the time in UTC (ISO 8601), the hashes left out. */
export interface AuditEntryView {
  id: string;
  seq: number;
  at: string;
  actor: string;
  action: string;
  target_id: string;
  source_address: string | null;
  user_agent: string | null;
  outcome: AuditEntry['outcome'];
}

/** A platform's entries, newest first, a page at a time. */
export async function listAudit(
  deps: { auditLog: Pick<AuditLogStore, 'listByPlatform'>; platforms: Pick<PlatformStore, 'findByName'> },
  platformName: string,
  page: { limit: number; offset: number },
): Promise<AuditEntryView[]> {
  // Looked up here rather than through credentials/platforms.ts: audit/ depends on store/ and crypto/ only.
  const platform = await deps.platforms.findByName(platformName);
  if (!platform) throw new TesseraError('not_found', `Platform ${platformName} does not exist`);
  return (await deps.auditLog.listByPlatform(platform.id, page)).map((e) => ({
    id: e.id,
    seq: e.seq,
    at: new Date(e.at).toISOString(),
    actor: e.actor,
    action: e.action,
    target_id: e.target_id,
    source_address: e.source_address,
    user_agent: e.user_agent,
    outcome: e.outcome,
  }));
}
