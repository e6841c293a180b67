import { TesseraError } from '../errors/tessera-error.js';
import type { AuditEntry, AuditFilter, AuditLogStore } from '../store/audit-log.js';
import type { PlatformStore } from '../store/platforms.js';
import { AUDIT_ACTIONS, isAuditAction } from './record-audit.js';

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

/** The largest page (docs/portal-api.md: `limit` 1–200). */
export const MAX_AUDIT_PAGE = 200;

export interface AuditPage {
  entries: AuditEntryView[];
  /** The `before` of the next (older) page, or null when this one is the last. */
  next: number | null;
}

export interface AuditListDeps {
  auditLog: Pick<AuditLogStore, 'list'>;
  platforms: Pick<PlatformStore, 'findByName'>;
}

/**
 * A platform's entries, newest first, a page at a time: `before` is the `next` of the previous page
 * (a seq, exclusive); `from` and `to` are inclusive epoch ms on the entry's time.
 */
export async function listAudit(deps: AuditListDeps, platformName: string, filter: AuditFilter & { limit: number }): Promise<AuditPage> {
  const { limit, ...where } = filter;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_PAGE) {
    throw new TesseraError('invalid_input', `Invalid limit: use a whole number from 1 to ${MAX_AUDIT_PAGE}`);
  }
  const platformId = await auditPlatformId(deps, platformName, where);
  // One more than asked for says whether an older page exists, without a count.
  const rows = await deps.auditLog.list(platformId, where, limit + 1);
  const entries = rows.slice(0, limit).map(toView);
  return { entries, next: rows.length > limit ? entries.at(-1)!.seq : null };
}

/**
 * The platform's id once `filter` is known to be valid: checked before any entry is read, so a surface
 * that streams the entries (audit-csv.ts) has refused bad input before its first byte.
 */
export async function auditPlatformId(deps: Pick<AuditListDeps, 'platforms'>, platformName: string, filter: AuditFilter): Promise<string> {
  if (filter.action !== undefined && !isAuditAction(filter.action)) {
    throw new TesseraError('invalid_input', `Unknown audit action: use one of ${AUDIT_ACTIONS.join(', ')}`);
  }
  for (const name of ['from', 'to'] as const) {
    const value = filter[name];
    if (value !== undefined && !Number.isSafeInteger(value)) throw new TesseraError('invalid_input', `Invalid ${name}: it must be a time (epoch milliseconds)`);
  }
  if (filter.from !== undefined && filter.to !== undefined && filter.from > filter.to) {
    throw new TesseraError('invalid_input', 'Invalid time range: from is after to');
  }
  if (filter.before !== undefined && (!Number.isSafeInteger(filter.before) || filter.before < 1)) {
    throw new TesseraError('invalid_input', 'Invalid before: use the next of the previous page (a whole number from 1)');
  }
  // Looked up here rather than through credentials/platforms.ts: audit/ depends on store/ and crypto/ only.
  const platform = await deps.platforms.findByName(platformName);
  if (!platform) throw new TesseraError('not_found', `Platform ${platformName} does not exist`);
  return platform.id;
}

export function toView(e: AuditEntry): AuditEntryView {
  return {
    id: e.id,
    seq: e.seq,
    at: new Date(e.at).toISOString(),
    actor: e.actor,
    action: e.action,
    target_id: e.target_id,
    source_address: e.source_address,
    user_agent: e.user_agent,
    outcome: e.outcome,
  };
}
