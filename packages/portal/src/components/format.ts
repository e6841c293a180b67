// Times are shown in UTC, as the audit log and the API state them: one clock for a whole team.

const dateTime = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** "29 Nov 2026, 10:55 UTC"; `never` for null. */
export function formatDateTime(iso: string | null, never = 'Never'): string {
  if (iso === null) return never;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${dateTime.format(date)} UTC`;
}

/** "2026-11-29 10:55:08", for the audit log's UTC column. */
export function formatTimestamp(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toISOString().replace('T', ' ').slice(0, 19);
}
