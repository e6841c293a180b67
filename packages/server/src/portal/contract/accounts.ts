import { type Static, Type } from 'typebox';
import { CARD_TOKEN, INSTANT, OrNull, SECURITY_CODE, STATUS, TEXT, YEAR_MONTH } from './fields.js';

/*
 * Customers, accounts, cards and deposits (docs/portal-api.md, "Accounts"). Money is in whole cents
 * (integers), as the store keeps it; the page formats it. Statuses are lower case.
 */

/** An account as the Accounts page lists it. */
export const AccountSummary = Type.Object({
  accountIdentifier: Type.String(),
  accountNumber: Type.String(),
  displayName: Type.String(),
  currencyCode: Type.String(),
  balanceCents: Type.Integer(),
  status: Type.String(),
  createdAt: INSTANT,
});
export type AccountSummary = Static<typeof AccountSummary>;

export const CustomerView = Type.Object({
  customerIdentifier: Type.String(),
  displayName: Type.String(),
  status: Type.String(),
  createdAt: INSTANT,
  accounts: Type.Array(AccountSummary),
});
export type CustomerView = Static<typeof CustomerView>;

export const AccountList = Type.Object({ customers: Type.Array(CustomerView) });
export type AccountList = Static<typeof AccountList>;

/** A registered card: the last four digits and the brand, never the number. */
export const CardView = Type.Object({
  token: Type.String(),
  label: Type.String(),
  brand: Type.String(),
  lastFour: Type.String(),
  expiration: Type.String(),
  status: STATUS,
  createdAt: INSTANT,
  unregisteredAt: OrNull(INSTANT),
});
export type CardView = Static<typeof CardView>;

/** A deposit: the amount the balance rose by, the fee charged on top, and the card charged. */
export const DepositView = Type.Object({
  id: Type.String(),
  cardToken: Type.String(),
  cardLastFour: Type.String(),
  cardBrand: Type.String(),
  amountCents: Type.Integer(),
  feeCents: Type.Integer(),
  feePercent: Type.Number(),
  amountChargedCents: Type.Integer(),
  status: Type.String(),
  createdAt: INSTANT,
});
export type DepositView = Static<typeof DepositView>;

export const AccountDetailAccount = Type.Object({
  ...AccountSummary.properties,
  contactEmail: Type.String(),
  customerIdentifier: Type.String(),
  customerDisplayName: Type.String(),
});
export type AccountDetailAccount = Static<typeof AccountDetailAccount>;

export const AccountDetail = Type.Object({ account: AccountDetailAccount, cards: Type.Array(CardView), deposits: Type.Array(DepositView) });
export type AccountDetail = Static<typeof AccountDetail>;

/** The card number passes through once: checked, cut to its last four, never kept or echoed. */
export const NewCard = Type.Object(
  { label: TEXT(100), cardNumber: Type.String({ minLength: 1, maxLength: 40 }), expiration: YEAR_MONTH, securityCode: SECURITY_CODE },
  { additionalProperties: false },
);
export type NewCard = Static<typeof NewCard>;

export const DepositBody = Type.Object({ creditCardToken: CARD_TOKEN, amountCents: Type.Integer() }, { additionalProperties: false });
export type DepositBody = Static<typeof DepositBody>;

/** The deposit and the account's balance after it. */
export const NewDeposit = Type.Object({ deposit: DepositView, account: AccountSummary });
export type NewDeposit = Static<typeof NewDeposit>;
