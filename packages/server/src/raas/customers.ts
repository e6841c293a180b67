import { randomInt } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { principalOf } from '../auth/principal.js';
import { TesseraError } from '../errors/tessera-error.js';
import * as example from './examples.js';
import { errorResponses, GUARDED_ERRORS, tango } from './route-docs.js';
import type { CustomerStore } from '../store/customers.js';
import type { AccountRow, CustomerRow } from '../store/customers.js';
import {
  AccountParams,
  AccountView,
  AccountViewSummary,
  accountView,
  accountViewSummary,
  CreateAccountCriteria,
  CreateCustomerCriteria,
  CustomerParams,
  CustomerViewNew,
  CustomerViewSummary,
  customerViewNew,
  customerViewSummary,
} from './views.js';

/** Tango's status of a new customer or account. */
const ACTIVE = 'ACTIVE';
/** Accounts are funded in US dollars, as Tango's default. */
const CURRENCY = 'USD';

/** Tango-style account numbers, e.g. A12-345678-901234: a display number, not a key. */
function newAccountNumber(): string {
  const digits = (n: number) => String(randomInt(10 ** n)).padStart(n, '0');
  return `A${digits(2)}-${digits(6)}-${digits(6)}`;
}


/** What the customer routes use: the store of customers and accounts, and the clock. */
export interface CustomerDeps {
  customers: CustomerStore;
  now: () => number;
}

/** Customers and their accounts (RaaS v2 "Customers" and "Accounts"), each platform seeing only its own. */
export async function customerRoutes(app: FastifyInstance, { services }: { services: CustomerDeps }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { customers } = services;

  const customerOr404 = async (platformId: string, customerIdentifier: string): Promise<CustomerRow> => {
    const customer = await customers.findCustomer(platformId, customerIdentifier);
    if (!customer) throw new TesseraError('not_found', `Customer ${customerIdentifier} was not found`);
    return customer;
  };

  api.get(
    '/customers',
    {
      schema: {
        ...tango('Customers', 'listCustomers', 'Get a list of all Customers on this Platform.'),
        response: { 200: Type.Array(CustomerViewSummary, { description: "The platform's customers, each with its accounts", examples: [[example.CUSTOMER_VIEW_SUMMARY]] }), ...errorResponses(...GUARDED_ERRORS) },
      },
    },
    async (request) => {
      const { platformId } = principalOf(request);
      const [rows, accounts] = await Promise.all([customers.listCustomers(platformId), customers.listAccounts(platformId)]);
      const byCustomer = new Map<string, AccountRow[]>();
      for (const account of accounts) {
        const list = byCustomer.get(account.customer_identifier) ?? [];
        list.push(account);
        byCustomer.set(account.customer_identifier, list);
      }
      return rows.map((row) => customerViewSummary(row, byCustomer.get(row.customer_identifier) ?? []));
    },
  );

  api.post(
    '/customers',
    {
      schema: {
        ...tango('Customers', 'createCustomer', 'Create a new Customer on this Platform.'),
        body: CreateCustomerCriteria,
        response: { 201: { ...CustomerViewNew, description: 'The new customer' }, ...errorResponses(...GUARDED_ERRORS, 409) },
      },
    },
    async (request, reply) => {
      const { platformId } = principalOf(request);
      const row: CustomerRow = {
        platform_id: platformId,
        customer_identifier: request.body.customerIdentifier,
        display_name: request.body.displayName,
        status: ACTIVE,
        created_at: services.now(),
      };
      await customers.insertCustomer(row);
      return reply.code(201).send(customerViewNew(row));
    },
  );

  api.get(
    '/customers/:customerIdentifier',
    {
      schema: {
        ...tango('Customers', 'getCustomer', 'Get details for a specific Customer on this Platform.'),
        params: CustomerParams,
        response: { 200: { ...CustomerViewSummary, description: 'The customer, with its accounts' }, ...errorResponses(...GUARDED_ERRORS, 404) },
      },
    },
    async (request) => {
      const { platformId } = principalOf(request);
      const customer = await customerOr404(platformId, request.params.customerIdentifier);
      return customerViewSummary(customer, await customers.listAccounts(platformId, customer.customer_identifier));
    },
  );

  api.get(
    '/customers/:customerIdentifier/accounts',
    {
      schema: {
        // Tango's operation ids, `_1` included: clients generated from Tango's definition keep their method names.
        ...tango('Customers', 'listCustomerAccounts_1', 'Get a list of all Accounts created for a specific Customer on this Platform.'),
        params: CustomerParams,
        response: { 200: Type.Array(AccountViewSummary, { description: "The customer's accounts", examples: [[example.ACCOUNT_VIEW_SUMMARY]] }), ...errorResponses(...GUARDED_ERRORS, 404) },
      },
    },
    async (request) => {
      const { platformId } = principalOf(request);
      const customer = await customerOr404(platformId, request.params.customerIdentifier);
      return (await customers.listAccounts(platformId, customer.customer_identifier)).map(accountViewSummary);
    },
  );

  api.post(
    '/customers/:customerIdentifier/accounts',
    {
      schema: {
        ...tango('Customers', 'createCustomerAccount', 'Create an Account under a specific Customer on this Platform.'),
        params: CustomerParams,
        body: CreateAccountCriteria,
        response: { 201: { ...AccountView, description: 'The new account' }, ...errorResponses(...GUARDED_ERRORS, 404, 409) },
      },
    },
    async (request, reply) => {
      const { platformId } = principalOf(request);
      const customer = await customerOr404(platformId, request.params.customerIdentifier);
      const row: AccountRow = {
        platform_id: platformId,
        account_identifier: request.body.accountIdentifier,
        customer_identifier: customer.customer_identifier,
        account_number: newAccountNumber(),
        display_name: request.body.displayName,
        contact_email: request.body.contactEmail,
        currency_code: CURRENCY,
        balance_cents: 0,
        status: ACTIVE,
        created_at: services.now(),
      };
      await customers.insertAccount(row);
      return reply.code(201).send(accountView(row));
    },
  );

  api.get(
    '/accounts',
    {
      schema: {
        ...tango('Accounts', 'listCustomerAccounts', 'Get a list of Accounts created on this Platform.'),
        response: { 200: Type.Array(AccountView, { description: "The platform's accounts", examples: [[example.ACCOUNT_VIEW]] }), ...errorResponses(...GUARDED_ERRORS) },
      },
    },
    async (request) => (await customers.listAccounts(principalOf(request).platformId)).map(accountView),
  );

  api.get(
    '/accounts/:accountIdentifier',
    {
      schema: {
        ...tango('Accounts', 'getAccount', 'Get details for a specific Account on this Platform.'),
        params: AccountParams,
        response: { 200: { ...AccountView, description: 'The account' }, ...errorResponses(...GUARDED_ERRORS, 404) },
      },
    },
    async (request) => {
      const account = await customers.findAccount(principalOf(request).platformId, request.params.accountIdentifier);
      if (!account) throw new TesseraError('not_found', `Account ${request.params.accountIdentifier} was not found`);
      return accountView(account);
    },
  );
}
