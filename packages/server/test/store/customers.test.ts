import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform } from '../../src/credentials/platforms.js';
import { TesseraError } from '../../src/errors/tessera-error.js';
import type { Services } from '../../src/services.js';
import { startDeployment } from '../support/bootstrap.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';

/** A raw unique violation never leaves the store: it becomes the domain's conflict, with a message for people. */
describe.each(STORE_KINDS)('the stores turn unique violations into conflicts on %s', (store) => {
  let env: TestEnvironment;
  let services: Services;

  beforeAll(async () => {
    ({ env, services } = await startDeployment({ store }));
  });
  afterAll(async () => env.close());

  it('refuses a second platform of one name', async () => {
    await services.platforms.insert({ id: 'plt_one', name: 'taken', created_at: 1 });
    const error = await services.platforms.insert({ id: 'plt_two', name: 'taken', created_at: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TesseraError);
    expect(error).toMatchObject({ code: 'conflict', message: 'Platform taken already exists' });
  });

  it('refuses a second customer or account of one identifier on a platform', async () => {
    const platform = await createPlatform(services, 'shop');
    const customer = { platform_id: platform.id, customer_identifier: 'c1', display_name: 'C', status: 'ACTIVE', created_at: 1 };
    await services.customers.insertCustomer(customer);
    const customerError = await services.customers.insertCustomer(customer).catch((e: unknown) => e);
    expect(customerError).toBeInstanceOf(TesseraError);
    expect(customerError).toMatchObject({ code: 'conflict', message: 'A customer with the customerIdentifier c1 already exists' });

    const account = {
      platform_id: platform.id,
      account_identifier: 'a1',
      customer_identifier: 'c1',
      account_number: 'A00-000000-000000',
      display_name: 'A',
      contact_email: 'a@example.com',
      currency_code: 'USD',
      balance_cents: 0,
      status: 'ACTIVE',
      created_at: 1,
    };
    await services.customers.insertAccount(account);
    const accountError = await services.customers.insertAccount(account).catch((e: unknown) => e);
    expect(accountError).toMatchObject({ code: 'conflict', message: 'An account with the accountIdentifier a1 already exists' });
  });
});
