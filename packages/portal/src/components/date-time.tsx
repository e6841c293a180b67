import { formatDate, formatDateTime } from './format';

/** A UTC time, with the exact instant in its tooltip; "Never" (or `never`) when there is none. */
export function DateTime({ iso, dateOnly = false, never = 'Never' }: { iso: string | null; dateOnly?: boolean; never?: string }) {
  if (iso === null) return <span className="muted">{never}</span>;
  return (
    <time className="nowrap" dateTime={iso} title={`${iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '')} UTC`}>
      {dateOnly ? formatDate(iso) : formatDateTime(iso)}
    </time>
  );
}
