import { type Static, Type } from 'typebox';
import type { CatalogItem } from '../catalog/catalog.js';
import { decimalToNumber, fromMinorUnits, parseDecimal } from '../catalog/money.js';
import { ETID_PATTERN } from '../email-templates/etid.js';
import { rewardCredentials } from '../orders/reward-credentials.js';
import type { OrderResendRow, OrderRow, OrderWithAccount } from '../store/orders.js';
import { MULTI_LINE_PATTERN, ONE_LINE_PATTERN } from './email-template-views.js';
import * as example from './examples.js';
import { PageQuery, PageView } from './page-view.js';
import { IDENTIFIER_RULE, TEXT_PATTERN } from './views.js';

/**
 * The criteria and views of Tango's "Orders" operations (the console's swagger.json: CreateOrderCriteria,
 * OrderViewSummary, OrderViewVerbose, OrderListView, OrderListItemView, OrderResendRequestCriteria, ResendView,
 * MoneyView, OrderRewardView, CredentialView), with Tango's field names. Names and the subject go into an
 * email's header lines, so they are one line (raas/email-template-views.ts says why).
 */

const NAME = { maxLength: 100, pattern: ONE_LINE_PATTERN };
const EMAIL = { maxLength: 254, format: 'email', pattern: TEXT_PATTERN };

const Person = (description: string, sample: object) =>
  Type.Object(
    {
      email: Type.Optional(Type.String({ ...EMAIL, description: 'Email' })),
      firstName: Type.Optional(Type.String({ ...NAME, description: 'First Name (100 characters at most)' })),
      lastName: Type.Optional(Type.String({ ...NAME, description: 'Last Name (100 characters at most)' })),
    },
    // No $id: inline, so that the console fills the form's recipient and sender from these examples.
    { description, examples: [sample] },
  );

export const RecipientInfoCriteria = Person('Recipient Details: email and firstName are required if sendEmail is true', example.CREATE_ORDER.recipient);
export const SenderInfoCriteria = Person('Sender Details', example.CREATE_ORDER.sender);

export const CreateOrderCriteria = Type.Object(
  {
    accountIdentifier: Type.String({ ...IDENTIFIER_RULE, description: 'The account this order will be deducted from', examples: [example.CREATE_ORDER.accountIdentifier] }),
    customerIdentifier: Type.String({ ...IDENTIFIER_RULE, description: 'The customer of the account', examples: [example.CREATE_ORDER.customerIdentifier] }),
    utid: Type.String({ minLength: 1, maxLength: 20, description: 'The unique identifier of the reward, as GET /catalogs lists it', examples: [example.CREATE_ORDER.utid] }),
    // Checked exactly against the item by the handler (catalog.ts, rewardAmount): its currency's decimals, its value or range.
    amount: Type.Number({ description: "The face value of the reward in the item's currency: always required, also for fixed value items", examples: [example.CREATE_ORDER.amount] }),
    sendEmail: Type.Boolean({ description: 'Should the reward be emailed to the recipient? (the sandbox records it, and sends no mail)', examples: [example.CREATE_ORDER.sendEmail] }),
    recipient: Type.Optional(RecipientInfoCriteria),
    sender: Type.Optional(SenderInfoCriteria),
    externalRefID: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        pattern: TEXT_PATTERN,
        description: 'Idempotent: an order with an externalRefID the platform has used returns that order, and charges nothing again',
        examples: [example.CREATE_ORDER.externalRefID],
      }),
    ),
    message: Type.Optional(Type.String({ maxLength: 1000, pattern: MULTI_LINE_PATTERN, description: 'Optional gift message', examples: [example.CREATE_ORDER.message] })),
    notes: Type.Optional(Type.String({ maxLength: 150, pattern: MULTI_LINE_PATTERN, description: 'Optional order notes (150 characters at most)', examples: [example.CREATE_ORDER.notes] })),
    emailSubject: Type.Optional(Type.String({ maxLength: 200, pattern: ONE_LINE_PATTERN, description: "Optional: the template's subject, or a default one, when left out", examples: [example.CREATE_ORDER.emailSubject] })),
    campaign: Type.Optional(Type.String({ maxLength: 100, pattern: TEXT_PATTERN, description: 'Optional campaign, to categorize orders', examples: [example.CREATE_ORDER.campaign] })),
    etid: Type.Optional(Type.String({ pattern: ETID_PATTERN, description: 'Optional email template (only used if sendEmail is true)', examples: [''] })),
  },
  { $id: 'CreateOrderCriteria', examples: [example.CREATE_ORDER] },
);
export type CreateOrderCriteria = Static<typeof CreateOrderCriteria>;

