import { type AuditEntryView, listAudit } from '../audit/list-audit.js';

/** The audit log's filters, as audit/list-audit.ts is to take them: times in epoch ms, `before` a seq (exclusive). */
export interface AuditFilter {
  action?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  before?: number | undefined;
}

export type AuditDeps = Parameters<typeof listAudit>[0];

/** Entries read from the store at a time while filtering. */
const BATCH = 500;

/**
 * The filtered, paged listing the portal's contract asks for (`{entries, next}`), over today's
 * audit/list-audit.ts, which pages by offset only: it reads the platform's entries newest first, a
 * batch at a time, and keeps those that pass the filter. Written to the signature the audit domain is
 * taking on another branch, which filters in the store, so the routes switch to it unchanged.
 */
export async function listAuditPage(deps: AuditDeps, platformName: string, filter: AuditFilter & { limit: number }): Promise<{ entries: AuditEntryView[]; next: number | null }> {
  const found = await filtered(deps, platformName, filter, filter.limit + 1);
  const entries = found.slice(0, filter.limit);
  return { entries, next: found.length > filter.limit ? entries.at(-1)!.seq : null };
}

/** Every entry that passes the filter, newest first, as CSV (RFC 4180). */
export async function auditCsv(deps: AuditDeps, platformName: string, filter: AuditFilter): Promise<string> {
  const entries = await filtered(deps, platformName, filter, Number.POSITIVE_INFINITY);
  const lines = [CSV_COLUMNS.join(','), ...entries.map((e) => CSV_COLUMNS.map((c) => csvField(e[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

async function filtered(deps: AuditDeps, platformName: string, filter: AuditFilter, wanted: number): Promise<AuditEntryView[]> {
  const out: AuditEntryView[] = [];
  for (let offset = 0; out.length < wanted; offset += BATCH) {
    const batch = await listAudit(deps, platformName, { limit: BATCH, offset });
    for (const entry of batch) {
      if (passes(entry, filter)) out.push(entry);
      if (out.length >= wanted) break;
    }
    if (batch.length < BATCH) break;
  }
  return out;
}

function passes(entry: AuditEntryView, filter: AuditFilter): boolean {
  const at = Date.parse(entry.at);
  return (
    (filter.action === undefined || entry.action === filter.action) &&
    (filter.from === undefined || at >= filter.from) &&
    (filter.to === undefined || at <= filter.to) &&
    (filter.before === undefined || entry.seq < filter.before)
  );
}

const CSV_COLUMNS = ['id', 'seq', 'at', 'actor', 'action', 'target_id', 'source_address', 'user_agent', 'outcome'] as const;

/**
 * One field, quoted when it holds a comma, a quote or a line break (RFC 4180 §2). A field a spreadsheet
 * would run as a formula (the user agent is whatever a client sent) starts with a quote mark instead
 * (OWASP: CSV injection).
 */
function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
