// Times are shown in UTC, as the audit log and the API state them: one clock for a whole team.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

const parse = (iso: string): Date | null => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
};

/** "14 Sep 2026" (UTC). */
export function formatDate(iso: string): string {
  const d = parse(iso);
  return d ? `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}` : iso;
}

/** "14 Sep 2026, 08:12" (UTC); `never` for null. */
export function formatDateTime(iso: string | null, never = 'Never'): string {
  if (iso === null) return never;
  const d = parse(iso);
  return d ? `${formatDate(iso)}, ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}` : iso;
}

/** "2026-11-29 10:55:08", for the audit log's UTC column. */
export function formatTimestamp(iso: string): string {
  const d = parse(iso);
  return d ? d.toISOString().replace('T', ' ').slice(0, 19) : iso;
}
