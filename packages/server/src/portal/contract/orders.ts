import { type Static, Type } from 'typebox';
import { EMAIL, INSTANT, OrNull } from './fields.js';

/*
 * Orders (docs/portal-api.md, "Orders"), with the RaaS API's names for what they share. Money is in the
 * currency's minor units (integers: cents for USD); statuses are lower case.
 */

/** Tango's paging (PageView): pages count from 0. */
export const PageCounts = Type.Object({ elementsPerBlock: Type.Integer(), number: Type.Integer(), resultCount: Type.Integer(), totalCount: Type.Integer() });
export type PageCounts = Static<typeof PageCounts>;

/** One line of the Orders table: the face value in the reward's currency, what the account paid in the account's. */
export const OrderSummary = Type.Object({
  referenceOrderID: Type.String(),
  externalRefID: OrNull(Type.String()),
  customerIdentifier: Type.String(),
  accountIdentifier: Type.String(),
  accountNumber: Type.String(),
  utid: Type.String(),
  rewardName: Type.String(),
  /** null: the item has left the catalog since. */
  brandName: OrNull(Type.String()),
  faceValueMinor: Type.Integer(),
  faceValueCurrencyCode: Type.String(),
  amountMinor: Type.Integer(),
  feeMinor: Type.Integer(),
  totalMinor: Type.Integer(),
  currencyCode: Type.String(),
  exchangeRate: Type.String(),
  status: Type.String(),
  sendEmail: Type.Boolean(),
  recipientEmail: OrNull(Type.String()),
  createdAt: INSTANT,
});
export type OrderSummary = Static<typeof OrderSummary>;

export const OrderList = Type.Object({ orders: Type.Array(OrderSummary), page: PageCounts });
export type OrderList = Static<typeof OrderList>;

export const OrderPerson = Type.Object({ email: OrNull(Type.String()), firstName: OrNull(Type.String()), lastName: OrNull(Type.String()) });
export type OrderPerson = Static<typeof OrderPerson>;

/** A reward credential: codes masked (value null, the last four of a long one) until an admin reveals them. */
export const RewardCredentialView = Type.Object({
  label: Type.String(),
  type: Type.String(),
  credentialType: Type.String(),
  masked: Type.Boolean(),
  value: OrNull(Type.String()),
  lastFour: OrNull(Type.String()),
});
export type RewardCredentialView = Static<typeof RewardCredentialView>;

export const OrderDetailOrder = Type.Object({
  ...OrderSummary.properties,
  recipient: OrderPerson,
  sender: OrderPerson,
  message: Type.String(),
  notes: Type.String(),
  campaign: Type.String(),
  emailSubject: Type.String(),
  etid: Type.String(),
});
export type OrderDetailOrder = Static<typeof OrderDetailOrder>;

export const OrderDetail = Type.Object({
  order: OrderDetailOrder,
  reward: Type.Object({ redemptionInstructions: Type.String(), credentials: Type.Array(RewardCredentialView) }),
});
export type OrderDetail = Static<typeof OrderDetail>;

/** The codes in full, for an admin's audited reveal. */
export const RevealedReward = Type.Object({
  referenceOrderID: Type.String(),
  credentials: Type.Array(Type.Object({ label: Type.String(), type: Type.String(), credentialType: Type.String(), value: Type.String() })),
});
export type RevealedReward = Static<typeof RevealedReward>;

export const ResendBody = Type.Object({ newEmail: Type.Optional(EMAIL) }, { additionalProperties: false });
export type ResendBody = Static<typeof ResendBody>;

export const ResendView = Type.Object({ id: Type.Integer(), email: Type.String(), createdAt: INSTANT });
export type ResendView = Static<typeof ResendView>;
