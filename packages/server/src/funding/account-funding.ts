import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { auditEntry, type AuditActor, type AuditDeps } from '../audit/record-audit.js';
import { TesseraError } from '../errors/tessera-error.js';
import { newReferenceOrderId } from '../orders/order-ids.js';
import type { AccountRow, CustomerStore } from '../store/customers.js';
import type { CreditCardRow, DepositRow, FundingStore } from '../store/funding.js';
import { assertNotExpired, futureExpiration, sandboxCard } from './card-numbers.js';
import { DEPOSIT_FEE_BASIS_POINTS, depositFeeCents, MAX_DEPOSIT_CENTS } from './deposit-fee.js';
import { accountTestCardToken, testCardToken } from './test-card-tokens.js';

/**
 * Funding an account, whoever asks: the RaaS routes (raas/funding.ts, the API credential as the actor) and
 * the portal (portal/account-routes.ts, the signed-in user as the actor) call these same functions, so a card
 * or a deposit is checked, kept and audited one way.
 */

/** What funding uses: the cards and deposits, the accounts they fund, the audit log and the clock. */
export interface FundingDeps {
  funding: FundingStore;
  customers: CustomerStore;
  auditLog: AuditDeps['auditLog'];
  now: () => number;
}

/** Which account, named as Tango's criteria name it: the platform, the customer and the account. */
export interface AccountScope {
  platformId: string;
  customerIdentifier: string;
  accountIdentifier: string;
}

const ACTIVE = 'ACTIVE';
const DEPOSITED = 'SUCCESS';

/** The account, when it is the customer's on this platform; otherwise `not_found`, as another platform's. */
export async function accountOfCustomer(deps: Pick<FundingDeps, 'customers'>, scope: AccountScope): Promise<AccountRow> {
  const account = await deps.customers.findAccount(scope.platformId, scope.accountIdentifier);
  if (!account || account.customer_identifier !== scope.customerIdentifier) {
    throw new TesseraError('not_found', `Account ${scope.accountIdentifier} of customer ${scope.customerIdentifier} was not found`);
  }
  return account;
}

export interface NewCard {
  label: string;
  /** The card number: checked here and dropped: nothing keeps it, and no message quotes it. */
  number: string;
  /** YYYY-MM */
  expiration: string;
  /** The address of the person adding the card (Tango's ipAddress). */
  ipAddress: string;
  contactInformation?: ReadonlyArray<{ fullName?: string; emailAddress?: string }>;
}

/**
 * Registers a credit card to fund the account: the number's checks and the sandbox's test cards
 * (funding/card-numbers.ts), then only its last four digits and brand are kept, under a new token (a UUID).
 * The sandbox activates a card at once.
 */
export async function registerCard(deps: FundingDeps, who: AuditActor, scope: AccountScope, card: NewCard): Promise<{ card: CreditCardRow; account: AccountRow }> {
  const now = deps.now();
  const checked = sandboxCard(card.number);
  assertNotExpired(card.expiration, now);
  if (isIP(card.ipAddress) === 0) throw new TesseraError('invalid_input', 'The ipAddress must be an IPv4 or IPv6 address');
  const account = await accountOfCustomer(deps, scope);
  const row: CreditCardRow = {
    platform_id: scope.platformId,
    token: randomUUID(),
    customer_identifier: account.customer_identifier,
    account_identifier: account.account_identifier,
    label: card.label,
    last_four: checked.lastFour,
    brand: checked.brand,
    expiration: card.expiration,
    contact_information: JSON.stringify(card.contactInformation ?? []),
    declines_charges: checked.declinesCharges ? 1 : 0,
    status: ACTIVE,
    created_at: now,
    activated_at: now,
    unregistered_at: null,
  };
  await deps.funding.insertCard(row, auditEntry(deps, who, { action: 'register_card', targetId: row.token }));
  return { card: row, account };
}

/** Unregisters an active card of the account: it funds no more. Returns the card as it now is, and when that was. */
export async function unregisterCard(
  deps: FundingDeps,
  who: AuditActor,
  scope: AccountScope & { token: string },
): Promise<{ card: CreditCardRow; unregisteredAt: number }> {
  const now = deps.now();
  // A test token (tok_visa) names the account's own test card.
  if (testCardToken(scope.token)) scope = { ...scope, token: accountTestCardToken(scope.token, scope.accountIdentifier) };
  const card = await deps.funding.unregisterCard(scope, now, auditEntry(deps, who, { action: 'unregister_card', targetId: scope.token }));
  return { card, unregisteredAt: now };
}

/**
 * Charges `amountCents` and its fee (funding/deposit-fee.ts) to an active card of the account and raises the
 * account's balance by the amount, in one transaction with its audit entry (store/funding.ts). A card whose
 * charges the sandbox declines is `declined`, and nothing changes.
 */
export async function depositToAccount(
  deps: FundingDeps,
  who: AuditActor,
  scope: AccountScope & { creditCardToken: string; amountCents: number },
): Promise<{ deposit: DepositRow; account: AccountRow }> {
  const { amountCents } = scope;
  if (!Number.isSafeInteger(amountCents) || amountCents <= 0 || amountCents > MAX_DEPOSIT_CENTS) {
    throw new TesseraError('invalid_input', 'The amount must be more than 0 and at most 100000 USD, with at most two decimals');
  }
  const account = await accountOfCustomer(deps, scope);
  const now = deps.now();
  // Spelled as the orders' reference ids (Tango's), e.g. RA261128-482913-705118.
  const depositId = newReferenceOrderId(now);
  const testCard = testCardToken(scope.creditCardToken);
  const cardToken = testCard ? accountTestCardToken(scope.creditCardToken, account.account_identifier) : scope.creditCardToken;
  // A test token's card is registered to the account by its first deposit (funding/test-card-tokens.ts).
  const testCardRow: CreditCardRow | undefined = testCard && {
    platform_id: scope.platformId,
    token: cardToken,
    customer_identifier: account.customer_identifier,
    account_identifier: account.account_identifier,
    label: testCard.label,
    last_four: testCard.lastFour,
    brand: testCard.brand,
    expiration: futureExpiration(now),
    contact_information: '[]',
    declines_charges: 0,
    status: ACTIVE,
    created_at: now,
    activated_at: now,
    unregistered_at: null,
  };
  const deposit = await deps.funding.deposit(
    {
      customerIdentifier: scope.customerIdentifier,
      testCard: testCardRow && { card: testCardRow, audit: auditEntry(deps, who, { action: 'register_card', targetId: cardToken }) },
    },
    {
      platform_id: scope.platformId,
      deposit_id: depositId,
      account_identifier: scope.accountIdentifier,
      card_token: cardToken,
      amount_cents: amountCents,
      fee_cents: depositFeeCents(amountCents),
      fee_basis_points: DEPOSIT_FEE_BASIS_POINTS,
      status: DEPOSITED,
      created_at: now,
    },
    (card) => {
      if (card.declines_charges === 1) throw new TesseraError('declined', 'The charge to the credit card was declined by its issuer');
    },
    auditEntry(deps, who, { action: 'deposit', targetId: depositId }),
  );
  return { deposit, account };
}
