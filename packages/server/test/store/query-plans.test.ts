import { CompiledQuery, type Kysely, type KyselyPlugin, type RootOperationNode, type QueryId, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform } from '../../src/credentials/platforms.js';
import type { Services } from '../../src/services.js';
import type { Schema } from '../../src/store/schema.js';
import { FundingStore } from '../../src/store/funding.js';
import { OrderStore } from '../../src/store/orders.js';
import { startDeployment } from '../support/bootstrap.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';
import { insertTestAccount } from '../support/tenants.js';

const CUSTOMERS = 20;
const ACCOUNTS_PER_CUSTOMER = 5;
const ORDERS = 4000;
const DAY = 86_400_000;

/** Keeps the queries a store sends (their operation trees), so the test can ask the database how it would run them. */
function capturing(db: Kysely<Schema>): { db: Kysely<Schema>; queries: Array<{ node: RootOperationNode; queryId: QueryId }> } {
  const queries: Array<{ node: RootOperationNode; queryId: QueryId }> = [];
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      queries.push({ node: args.node, queryId: args.queryId });
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { db: db.withPlugin(plugin), queries };
}

/**
 * The queries of the funding and order lists (migration 0017) use their indexes: EXPLAIN QUERY PLAN on SQLite
 * (https://sqlite.org/eqp.html) and EXPLAIN on PostgreSQL, on a platform of 100 accounts with cards, deposits
 * and 4000 orders, its statistics gathered (ANALYZE), as a planner sees a store in use. Sequential scans are
 * priced out on PostgreSQL, which may rightly read so small a table whole
 * (https://www.postgresql.org/docs/current/runtime-config-query.html): the question is which index it picks.
 */
describe.each(STORE_KINDS)('the store’s list queries use their indexes (%s)', (store) => {
  let env: TestEnvironment;
  let services: Services;
  let platformId: string;

  beforeAll(async () => {
    ({ env, services } = await startDeployment({ store }));
    platformId = (await createPlatform(services, 'busy')).id;
    const db = services.database.db;
    const accounts: Array<{ customer: string; account: string }> = [];
    for (let c = 0; c < CUSTOMERS; c++) {
      await services.customers.insertCustomer({ platform_id: platformId, customer_identifier: `cust-${c}`, display_name: 'C', status: 'ACTIVE', created_at: 1 });
      for (let a = 0; a < ACCOUNTS_PER_CUSTOMER; a++) {
        const account = `acct-${c}-${a}`;
        await insertTestAccount(services, platformId, `cust-${c}`, account, 1);
        accounts.push({ customer: `cust-${c}`, account });
      }
    }
    const cards = accounts.flatMap(({ customer, account }, i) =>
      [0, 1].map((n) => ({
        platform_id: platformId,
        token: `card-${i}-${n}`,
        customer_identifier: customer,
        account_identifier: account,
        label: 'Card',
        last_four: '1111',
        brand: 'visa',
        expiration: '2031-12',
        contact_information: '[]',
        declines_charges: 0,
        status: 'ACTIVE',
        created_at: i * 10 + n,
        activated_at: i * 10 + n,
        unregistered_at: null,
      })),
    );
    await db.insertInto('credit_cards').values(cards).execute();
    const deposits = cards.flatMap((card, i) =>
      Array.from({ length: 5 }, (_, n) => ({
        platform_id: platformId,
        deposit_id: `dep-${i}-${n}`,
        account_identifier: card.account_identifier,
        card_token: card.token,
        amount_cents: 10_000,
        fee_cents: 350,
        fee_basis_points: 350,
        status: 'SUCCESS',
        created_at: i * 10 + n,
      })),
    );
    await db.insertInto('credit_card_deposits').values(deposits).execute();
    const orders = Array.from({ length: ORDERS }, (_, i) => {
      const { customer, account } = accounts[i % accounts.length]!;
      return {
        platform_id: platformId,
        reference_order_id: `RA${String(i).padStart(6, '0')}`,
        external_ref_id: null,
        criteria_digest: 'd',
        customer_identifier: customer,
        account_identifier: account,
        utid: 'U561593',
        reward_name: 'R',
        reward_minor: 100,
        reward_currency: 'USD',
        charged_minor: 100,
        fee_minor: 0,
        charged_currency: 'USD',
        exchange_rate: '1',
        send_email: 0,
        recipient: '{}',
        sender: '{}',
        message: '',
        notes: '',
        email_subject: '',
        campaign: '',
        etid: '',
        status: 'COMPLETE',
        created_at: i * (DAY / 10),
      };
    });
    // In batches: SQLite binds at most 32766 parameters to a statement.
    for (let i = 0; i < orders.length; i += 500) await db.insertInto('orders').values(orders.slice(i, i + 500)).execute();
    await sql`analyze`.execute(db);
  });
  afterAll(async () => env?.close());

  /** The plan of every query `run` sends through the store `make` builds, one text per query. */
  async function plansOf<T>(make: (db: Kysely<Schema>) => T, run: (store: T) => Promise<unknown>): Promise<string[]> {
    const { db, queries } = capturing(services.database.db);
    await run(make(db));
    const plans: string[] = [];
    for (const { node, queryId } of queries) {
      const compiled = services.database.db.getExecutor().compileQuery(node, queryId);
      const plan = await services.database.db.transaction().execute(async (trx) => {
        if (store === 'postgres') await sql`set local enable_seqscan = off`.execute(trx);
        const explain = store === 'postgres' ? 'explain ' : 'explain query plan ';
        const result = await trx.executeQuery(CompiledQuery.raw(explain + compiled.sql, [...compiled.parameters]));
        return result.rows.map((row) => Object.values(row as Record<string, unknown>).join(' ')).join('\n');
      });
      plans.push(plan);
    }
    return plans;
  }

  it('an account’s cards and deposits: credit_cards_account and credit_card_deposits_account', async () => {
    const [cards] = await plansOf((db) => new FundingStore(db), (s) => s.listAccountCards(platformId, 'acct-3-1'));
    expect(cards).toContain('credit_cards_account');
    const [deposits] = await plansOf((db) => new FundingStore(db), (s) => s.listAccountDeposits(platformId, 'acct-3-1', 10));
    expect(deposits).toContain('credit_card_deposits_account');
  });

  it('GET /orders by account or by customer: orders_account_created and orders_customer_created, for the page and its count', async () => {
    const page = { offset: 0, limit: 10 };
    const byAccount = await plansOf((db) => new OrderStore(db), (s) => s.list(platformId, { accountIdentifier: 'acct-3-1' }, page));
    expect(byAccount).toHaveLength(2);
    for (const plan of byAccount) expect(plan).toContain('orders_account_created');
    const byCustomer = await plansOf((db) => new OrderStore(db), (s) => s.list(platformId, { customerIdentifier: 'cust-3', from: 0, before: ORDERS * DAY }, page));
    expect(byCustomer).toHaveLength(2);
    for (const plan of byCustomer) expect(plan).toContain('orders_customer_created');
  });
});
