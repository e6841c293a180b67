import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { credentialActorOf, principalOf } from '../auth/principal.js';
import { TesseraError } from '../errors/tessera-error.js';
import { depositToAccount, type FundingDeps, registerCard, unregisterCard } from '../funding/account-funding.js';
import { centsOf } from '../funding/deposit-fee.js';
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
import { errorResponses, GUARDED_ERRORS, tango } from './route-docs.js';

/** What the funding routes use: the cards and deposits, the accounts they fund, the audit log and the clock. */
export type { FundingDeps };

function fund(operationId: string, summary: string) {
  return tango('Fund', operationId, summary);
}

/**
 * Tango's "Fund" operations, each platform seeing only its own cards and deposits: register a credit card
 * (its number checked and dropped: only the last four and the brand are kept), list, read and unregister
 * cards, and deposit to an account from a card, which raises its balance (store/account-balances.ts).
 */
export async function fundingRoutes(app: FastifyInstance, { services }: { services: FundingDeps }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { funding } = services;

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
      const { customerIdentifier, accountIdentifier, label, ipAddress, creditCard, contactInformation } = request.body;
      // The number is checked and dropped by the domain: nothing keeps it, and no message quotes it.
      const { card, account } = await registerCard(
        services,
        credentialActorOf(request),
        { platformId, customerIdentifier, accountIdentifier },
        { label, number: creditCard.number, expiration: creditCard.expiration, ipAddress, contactInformation },
      );
      return reply.code(201).send(creditCardView(card, account.account_number));
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
      const cards = await funding.listCards(platformId, request.query.showInactive ?? false);
      return cards.map((card) => creditCardView(card, card.account_number));
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
      return creditCardView(card, card.account_number ?? '');
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
      const { unregisteredAt } = await unregisterCard(services, credentialActorOf(request), { platformId, customerIdentifier, accountIdentifier, token: creditCardToken });
      return { token: creditCardToken, message: 'The credit card was unregistered', createdDate: new Date(unregisteredAt).toISOString() };
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
      const { deposit, account } = await depositToAccount(services, credentialActorOf(request), { platformId, customerIdentifier, accountIdentifier, creditCardToken, amountCents });
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
