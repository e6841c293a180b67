import { describe, expect, test } from 'vitest';
import { auditQuery } from '../../src/api/audit-query';
import { draftToFilters, localInputToUtcIso } from '../../src/audit/audit-filter-form';

describe('audit filters', () => {
  test('date-time inputs are read as UTC, whatever the browser time zone', () => {
    expect(localInputToUtcIso('2026-11-01T09:30')).toBe('2026-11-01T09:30:00.000Z');
    expect(localInputToUtcIso('2026-11-01T09:30:15')).toBe('2026-11-01T09:30:15.000Z');
    expect(localInputToUtcIso('2026-11-01')).toBeNull();
    expect(localInputToUtcIso('2026-13-01T09:30')).toBeNull();
  });

  test('the form becomes the filters the API takes, or says what is wrong', () => {
    expect(draftToFilters({ action: '', from: '', to: '' })).toEqual({ filters: {} });
    expect(draftToFilters({ action: 'reveal', from: '2026-11-01T00:00', to: '2026-11-30T23:59' })).toEqual({
      filters: { action: 'reveal', from: '2026-11-01T00:00:00.000Z', to: '2026-11-30T23:59:00.000Z' },
    });
    expect(draftToFilters({ action: '', from: '2026-11-30T00:00', to: '2026-11-01T00:00' })).toEqual({ error: '"From" must be before "To".' });
    expect(draftToFilters({ action: '', from: 'yesterday', to: '' })).toEqual({ error: '"From" is not a date and time.' });
  });

  test('filters and paging become the query string', () => {
    expect(auditQuery({}, null)).toBe('');
    expect(auditQuery({ action: 'token_refused' }, null)).toBe('?action=token_refused');
    expect(auditQuery({ action: 'reveal', from: '2026-11-01T00:00:00.000Z', to: '2026-11-30T23:59:00.000Z' }, 951)).toBe(
      '?action=reveal&from=2026-11-01T00%3A00%3A00.000Z&to=2026-11-30T23%3A59%3A00.000Z&before=951',
    );
  });
});
