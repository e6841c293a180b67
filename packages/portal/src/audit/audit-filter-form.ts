import type { AuditFilters } from '../api/audit-query';

/** The filter form as typed: `from`/`to` are `<input type="datetime-local">` values, read as UTC. */
export type AuditFilterDraft = { action: string; from: string; to: string };

export const EMPTY_DRAFT: AuditFilterDraft = { action: '', from: '', to: '' };

/** "2026-11-29T10:00" → "2026-11-29T10:00:00.000Z"; null when it is not a date-time. */
export function localInputToUtcIso(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(value)) return null;
  const date = new Date(`${value}Z`);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** The filters the API takes, or the message saying what is wrong with the form. */
export function draftToFilters(draft: AuditFilterDraft): { filters: AuditFilters } | { error: string } {
  const filters: AuditFilters = {};
  if (draft.action !== '') filters.action = draft.action;
  for (const field of ['from', 'to'] as const) {
    if (draft[field] === '') continue;
    const iso = localInputToUtcIso(draft[field]);
    if (iso === null) return { error: `"${field === 'from' ? 'From' : 'To'}" is not a date and time.` };
    filters[field] = iso;
  }
  if (filters.from && filters.to && filters.from > filters.to) return { error: '"From" must be before "To".' };
  return { filters };
}
