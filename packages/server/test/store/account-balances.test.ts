import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src/services.js';
import { creditBalance } from '../../src/store/account-balances.js';
import { startDeployment } from '../support/bootstrap.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';
import { insertTestAccount } from '../support/tenants.js';

describe.each(STORE_KINDS)('account balances in the store (%s)', (store) => {
  let env: TestEnvironment;
  let services: Services;
  let other: Services;
  let platformId: string;

  beforeAll(async () => {
    ({ env, services } = await startDeployment({ store, tenants: ['acme'] }));
    other = await env.open();
    platformId = (await services.platforms.findByName('acme'))!.id;
    await services.customers.insertCustomer({ platform_id: platformId, customer_identifier: 'c', display_name: 'C', status: 'ACTIVE', created_at: 0 });
    await insertTestAccount(services, platformId, 'c', 'a', 0);
  });
  afterAll(async () => env?.close());

  const balance = async () => (await services.customers.findAccount(platformId, 'a'))!.balance_cents;

  it('adds concurrent credits exactly: one atomic update each, no read-then-write', async () => {
    // No platform lock here (the deposit takes one): the update alone must be atomic. On PostgreSQL from two
    // instances, whose pools run the transactions at once (a read-then-write would lose updates). On SQLite
    // from one: two connections in one thread cannot wait for each other (better-sqlite3 waits synchronously),
    // and two processes are what a fleet on one file is; raas/funding.test.ts deposits from two apps.
    const instances = store === 'postgres' ? [services, other] : [services];
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => instances[i % instances.length]!.database.db.transaction().execute((trx) => creditBalance(trx, platformId, 'a', 7))),
    );
    expect(Number(await balance())).toBe(350);
    // Each credit saw its own new balance: 7, 14, …, 350 in some order.
    expect([...results].sort((x, y) => x - y)).toStrictEqual(Array.from({ length: 50 }, (_, i) => (i + 1) * 7));
  });

  it('refuses a credit that is no positive whole number of cents, and an account of no platform', async () => {
    for (const cents of [0, -1, 1.5, Number.NaN]) {
      await expect(services.database.db.transaction().execute((trx) => creditBalance(trx, platformId, 'a', cents))).rejects.toThrow(
        'A credit must be a positive whole number of cents',
      );
    }
    await expect(services.database.db.transaction().execute((trx) => creditBalance(trx, 'plt_other', 'a', 5))).rejects.toThrow('Account a was not found');
    expect(Number(await balance())).toBe(350);
  });
});
