import type { AuditEntry, AuditFilter, AuditLogStore } from '../store/audit-log.js';
import { type AuditEntryView, type AuditListDeps, auditPlatformId, toView } from './list-audit.js';

/** The export's columns, in order (docs/portal-api.md). */
const AUDIT_CSV_COLUMNS = ['at', 'actor', 'action', 'target_id', 'source_address', 'user_agent', 'outcome', 'seq', 'id'] as const satisfies readonly (keyof AuditEntryView)[];

/** Entries read from the store per query while exporting. */
const EXPORT_BATCH = 500;

/** RFC 4180 §2: records end with CRLF. */
const CRLF = '\r\n';

/**
 * A spreadsheet runs a cell that starts with one of these as a formula (CSV injection, OWASP): an actor
 * or a user agent is whatever a caller sent, so such a cell is written after a `'`, which spreadsheets
 * read as "text" and do not show.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One field: defused, then quoted when it holds a comma, a quote or a line break (RFC 4180 §2.6–2.7). */
export function csvField(value: string | number | null): string {
  let text = value === null ? '' : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record, CRLF included. */
function csvRecord(values: readonly (string | number | null)[]): string {
  return values.map(csvField).join(',') + CRLF;
}

function auditCsvRecord(entry: AuditEntryView): string {
  return csvRecord(AUDIT_CSV_COLUMNS.map((column) => entry[column]));
}

/**
 * A platform's entries matching `filter` as CSV, newest first: the header, then the records a batch at a
 * time, so a long log streams without being held in memory. The filter and the platform are checked
 * before this resolves, so a refusal comes before the first byte; keyset paging on seq keeps the export
 * exact while entries are appended (they are newer than its first batch).
 */
export async function exportAuditCsv(
  deps: AuditListDeps & { auditLog: Pick<AuditLogStore, 'list'> },
  platformName: string,
  filter: Omit<AuditFilter, 'before'>,
): Promise<AsyncIterable<string>> {
  const platformId = await auditPlatformId(deps, platformName, filter);
  return (async function* () {
    yield csvRecord(AUDIT_CSV_COLUMNS);
    let before: number | undefined;
    for (;;) {
      const rows: AuditEntry[] = await deps.auditLog.list(platformId, { ...filter, before }, EXPORT_BATCH);
      if (rows.length > 0) yield rows.map((row) => auditCsvRecord(toView(row))).join('');
      if (rows.length < EXPORT_BATCH) return;
      before = rows.at(-1)!.seq;
    }
  })();
}
