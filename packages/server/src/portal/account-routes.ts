import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { TesseraError } from '../errors/tessera-error.js';
import { depositToAccount, registerCard, unregisterCard } from '../funding/account-funding.js';
import type { AccountRow } from '../store/customers.js';
import { actorOf, sessionOf } from './access.js';
import { accountDetailView, accountSummaryView, cardView, customerView, depositView } from './account-views.js';
import { ACCOUNT_IDENTIFIER, AccountDetail, AccountList, CARD_TOKEN, CardView, DepositBody, NewCard, NewDeposit } from './contract/index.js';
import type { PortalDeps } from './portal-deps.js';

/** The account page lists this many deposits, newest first. */
const ACCOUNT_DEPOSITS_SHOWN = 100;

/**
 * The platform's customers and accounts, and funding them: every member reads balances, cards and deposits;
 * an admin who entered their password in the last 5 minutes registers and unregisters cards and deposits,
 * through the same domain functions as the RaaS routes (funding/account-funding.ts), audited with the user
 * as the actor. The card number passes through once: checked, cut to its last four, never kept or echoed.
 * Another platform's account or card is a 404, like a missing one.
 */
export async function accountRoutes(app: FastifyInstance, { deps }: { deps: PortalDeps }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const params = { params: Type.Object({ accountIdentifier: ACCOUNT_IDENTIFIER }) };

  /** The account of the session's platform, or a 404. */
  const accountOf = async (request: FastifyRequest, accountIdentifier: string): Promise<AccountRow> => {
    const account = await deps.customers.findAccount(sessionOf(request).platform.id, accountIdentifier);
    if (!account) throw new TesseraError('not_found', `Account ${accountIdentifier} was not found`);
    return account;
  };
  const scopeOf = (request: FastifyRequest, account: AccountRow) => ({
    platformId: sessionOf(request).platform.id,
    customerIdentifier: account.customer_identifier,
    accountIdentifier: account.account_identifier,
  });

  api.get('/accounts', { config: { access: {} }, schema: { response: { 200: AccountList } } }, async (request) => {
    const platformId = sessionOf(request).platform.id;
    const [customers, accounts] = await Promise.all([deps.customers.listCustomers(platformId), deps.customers.listAccounts(platformId)]);
    return { customers: customers.map((customer) => customerView(customer, accounts.filter((a) => a.customer_identifier === customer.customer_identifier))) };
  });

  api.get('/accounts/:accountIdentifier', { config: { access: {} }, schema: { ...params, response: { 200: AccountDetail } } }, async (request) => {
    const account = await accountOf(request, request.params.accountIdentifier);
    const { platformId, customerIdentifier, accountIdentifier } = scopeOf(request, account);
    const [customer, cards, deposits] = await Promise.all([
      deps.customers.findCustomer(platformId, customerIdentifier),
      deps.funding.listAccountCards(platformId, accountIdentifier),
      deps.funding.listAccountDeposits(platformId, accountIdentifier, ACCOUNT_DEPOSITS_SHOWN),
    ]);
    return {
      account: accountDetailView(account, customer),
      cards: cards.map(cardView),
      deposits: deposits.map((deposit) => depositView(deposit, deposit)),
    };
  });

  api.post(
    '/accounts/:accountIdentifier/cards',
    {
      config: { access: { admin: { what: 'register credit cards' }, recentAuth: true } },
      schema: { ...params, body: NewCard, response: { 201: CardView } },
    },
    async (request, reply) => {
      const account = await accountOf(request, request.params.accountIdentifier);
      const { label, cardNumber, expiration } = request.body;
      const { card } = await registerCard(deps, actorOf(request), scopeOf(request, account), { label, number: cardNumber, expiration, ipAddress: request.ip });
      return reply.code(201).send(cardView(card));
    },
  );

  api.post(
    '/accounts/:accountIdentifier/cards/:cardToken/unregister',
    {
      config: { access: { admin: { what: 'unregister credit cards' }, recentAuth: true } },
      schema: { params: Type.Object({ accountIdentifier: ACCOUNT_IDENTIFIER, cardToken: CARD_TOKEN }), response: { 200: CardView } },
    },
    async (request) => {
      const account = await accountOf(request, request.params.accountIdentifier);
      const { card } = await unregisterCard(deps, actorOf(request), { ...scopeOf(request, account), token: request.params.cardToken });
      return cardView(card);
    },
  );

  api.post(
    '/accounts/:accountIdentifier/deposits',
    {
      config: { access: { admin: { what: 'make deposits' }, recentAuth: true } },
      schema: { ...params, body: DepositBody, response: { 201: NewDeposit } },
    },
    async (request, reply) => {
      const account = await accountOf(request, request.params.accountIdentifier);
      const { creditCardToken, amountCents } = request.body;
      const { deposit } = await depositToAccount(deps, actorOf(request), { ...scopeOf(request, account), creditCardToken, amountCents });
      const card = await deps.funding.findCard(deposit.platform_id, deposit.card_token);
      // Read again after the deposit committed: the balance as it is now, other deposits included.
      const funded = (await deps.customers.findAccount(deposit.platform_id, deposit.account_identifier)) ?? account;
      return reply.code(201).send({ deposit: depositView(deposit, card ?? { last_four: '', brand: '' }), account: accountSummaryView(funded) });
    },
  );
}
