import { usePortal } from '../session/portal-context';
import { useDocumentTitle } from '../hooks/use-document-title';
import { useResource } from '../hooks/use-resource';
import { ConsoleLink } from '../components/console-link';
import { DataTable } from '../components/data-table';
import { DateTime } from '../components/date-time';
import { EmptyState } from '../components/empty-state';
import { formatMoney } from '../components/format';
import { CardIcon } from '../components/icons';
import { ListCard } from '../components/list-card';
import { PageHeader } from '../components/page-header';
import { StatusBadge } from '../components/status-badge';

/** The platform's customers and their accounts, with balances; each account opens its own page. */
export function AccountsPage() {
  useDocumentTitle('Accounts');
  const { api } = usePortal();
  const list = useResource(api.accounts);
  const customers = list.data?.customers.length ?? 0;
  const accounts = list.data?.customers.reduce((sum, customer) => sum + customer.accounts.length, 0) ?? 0;

  return (
    <>
      <PageHeader
        title="Accounts"
        description="Your customers and their accounts: the balance each one spends on rewards, the deposits that funded it and the credit cards it is funded from."
      />
      <ListCard
        headingId="accounts-heading"
        title="Customers and accounts"
        data={list.data}
        summary={
          customers > 0 && (
            <span className="muted">
              {customers} {customers === 1 ? 'customer' : 'customers'}, {accounts} {accounts === 1 ? 'account' : 'accounts'}
            </span>
          )
        }
        error={list.error}
        loading={list.loading}
        isEmpty={(data) => data.customers.length === 0}
        empty={
          <EmptyState icon={<CardIcon size={24} />} title="No customers or accounts yet.">
            <p>Create a customer, then an account for it, with the RaaS API:</p>
            <p className="api-calls">
              <code className="mono">POST /raas/v2/customers</code>
              <code className="mono">POST /raas/v2/customers/{'{customerIdentifier}'}/accounts</code>
            </p>
            <p>
              or with <em>Try it</em> in the{' '}
              <ConsoleLink />
              . They appear here, ready to fund.
            </p>
          </EmptyState>
        }
      >
        {(data) => (
          <DataTable columns={['Customer', 'Account', 'Account number', 'Balance', 'Status', 'Created']}>
            {data.customers.flatMap((customer) =>
              customer.accounts.length === 0
                ? [
                    <tr key={customer.customerIdentifier}>
                      <td data-label="Customer">
                        <CustomerName name={customer.displayName} identifier={customer.customerIdentifier} />
                      </td>
                      <td data-label="Account" colSpan={5} className="muted">
                        No accounts yet
                      </td>
                    </tr>,
                  ]
                : customer.accounts.map((account) => (
                    <tr key={account.accountIdentifier}>
                      <td data-label="Customer">
                        <CustomerName name={customer.displayName} identifier={customer.customerIdentifier} />
                      </td>
                      <td data-label="Account">
                        <span className="stacked">
                          <a href={`#/accounts/${encodeURIComponent(account.accountIdentifier)}`}>{account.displayName}</a>
                          <code className="mono key-id">{account.accountIdentifier}</code>
                        </span>
                      </td>
                      <td data-label="Account number">
                        <code className="mono">{account.accountNumber}</code>
                      </td>
                      <td data-label="Balance" className="money">
                        {formatMoney(account.balanceCents, account.currencyCode)}
                      </td>
                      <td data-label="Status">
                        <StatusBadge status={account.status} />
                      </td>
                      <td data-label="Created">
                        <DateTime iso={account.createdAt} dateOnly />
                      </td>
                    </tr>
                  )),
            )}
          </DataTable>
        )}
      </ListCard>
    </>
  );
}

function CustomerName({ name, identifier }: { name: string; identifier: string }) {
  return (
    <span className="stacked">
      <span className="stacked-title">{name}</span>
      <code className="mono key-id">{identifier}</code>
    </span>
  );
}