const MoneyView = Type.Object(
  {
    value: Type.Number(),
    currencyCode: Type.String(),
    exchangeRate: Type.Number({ description: 'The rate the reward was converted at, its baseFx in GET /exchangerates (1 for the same currency)' }),
    fee: Type.Number(),
    total: Type.Number({ description: 'What the balance went down by: value and fee' }),
  },
  { $id: 'MoneyView' },
);
const Denomination = Type.Object({ value: Type.Number(), currencyCode: Type.String(), exchangeRate: Type.Number() }, { description: 'The face value of the reward' });

const CredentialView = Type.Object(
  { label: Type.String(), value: Type.String(), type: Type.String(), credentialType: Type.String() },
  { $id: 'CredentialView' },
);
const OrderRewardView = Type.Object(
  {
    credentials: Type.Record(Type.String(), Type.String(), { description: 'Label → value' }),
    credentialList: Type.Array(CredentialView),
    redemptionInstructions: Type.String(),
  },
  { $id: 'OrderRewardView', description: 'The reward: simulated, realistic, the same on every read of the order; it redeems nothing' },
);
const PersonView = Type.Object({ email: Type.Optional(Type.String()), firstName: Type.Optional(Type.String()), lastName: Type.Optional(Type.String()) });

const common = {
  referenceOrderID: Type.String(),
  customerIdentifier: Type.String(),
  accountIdentifier: Type.String(),
  amountCharged: MoneyView,
  denomination: Denomination,
  utid: Type.String(),
  rewardName: Type.String(),
  sendEmail: Type.Boolean(),
  status: Type.String(),
  campaign: Type.String(),
  emailSubject: Type.String(),
  message: Type.String(),
  recipient: PersonView,
  sender: PersonView,
  createdAt: Type.String(),
};

export const OrderViewSummary = Type.Object(
  { ...common, externalRefID: Type.String(), reward: OrderRewardView, redemptionInstructions: Type.String() },
  { $id: 'OrderViewSummary', examples: [example.ORDER_VIEW_SUMMARY] },
);
export const OrderViewVerbose = Type.Object(
  { ...common, accountNumber: Type.String(), etid: Type.String(), notes: Type.String(), externalRefID: Type.String(), reward: OrderRewardView },
  { $id: 'OrderViewVerbose', examples: [example.ORDER_VIEW_VERBOSE] },
);
const OrderListItemView = Type.Object(
  { ...common, accountNumber: Type.String(), etid: Type.String(), notes: Type.String(), externalRefID: Type.String() },
  { $id: 'OrderListItemView' },
);
export const OrderListView = Type.Object(
  { orders: Type.Array(OrderListItemView, { description: 'Order elements for the current page, newest first' }), page: PageView },
  { $id: 'OrderListView', examples: [example.ORDER_LIST_VIEW] },
);

const DATE_DESCRIPTION = 'according to RFC 3339, i.e. "2016-01-01" or "2016-01-01T00:00:00Z"';
export const OrderQuery = Type.Object({
  accountIdentifier: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'specify the account to be queried.', examples: [example.ACCOUNT_IDENTIFIER] })),
  customerIdentifier: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'specify the customer to be queried', examples: [example.CUSTOMER_IDENTIFIER] })),
  externalRefID: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'specify the external reference ID to be queried', examples: [example.CREATE_ORDER.externalRefID] })),
  startDate: Type.Optional(Type.String({ maxLength: 40, description: `specify the starting date or date time to be queried ${DATE_DESCRIPTION}` })),
  endDate: Type.Optional(Type.String({ maxLength: 40, description: `specify the ending date or date time to be queried ${DATE_DESCRIPTION}; a date includes its whole day` })),
  ...PageQuery.properties,
  // The reference lists these three without a description (they look like its server's own binding): accepted, and they filter nothing.
  id: Type.Optional(Type.Integer({ description: 'Listed by the reference without a meaning: accepted and ignored' })),
  name: Type.Optional(Type.String({ maxLength: 200, description: 'Listed by the reference without a meaning: accepted and ignored' })),
  identityHash: Type.Optional(Type.String({ maxLength: 200, description: 'Listed by the reference without a meaning: accepted and ignored' })),
});
export type OrderQuery = Static<typeof OrderQuery>;

