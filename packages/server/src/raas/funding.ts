import { randomInt, randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { auditEntry, type AuditActor, type AuditDeps } from '../audit/record-audit.js';
import { credentialId, principalOf } from '../auth/principal.js';
import { TesseraError } from '../errors.js';
import { assertNotExpired, sandboxCard } from '../funding/card-numbers.js';
import { centsOf, DEPOSIT_FEE_BASIS_POINTS, depositFeeCents } from '../funding/deposit-fee.js';
import type { AccountRow, CustomerStore } from '../store/customers.js';
import type { CreditCardRow, FundingStore } from '../store/funding.js';
import * as example from './examples.js';
import {
  CreateCreditCardCriteria,
  CreateCreditCardDepositCriteria,
  CreateCreditCardUnregisterCriteria,
  CreditCardDepositView,
  CreditCardParams,
  CreditCardQuery,
  CreditCardUnregisterView,
  CreditCardView,
  creditCardDepositView,
  creditCardView,
  DepositParams,
} from './funding-views.js';
import { errorResponses, GUARDED_ERRORS, RAAS_SECURITY } from './route-docs.js';

/** What the funding routes use: the cards and deposits, the accounts they fund, the audit log and the clock. */
export interface FundingDeps {
  funding: FundingStore;
  customers: CustomerStore;
  auditLog: AuditDeps['auditLog'];
  now: () => number;
}

const ACTIVE = 'ACTIVE';
const DEPOSITED = 'SUCCESS';

function fund(operationId: string, summary: string) {
  return { tags: ['Fund'], operationId, summary, security: RAAS_SECURITY };
}

/** The API credential that acted, for the audit log: the API key (key_…) or the OAuth client (cli_…). */
function actorOf(request: FastifyRequest): AuditActor {
  return { actor: credentialId(principalOf(request)), sourceAddress: request.ip, userAgent: request.headers['user-agent'] ?? null };
}

/** Tango-style deposit reference ids, e.g. RA261128-482913-705118: the day, then 40 random bits' worth of digits. */
function newDepositId(now: number): string {
  const day = new Date(now).toISOString().slice(2, 10).replace(/-/g, '');
  const digits = () => String(randomInt(1_000_000)).padStart(6, '0');
  return `RA${day}-${digits()}-${digits()}`;
}

/**
 * Tango's "Fund" operations, each platform seeing only its own cards and deposits: register a credit card
 * (its number checked and dropped: only the last four and the brand are kept), list, read and unregister
 * cards, and deposit to an account from a card, which raises its balance (store/account-balances.ts).
 */
export async function fundingRoutes(app: FastifyInstance, { services }: { services: FundingDeps }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { funding, customers } = services;

  /** The account, when it is the customer's on this platform; otherwise a 404, as another platform's. */
  const accountOf = async (platformId: string, customerIdentifier: string, accountIdentifier: string): Promise<AccountRow> => {
    const account = await customers.findAccount(platformId, accountIdentifier);
    if (!account || account.customer_identifier !== customerIdentifier) {
      throw new TesseraError('not_found', `Account ${accountIdentifier} of customer ${customerIdentifier} was not found`);
    }
    return account;
  };
  const accountNumbers = async (platformId: string): Promise<Map<string, string>> =>
    new Map((await customers.listAccounts(platformId)).map((a) => [a.account_identifier, a.account_number]));

  api.post(
    '/creditCards',
    {
      schema: {
        ...fund('createCreditCard', 'Register a new Credit Card.'),
        body: CreateCreditCardCriteria,
        response: { 201: { ...CreditCardView, description: 'The registered card: its token funds deposits' }, ...errorResponses(...GUARDED_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      const { platformId } = principalOf(request);
      const body = request.body;
      const now = services.now();
      // The number is read here and dropped: nothing below keeps it, and no message quotes it.
      const card = sandboxCard(body.creditCard.number);
      assertNotExpired(body.creditCard.expiration, now);
      if (isIP(body.ipAddress) === 0) throw new TesseraError('invalid_input', 'The ipAddress must be an IPv4 or IPv6 address');
      const account = await accountOf(platformId, body.customerIdentifier, body.accountIdentifier);
      const row: CreditCardRow = {
        platform_id: platformId,
        token: randomUUID(),
        customer_identifier: account.customer_identifier,
        account_identifier: account.account_identifier,
        label: body.label,
        last_four: card.lastFour,
        brand: card.brand,
        expiration: body.creditCard.expiration,
        contact_information: JSON.stringify(body.contactInformation ?? []),
        declines_charges: card.declinesCharges ? 1 : 0,
        status: ACTIVE,
        created_at: now,
        // The sandbox activates a card at once: it funds from the moment it is registered.
        activated_at: now,
        unregistered_at: null,
      };
      await funding.insertCard(row, auditEntry(services, actorOf(request), { action: 'register_card', targetId: row.token }));
      return reply.code(201).send(creditCardView(row, account.account_number));
    },
  );

  api.get(
    '/creditCards',
    {
      schema: {
        ...fund('listCreditCards', 'List all credit cards registered on this Platform.'),
        querystring: CreditCardQuery,
        response: { 200: Type.Array(CreditCardView, { description: "The platform's registered cards", examples: [[example.CREDIT_CARD_VIEW]] }), ...errorResponses(...GUARDED_ERRORS) },
      },
    },
    async (request) => {
      const { platformId } = principalOf(request);
      const [cards, numbers] = await Promise.all([funding.listCards(platformId, request.query.showInactive ?? false), accountNumbers(platformId)]);
      return cards.map((card) => creditCardView(card, numbers.get(card.account_identifier) ?? ''));
    },
  );

  api.get(
    '/creditCards/:token',
    {
      schema: {
        ...fund('getCreditCard', 'Get details for a specific Credit Card.'),
        params: CreditCardParams,
        response: { 200: { ...CreditCardView, description: 'The card' }, ...errorResponses(...GUARDED_ERRORS, 404) },
      },
    },
    async (request) => {
      const { platformId } = principalOf(request);
      const card = await funding.findCard(platformId, request.params.token);
      if (!card) throw new TesseraError('not_found', `Credit card ${request.params.token} was not found`);
      const account = await customers.findAccount(platformId, card.account_identifier);
      return creditCardView(card, account?.account_number ?? '');
    },
  );

  api.post(
    '/creditCardUnregisters',
    {
      schema: {
        ...fund('createCreditCardUnregister', 'Unregister a Credit Card.'),
        body: CreateCreditCardUnregisterCriteria,
        response: { 200: { ...CreditCardUnregisterView, description: 'The card is unregistered: it funds no more' }, ...errorResponses(...GUARDED_ERRORS, 404) },
      },
    },
    async (request) => {
      const { platformId } = principalOf(request);
      const { customerIdentifier, accountIdentifier, creditCardToken } = request.body;
      const now = services.now();
      await funding.unregisterCard(
        { platformId, customerIdentifier, accountIdentifier, token: creditCardToken },
        now,
        auditEntry(services, actorOf(request), { action: 'unregister_card', targetId: creditCardToken }),
      );
      return { token: creditCardToken, message: 'The credit card was unregistered', createdDate: new Date(now).toISOString() };
    },
  );

  api.post(
    '/creditCardDeposits',
    {
      schema: {
        ...fund('createCreditCardDeposit', 'Fund an Account.'),
        body: CreateCreditCardDepositCriteria,
        response: { 200: { ...CreditCardDepositView, description: "The deposit: the account's balance rose by its amount" }, ...errorResponses(...GUARDED_ERRORS, 404) },
      },
    },
    async (request) => {
      const { platformId } = principalOf(request);
      const { customerIdentifier, accountIdentifier, creditCardToken, amount } = request.body;
      const amountCents = centsOf(amount);
      if (amountCents === undefined) {
        throw new TesseraError('invalid_input', 'The amount must be more than 0 and at most 100000 USD, with at most two decimals');
      }
      const account = await accountOf(platformId, customerIdentifier, accountIdentifier);
      const now = services.now();
      const depositId = newDepositId(now);
      const deposit = await funding.deposit(
        { customerIdentifier },
        {
          platform_id: platformId,
          deposit_id: depositId,
          account_identifier: accountIdentifier,
          card_token: creditCardToken,
          amount_cents: amountCents,
          fee_cents: depositFeeCents(amountCents),
          fee_basis_points: DEPOSIT_FEE_BASIS_POINTS,
          status: DEPOSITED,
          created_at: now,
        },
        (card) => {
          if (card.declines_charges === 1) throw new TesseraError('declined', 'The charge to the credit card was declined by its issuer');
        },
        auditEntry(services, actorOf(request), { action: 'deposit', targetId: depositId }),
      );
      return creditCardDepositView(deposit, account);
    },
  );

  api.get(
    '/creditCardDeposits/:depositId',
    {
      schema: {
        ...fund('getCreditCardDeposit', 'Get details for a specific Credit Card Deposit.'),
        params: DepositParams,
        response: { 200: { ...CreditCardDepositView, description: 'The deposit' }, ...errorResponses(...GUARDED_ERRORS, 404) },
      },
    },
    async (request) => {
      const deposit = await funding.findDeposit(principalOf(request).platformId, request.params.depositId);
      if (!deposit) throw new TesseraError('not_found', `Credit card deposit ${request.params.depositId} was not found`);
      return creditCardDepositView(deposit, deposit);
    },
  );
}
