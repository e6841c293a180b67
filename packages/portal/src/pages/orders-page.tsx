import { useCallback, useState, type FormEvent } from 'react';
import { ORDER_FILTER_NAMES, type OrderFilters } from '../api/order-query';
import { usePortal } from '../session/portal-context';
import { useDocumentTitle } from '../hooks/use-document-title';
import { useResource } from '../hooks/use-resource';
import { Button } from '../components/button';
import { ConsoleLink } from '../components/console-link';
import { DataTable } from '../components/data-table';
import { DateTime } from '../components/date-time';
import { EmptyState } from '../components/empty-state';
import { FiltersCard } from '../components/filters-card';
import { formatMinor } from '../components/format';
import { GiftIcon } from '../components/icons';
import { ListCard } from '../components/list-card';
import { PageHeader } from '../components/page-header';
import { StatusBadge } from '../components/status-badge';

/** Orders shown a page at a time (Tango's elementsPerBlock: at most 100). */
const ORDERS_PER_PAGE = 25;

type Draft = { accountIdentifier: string; customerIdentifier: string; externalRefID: string; startDate: string; endDate: string };
const EMPTY_DRAFT: Draft = { accountIdentifier: '', customerIdentifier: '', externalRefID: '', startDate: '', endDate: '' };

/** The filters the API takes (blank fields left out), or what is wrong with the form. */
export function draftToOrderFilters(draft: Draft): { filters: OrderFilters } | { error: string } {
  const filters: OrderFilters = {};
  for (const name of ORDER_FILTER_NAMES) {
    const value = draft[name].trim();
    if (value !== '') filters[name] = value;
  }
  // <input type="date"> gives YYYY-MM-DD: each date is a whole UTC day, as the RaaS GET /orders reads it.
  if (filters.startDate && filters.endDate && filters.startDate > filters.endDate) return { error: '"From" must not be after "To".' };
  return { filters };
}

