import type { AccountRow, CustomerRow } from '../store/customers.js';
import type { CreditCardRow, DepositRow } from '../store/funding.js';
import type { AccountDetailAccount, AccountSummary, CardView, CustomerView, DepositView } from './contract/index.js';

/**
 * The portal's views of customers, accounts, cards and deposits (docs/portal-api.md, "Accounts"), typed by
 * the contract (portal/contract/accounts.ts). Money is in whole cents (integers), exactly as the store keeps
 * it; the page formats it. Statuses are lower case, as the portal's other views have them.
 */

const iso = (epochMs: number) => new Date(epochMs).toISOString();

export function accountSummaryView(row: AccountRow): AccountSummary {
  return {
    accountIdentifier: row.account_identifier,
    accountNumber: row.account_number,
    displayName: row.display_name,
    currencyCode: row.currency_code,
    // bigint on PostgreSQL: a number here, far inside exact integers (deposits are at most $100,000 each).
    balanceCents: Number(row.balance_cents),
    status: row.status.toLowerCase(),
    createdAt: iso(row.created_at),
  };
}

export function customerView(customer: CustomerRow, accounts: AccountRow[]): CustomerView {
  return {
    customerIdentifier: customer.customer_identifier,
    displayName: customer.display_name,
    status: customer.status.toLowerCase(),
    createdAt: iso(customer.created_at),
    accounts: accounts.map(accountSummaryView),
  };
}

export function accountDetailView(account: AccountRow, customer: CustomerRow | undefined): AccountDetailAccount {
  return {
    ...accountSummaryView(account),
    contactEmail: account.contact_email,
    customerIdentifier: account.customer_identifier,
    customerDisplayName: customer?.display_name ?? account.customer_identifier,
  };
}

/** A registered card: never its number (the store has none), only the last four and the brand. */
export function cardView(row: CreditCardRow): CardView {
  return {
    token: row.token,
    label: row.label,
    brand: row.brand,
    lastFour: row.last_four,
    expiration: row.expiration,
    // Tango's ACTIVE, or INACTIVE once unregistered (store/funding.ts).
    status: row.status === 'ACTIVE' ? 'active' : 'inactive',
    createdAt: iso(row.created_at),
    unregisteredAt: row.unregistered_at === null ? null : iso(row.unregistered_at),
  };
}

/** A deposit: the amount the balance rose by, the fee charged on top, and the card charged. */
export function depositView(row: DepositRow, card: { last_four: string; brand: string }): DepositView {
  return {
    id: row.deposit_id,
    cardToken: row.card_token,
    cardLastFour: card.last_four,
    cardBrand: card.brand,
    amountCents: Number(row.amount_cents),
    feeCents: Number(row.fee_cents),
    feePercent: row.fee_basis_points / 100,
    amountChargedCents: Number(row.amount_cents) + Number(row.fee_cents),
    status: row.status.toLowerCase(),
    createdAt: iso(row.created_at),
  };
}
