import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { errorMessage } from '../api/api-error';
import type { AuditFilters } from '../api/audit-query';
import type { AuditPage as Log } from '../api/types';
import { usePortal } from '../session/portal-context';
import { AUDIT_ACTIONS, actionLabel } from '../audit/audit-actions';
import { draftToFilters, EMPTY_DRAFT, type AuditFilterDraft } from '../audit/audit-filter-form';
import { useDocumentTitle } from '../hooks/use-document-title';
import { Button } from '../components/button';
import { DataTable } from '../components/data-table';
import { EmptyState } from '../components/empty-state';
import { FiltersCard } from '../components/filters-card';
import { formatTimestamp } from '../components/format';
import { DownloadIcon, ListIcon } from '../components/icons';
import { ListCard } from '../components/list-card';
import { PageHeader } from '../components/page-header';
import { StatusBadge } from '../components/status-badge';

export function AuditPage() {
  useDocumentTitle('Audit Log');
  const { api } = usePortal();
  const [draft, setDraft] = useState<AuditFilterDraft>(EMPTY_DRAFT);
  const [filters, setFilters] = useState<AuditFilters>({});
  const [filterError, setFilterError] = useState<string | null>(null);
  const [log, setLog] = useState<Log | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Only the answer to the latest request is shown (filters can change while one is in flight).
  const latest = useRef(0);

  // Fetches a page (the first when `before` is null); state is set only when the answer comes.
  const fetchPage = useCallback(
    (before: number | null) => {
      const request = ++latest.current;
      return api.audit(filters, before).then(
        (page) => {
          if (request !== latest.current) return;
          setLog((current) =>
            before === null || current === null ? page : { ...page, entries: [...current.entries, ...page.entries] },
          );
          setError(null);
          setLoading(false);
          setLoadingMore(false);
        },
        (caught: unknown) => {
          if (request !== latest.current) return;
          setError(errorMessage(caught));
          setLoading(false);
          setLoadingMore(false);
        },
      );
    },
    [api, filters],
  );

  useEffect(() => {
    void fetchPage(null);
  }, [fetchPage]);

  const loadMore = (before: number) => {
    setLoadingMore(true);
    void fetchPage(before);
  };

  const apply = (event: FormEvent) => {
    event.preventDefault();
    const result = draftToFilters(draft);
    if ('error' in result) {
      setFilterError(result.error);
      return;
    }
    setFilterError(null);
    setLoading(true);
    setFilters(result.filters);
  };

  const clear = () => {
    setDraft(EMPTY_DRAFT);
    setFilterError(null);
    setLoading(true);
    setFilters({});
  };

  const filtered = Object.keys(filters).length > 0;

  return (
    <>
      <PageHeader
        title="Audit Log"
        description="The history of activities in managing the credentials: who did what, when, and from where. Times are UTC."
        actions={
          <a className="button button-secondary" href={api.auditCsvUrl(filters)} download>
            <DownloadIcon />
            <span>Export CSV</span>
          </a>
        }
      />
      <FiltersCard onApply={apply} canClear={filtered || draft.action !== '' || draft.from !== '' || draft.to !== ''} onClear={clear} error={filterError}>
        <div className="field">
          <label htmlFor="audit-action">Action</label>
          <select id="audit-action" value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })}>
            <option value="">All actions</option>
            {AUDIT_ACTIONS.map(({ action, label }) => (
              <option key={action} value={action}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-from">From (UTC)</label>
          <input id="audit-from" type="datetime-local" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="audit-to">To (UTC)</label>
          <input id="audit-to" type="datetime-local" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
        </div>
      </FiltersCard>
      <ListCard
        headingId="audit-heading"
        title="Entries"
        data={log}
        summary={
          <span className="muted">
            Newest first{log?.entriesSince ? <> · {heldSince(log)}</> : null}
          </span>
        }
        error={error}
        loading={loading}
        busy={loading}
        isEmpty={(data) => data.entries.length === 0}
        empty={
          <EmptyState icon={<ListIcon size={24} />} title={filtered ? 'No entries match these filters.' : 'No activity yet.'}>
            {filtered
              ? 'Widen the dates or choose all actions.'
              : 'Generating, revealing or deactivating a credential, and signing in, are recorded here.'}
          </EmptyState>
        }
      >
        {(data) => (
          <>
            <DataTable columns={['Time (UTC)', 'Actor', 'Action', 'Target', 'Source', 'Outcome']} className="table-audit">
              {data.entries.map((entry) => (
                <tr key={entry.id}>
                  <td data-label="Time (UTC)" className="nowrap">
                    <time dateTime={entry.at}>{formatTimestamp(entry.at)}</time>
                  </td>
                  <td data-label="Actor">
                    <span className="truncate" title={entry.actor}>
                      {entry.actor}
                    </span>
                  </td>
                  <td data-label="Action" className="nowrap">
                    {actionLabel(entry.action)}
                  </td>
                  <td data-label="Target">
                    <code className="mono truncate" title={entry.targetId}>
                      {entry.targetId}
                    </code>
                  </td>
                  <td data-label="Source">
                    <div className="stacked">
                      <span>{entry.sourceAddress ?? <span className="muted">No address</span>}</span>
                      {entry.userAgent ? (
                        <span className="truncate muted small" title={entry.userAgent}>
                          {entry.userAgent}
                        </span>
                      ) : (
                        <span className="muted small">No user agent</span>
                      )}
                    </div>
                  </td>
                  <td data-label="Outcome">
                    <StatusBadge status={entry.outcome} />
                  </td>
                </tr>
              ))}
            </DataTable>
            <div className="card-footer">
              {data.next !== null ? (
                <Button variant="secondary" loading={loadingMore} onClick={() => data.next !== null && loadMore(data.next)}>
                  Load more
                </Button>
              ) : (
                <span className="muted">
                  {data.entries.length === 1 ? 'One entry' : `${data.entries.length} entries`}: the beginning of the log.
                </span>
              )}
            </div>
          </>
        )}
      </ListCard>
    </>
  );
}

/** From when the store holds entries: older ones may have been archived out of it (`tessera audit archive`). */
function heldSince(log: Log): string {
  const since = `Entries since ${formatTimestamp(log.entriesSince!)}`;
  return log.olderArchived ? `${since}; older ones archived` : since;
}