/** The platform's orders, newest first, with the RaaS GET /orders filters and paging; each opens its own page. */
export function OrdersPage() {
  useDocumentTitle('Orders');
  const { api } = usePortal();
  const [draft, setDraft] = useState<Draft>(EMPTY_DRAFT);
  const [filters, setFilters] = useState<OrderFilters>({});
  const [page, setPage] = useState(0);
  const [filterError, setFilterError] = useState<string | null>(null);
  const load = useCallback(() => api.orders(filters, page, ORDERS_PER_PAGE), [api, filters, page]);
  const list = useResource(load);
  const filtered = Object.keys(filters).length > 0;
  const field = (name: keyof Draft) => ({ value: draft[name], onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [name]: e.target.value }) });

  const apply = (event: FormEvent) => {
    event.preventDefault();
    const result = draftToOrderFilters(draft);
    if ('error' in result) {
      setFilterError(result.error);
      return;
    }
    setFilterError(null);
    setPage(0);
    setFilters(result.filters);
  };
  const clear = () => {
    setDraft(EMPTY_DRAFT);
    setFilterError(null);
    setPage(0);
    setFilters({});
  };

  return (
    <>
      <PageHeader
        title="Orders"
        description="The rewards your integration ordered: when, from which account, for whom, and what they cost. Open one to see its reward or resend it. Times are UTC."
      />
      <FiltersCard compact onApply={apply} canClear={filtered || Object.values(draft).some((value) => value !== '')} onClear={clear} error={filterError}>
        <div className="field">
          <label htmlFor="orders-account">Account</label>
          <input id="orders-account" placeholder="accountIdentifier" autoComplete="off" {...field('accountIdentifier')} />
        </div>
        <div className="field">
          <label htmlFor="orders-customer">Customer</label>
          <input id="orders-customer" placeholder="customerIdentifier" autoComplete="off" {...field('customerIdentifier')} />
        </div>
        <div className="field">
          <label htmlFor="orders-external">External reference</label>
          <input id="orders-external" placeholder="externalRefID" autoComplete="off" {...field('externalRefID')} />
        </div>
        <div className="field">
          <label htmlFor="orders-from">From (UTC)</label>
          <input id="orders-from" type="date" {...field('startDate')} />
        </div>
        <div className="field">
          <label htmlFor="orders-to">To (UTC)</label>
          <input id="orders-to" type="date" {...field('endDate')} />
        </div>
      </FiltersCard>
      <ListCard
        headingId="orders-heading"
        title="Orders"
        data={list.data}
        summary={list.data && list.data.page.totalCount > 0 && <span className="muted">Newest first</span>}
        error={list.error}
        loading={list.loading}
        busy={list.loading}
        isEmpty={(data) => data.orders.length === 0}
        empty={
          filtered ? (
            <EmptyState icon={<GiftIcon size={24} />} title="No orders match these filters.">
              Check the identifiers (they are lower case), widen the dates, or clear the filters.
            </EmptyState>
          ) : (
            <EmptyState icon={<GiftIcon size={24} />} title="No orders yet.">
              <p>
                An order buys a reward from an account&apos;s balance: fund an account on the <a href="#/accounts">Accounts</a> page, then
                order with the RaaS API:
              </p>
              <p className="api-calls">
                <code className="mono">GET /raas/v2/catalogs</code>
                <code className="mono">POST /raas/v2/orders</code>
              </p>
              <p>
                or with <em>Try it</em> in the{' '}
                <ConsoleLink />
                . Every order appears here, with its reward.
              </p>
            </EmptyState>
          )
        }
      >
        {(data) => (
          <>
            <DataTable columns={['Date', 'Reference order ID', 'Account', 'Customer', 'Reward', 'Amount', 'Status']}>
              {data.orders.map((order) => (
                <tr key={order.referenceOrderID}>
                  <td data-label="Date" className="nowrap">
                    <DateTime iso={order.createdAt} />
                  </td>
                  <td data-label="Reference order ID">
                    <span className="stacked">
                      <a className="mono nowrap" href={`#/orders/${encodeURIComponent(order.referenceOrderID)}`}>
                        {order.referenceOrderID}
                      </a>
                      {order.externalRefID && <span className="muted small">{order.externalRefID}</span>}
                    </span>
                  </td>
                  <td data-label="Account">
                    <a href={`#/accounts/${encodeURIComponent(order.accountIdentifier)}`}>
                      <code className="mono nowrap">{order.accountIdentifier}</code>
                    </a>
                  </td>
                  <td data-label="Customer">
                    <code className="mono nowrap">{order.customerIdentifier}</code>
                  </td>
                  <td data-label="Reward">
                    <span className="stacked">
                      <span className="stacked-title">{order.brandName ?? order.rewardName}</span>
                      <span className="muted small">
                        {order.rewardName} · <code className="mono">{order.utid}</code>
                      </span>
                    </span>
                  </td>
                  <td data-label="Amount" className="money">
                    <span className="stacked">
                      <span>{formatMinor(order.faceValueMinor, order.faceValueCurrencyCode)}</span>
                      {(order.faceValueCurrencyCode !== order.currencyCode || order.feeMinor > 0) && (
                        <span className="muted small">{formatMinor(order.totalMinor, order.currencyCode)} charged</span>
                      )}
                    </span>
                  </td>
                  <td data-label="Status">
                    <StatusBadge status={order.status} />
                  </td>
                </tr>
              ))}
            </DataTable>
            <Pager counts={data.page} onPage={setPage} busy={list.loading} />
          </>
        )}
      </ListCard>
    </>
  );
}

/** "Orders 26–50 of 60", with the previous and next pages. */
function Pager({ counts, onPage, busy }: { counts: { number: number; elementsPerBlock: number; resultCount: number; totalCount: number }; onPage: (page: number) => void; busy: boolean }) {
  const first = counts.number * counts.elementsPerBlock + 1;
  const last = first + counts.resultCount - 1;
  const hasNext = last < counts.totalCount;
  return (
    <nav className="card-footer pager" aria-label="Pages of orders">
      <span className="muted" aria-live="polite">
        {counts.totalCount === 1 ? 'One order' : `Orders ${first}–${last} of ${counts.totalCount}`}
      </span>
      {(counts.number > 0 || hasNext) && (
        <span className="button-row">
          <Button variant="secondary" size="small" disabled={counts.number === 0 || busy} onClick={() => onPage(counts.number - 1)}>
            Previous
          </Button>
          <Button variant="secondary" size="small" disabled={!hasNext || busy} onClick={() => onPage(counts.number + 1)}>
            Next
          </Button>
        </span>
      )}
    </nav>
  );
}