export const OrderParams = Type.Object({
  referenceOrderID: Type.String({ minLength: 1, maxLength: 100, description: 'Reference order ID is returned in the order response payload', examples: [example.REFERENCE_ORDER_ID] }),
});

export const OrderResendRequestCriteria = Type.Object(
  { newEmail: Type.Optional(Type.String({ ...EMAIL, description: "Optional new email address to resend the order to (else the recipient's)", examples: [example.ORDER_RESEND.newEmail] })) },
  { $id: 'OrderResendRequestCriteria', examples: [example.ORDER_RESEND] },
);
export const ResendView = Type.Object(
  {
    id: Type.Integer({ description: "The resend's number on the platform" }),
    email: Type.String({ description: 'Email address that the resend was sent to' }),
    createdAt: Type.String(),
    legacyId: Type.Optional(Type.String({ description: 'Legacy ID (only when resending v1 orders): the sandbox has none' })),
  },
  { $id: 'ResendView', examples: [example.RESEND_VIEW] },
);

function iso(epochMs: number): string {
  return new Date(Number(epochMs)).toISOString();
}

function money(row: OrderRow) {
  const currency = row.charged_currency;
  const charged = BigInt(row.charged_minor);
  const fee = BigInt(row.fee_minor);
  return {
    value: fromMinorUnits(charged, currency),
    currencyCode: currency,
    exchangeRate: decimalToNumber(parseDecimal(row.exchange_rate)!),
    fee: fromMinorUnits(fee, currency),
    total: fromMinorUnits(charged + fee, currency),
  };
}

function commonView(row: OrderRow) {
  return {
    referenceOrderID: row.reference_order_id,
    customerIdentifier: row.customer_identifier,
    accountIdentifier: row.account_identifier,
    amountCharged: money(row),
    denomination: {
      value: fromMinorUnits(BigInt(row.reward_minor), row.reward_currency),
      currencyCode: row.reward_currency,
      exchangeRate: decimalToNumber(parseDecimal(row.exchange_rate)!),
    },
    utid: row.utid,
    rewardName: row.reward_name,
    sendEmail: row.send_email === 1,
    status: row.status,
    campaign: row.campaign,
    emailSubject: row.email_subject,
    message: row.message,
    recipient: JSON.parse(row.recipient) as Static<typeof PersonView>,
    sender: JSON.parse(row.sender) as Static<typeof PersonView>,
    createdAt: iso(row.created_at),
  };
}

/** The reward of the order: its credentials derived from its id (orders/reward-credentials.ts), the item's instructions. */
function rewardView(row: OrderRow, item: Pick<CatalogItem, 'credentialTypes' | 'redemptionInstructions'> | undefined) {
  const list = rewardCredentials(row.reference_order_id, item?.credentialTypes ?? [], Number(row.created_at));
  return {
    credentials: Object.fromEntries(list.map((c) => [c.label, c.value])),
    credentialList: list,
    redemptionInstructions: item?.redemptionInstructions ?? '',
  };
}

export type OrderItem = Pick<CatalogItem, 'credentialTypes' | 'redemptionInstructions'> | undefined;

export function orderViewSummary(row: OrderRow, item: OrderItem): Static<typeof OrderViewSummary> {
  const reward = rewardView(row, item);
  return { ...commonView(row), externalRefID: row.external_ref_id ?? '', reward, redemptionInstructions: reward.redemptionInstructions };
}

export function orderViewVerbose(row: OrderWithAccount, item: OrderItem): Static<typeof OrderViewVerbose> {
  return { ...orderListItemView(row), reward: rewardView(row, item) };
}

export function orderListItemView(row: OrderWithAccount): Static<typeof OrderListItemView> {
  return { ...commonView(row), accountNumber: row.account_number, etid: row.etid, notes: row.notes, externalRefID: row.external_ref_id ?? '' };
}

export function resendView(row: OrderResendRow): Static<typeof ResendView> {
  return { id: Number(row.id), email: row.email, createdAt: iso(row.created_at) };
}
