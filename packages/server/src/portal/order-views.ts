import type { CatalogItem } from '../catalog/catalog.js';
import { type RewardCredential, rewardCredentials } from '../orders/reward-credentials.js';
import type { OrderResendRow, OrderWithAccount } from '../store/orders.js';
import type { OrderDetail, OrderSummary, ResendView, RevealedReward, RewardCredentialView } from './contract/index.js';

/**
 * The portal's views of orders (docs/portal-api.md, "Orders"), typed by the contract (portal/contract/orders.ts).
 * Money is in the currency's minor units (integers, cents for USD), exactly as the store keeps it; the page
 * formats it. Statuses are lower case, as the portal's other views have them.
 *
 * A reward's codes (card number, PIN, claim code, …) are bearer money: whoever reads them spends the reward.
 * The portal shows them masked, to members and admins alike; an admin reveals them on purpose, with a recent
 * sign-in, and the audit log records it (`reveal_reward`), as it does an API key's reveal. The redemption URL,
 * the expiry date and the instructions are shown, as the recipient's email shows them. The RaaS API answers
 * the codes in full, as Tango's does: its caller is the integration that placed the order.
 */

/** The credential types a person may read on the page: where to redeem, and until when. */
const SHOWN_TYPES = new Set(['redemptionUrl', 'expirationDate']);
/**
 * A masked card number or code keeps its last four characters (as a card does on a statement) when that leaves at
 * least eight hidden: a PIN or a CVC2 shows nothing, nor does a barcode link.
 */
const TAIL_TYPES = new Set(['cardNumber', 'cardCode', 'claimCode']);
const SHOWN_TAIL = 4;
const HIDDEN_AT_LEAST = 8;

const iso = (epochMs: number) => new Date(Number(epochMs)).toISOString();

type OrderItem = Pick<CatalogItem, 'brandName' | 'credentialTypes' | 'redemptionInstructions'> | undefined;

/** One line of the Orders table. */
export function orderSummaryView(row: OrderWithAccount, item: OrderItem): OrderSummary {
  const recipient = JSON.parse(row.recipient) as { email?: string };
  const charged = Number(row.charged_minor);
  const fee = Number(row.fee_minor);
  return {
    referenceOrderID: row.reference_order_id,
    externalRefID: row.external_ref_id,
    customerIdentifier: row.customer_identifier,
    accountIdentifier: row.account_identifier,
    accountNumber: row.account_number,
    utid: row.utid,
    rewardName: row.reward_name,
    // The catalog may have been replaced since (TESSERA_CATALOG_FILE): the order keeps its reward's name.
    brandName: item?.brandName ?? null,
    faceValueMinor: Number(row.reward_minor),
    faceValueCurrencyCode: row.reward_currency,
    amountMinor: charged,
    feeMinor: fee,
    totalMinor: charged + fee,
    currencyCode: row.charged_currency,
    exchangeRate: row.exchange_rate,
    status: row.status.toLowerCase(),
    sendEmail: row.send_email === 1,
    recipientEmail: recipient.email ?? null,
    createdAt: iso(row.created_at),
  };
}

function maskedView(credential: RewardCredential): RewardCredentialView {
  const { label, type, credentialType, value } = credential;
  if (SHOWN_TYPES.has(credentialType)) return { label, type, credentialType, masked: false, value, lastFour: null };
  const lastFour = TAIL_TYPES.has(credentialType) && value.length - SHOWN_TAIL >= HIDDEN_AT_LEAST ? value.slice(-SHOWN_TAIL) : null;
  return { label, type, credentialType, masked: true, value: null, lastFour };
}

/** The reward's credentials for `item`, derived from the order (orders/reward-credentials.ts), none of them stored. */
function credentialsOf(row: OrderWithAccount, item: OrderItem): RewardCredential[] {
  return rewardCredentials(row.reference_order_id, item?.credentialTypes ?? [], Number(row.created_at));
}

/** An order's page: the line, who it went to, and the reward with its codes masked. */
export function orderDetailView(row: OrderWithAccount, item: OrderItem): OrderDetail {
  const person = (json: string) => {
    const { email, firstName, lastName } = JSON.parse(json) as { email?: string; firstName?: string; lastName?: string };
    return { email: email ?? null, firstName: firstName ?? null, lastName: lastName ?? null };
  };
  return {
    order: {
      ...orderSummaryView(row, item),
      recipient: person(row.recipient),
      sender: person(row.sender),
      message: row.message,
      notes: row.notes,
      campaign: row.campaign,
      emailSubject: row.email_subject,
      etid: row.etid,
    },
    reward: {
      redemptionInstructions: item?.redemptionInstructions ?? '',
      credentials: credentialsOf(row, item).map(maskedView),
    },
  };
}

/** The codes in full, for an admin's audited reveal. */
export function revealedRewardView(row: OrderWithAccount, item: OrderItem): RevealedReward {
  return {
    referenceOrderID: row.reference_order_id,
    credentials: credentialsOf(row, item).map(({ label, type, credentialType, value }) => ({ label, type, credentialType, value })),
  };
}

export function resendView(row: OrderResendRow): ResendView {
  return { id: Number(row.id), email: row.email, createdAt: iso(row.created_at) };
}
