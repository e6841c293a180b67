import type { Kysely, Selectable } from 'kysely';
import { TesseraError } from '../errors/tessera-error.js';
import type { AccountsTable, CustomersTable, Schema } from './schema.js';
import { insertOrConflict } from './unique-violation.js';

export type CustomerRow = Selectable<CustomersTable>;
export type AccountRow = Selectable<AccountsTable>;

/**
 * A platform's customers and their accounts. Every method takes the platform id first and every query
 * filters on it: one platform can never read or write another's rows, whatever identifier it names.
 */
export class CustomerStore {
  constructor(private readonly db: Kysely<Schema>) {}

  /** Inserts a customer; a duplicate identifier on the platform is a `conflict`. */
  async insertCustomer(customer: CustomerRow): Promise<void> {
    await insertOrConflict(
      () => this.db.insertInto('customers').values(customer).execute(),
      () => new TesseraError('conflict', `A customer with the customerIdentifier ${customer.customer_identifier} already exists`),
    );
  }

  async findCustomer(platformId: string, customerIdentifier: string): Promise<CustomerRow | undefined> {
    return this.db
      .selectFrom('customers')
      .selectAll()
      .where('platform_id', '=', platformId)
      .where('customer_identifier', '=', customerIdentifier)
      .executeTakeFirst();
  }

  async listCustomers(platformId: string): Promise<CustomerRow[]> {
    return this.db.selectFrom('customers').selectAll().where('platform_id', '=', platformId).orderBy('created_at').orderBy('customer_identifier').execute();
  }

  /** Inserts an account; a duplicate account identifier on the platform is a `conflict`. */
  async insertAccount(account: AccountRow): Promise<void> {
    await insertOrConflict(
      () => this.db.insertInto('accounts').values(account).execute(),
      () => new TesseraError('conflict', `An account with the accountIdentifier ${account.account_identifier} already exists`),
    );
  }

  async findAccount(platformId: string, accountIdentifier: string): Promise<AccountRow | undefined> {
    return this.db
      .selectFrom('accounts')
      .selectAll()
      .where('platform_id', '=', platformId)
      .where('account_identifier', '=', accountIdentifier)
      .executeTakeFirst();
  }

  /** The platform's accounts, of one customer or of all. */
  async listAccounts(platformId: string, customerIdentifier?: string): Promise<AccountRow[]> {
    let query = this.db.selectFrom('accounts').selectAll().where('platform_id', '=', platformId);
    if (customerIdentifier !== undefined) query = query.where('customer_identifier', '=', customerIdentifier);
    return query.orderBy('created_at').orderBy('account_identifier').execute();
  }
}
