/** The audit log's filters, as the page keeps them; `from` and `to` are ISO 8601 instants. */
export type AuditFilters = { action?: string; from?: string; to?: string };

/**
 * The audit filters as a query string (with its `?`, or '' when there is none): `action`, `from`,
 * `to` as the API takes them, and `before` (the previous page's `next`) for paging.
 */
export function auditQuery(filters: AuditFilters, before: number | null): string {
  const query = new URLSearchParams();
  if (filters.action) query.set('action', filters.action);
  if (filters.from) query.set('from', filters.from);
  if (filters.to) query.set('to', filters.to);
  if (before !== null) query.set('before', String(before));
  const text = query.toString();
  return text === '' ? '' : `?${text}`;
}
