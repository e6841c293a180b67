import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDeployment } from '../support/bootstrap.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';
import { expectTangoView } from '../support/tango-reference.js';
import { get, openAccount, postJson, type Tenant } from '../support/tenants.js';

const ORDERS = 12;
const AMOUNT = 10;
/** Covers 4 orders of $10 and not a fifth: floor(45 / 10) = 4. */
const DEPOSIT = 45;

/**
 * Orders never overdraw (issue 20, "Done means"): the debit is one conditional update in the order's
 * transaction (store/account-balances.ts), so concurrent orders — on one instance, and on TWO instances of one
 * store (two connections to the SQLite file; two pools on PostgreSQL) — take exactly what the balance covers.
 * And an externalRefID sent concurrently to both instances debits once: every answer is the same order.
 */
describe.each(STORE_KINDS)('concurrent orders on two instances of one store (%s)', (store) => {
  let env: TestEnvironment;
  let first: FastifyInstance;
  let second: FastifyInstance;
  let acme: Tenant;

  const balance = async () => (await get(first, '/raas/v2/accounts/acct-1', acme.basic)).json().currentBalance as number;
  const order = (app: FastifyInstance, authorization: string, extra: Record<string, unknown> = {}) =>
    postJson(app, '/raas/v2/orders', authorization, { customerIdentifier: 'cust-1', accountIdentifier: 'acct-1', utid: 'U561593', amount: AMOUNT, sendEmail: false, ...extra });
  const fund = async (amount: number) => {
    const card = await postJson(first, '/raas/v2/creditCards', acme.basic, {
      customerIdentifier: 'cust-1',
      accountIdentifier: 'acct-1',
      label: 'Card',
      ipAddress: '203.0.113.10',
      creditCard: { number: '5555555555554444', expiration: '2030-12', verificationNumber: '123' },
      billingAddress: { firstName: 'A', lastName: 'D', addressLine1: '1 Main St', city: 'Seattle', state: 'WA', postalCode: '98101', country: 'US', emailAddress: 'b@acme.example' },
    });
    expect(card.statusCode, card.body).toBe(201);
    const deposit = await postJson(first, '/raas/v2/creditCardDeposits', acme.basic, { customerIdentifier: 'cust-1', accountIdentifier: 'acct-1', creditCardToken: card.json().token, amount });
    expect(deposit.statusCode, deposit.body).toBe(200);
  };

  beforeAll(async () => {
    ({ env, app: first, tenants: { acme } } = await startDeployment({ store, tenants: ['acme'] }));
    ({ app: second } = await env.app());
    await openAccount(first, acme.basic, { customerIdentifier: 'cust-1', displayName: 'One' }, { accountIdentifier: 'acct-1', displayName: 'One', contactEmail: 'o@acme.example' });
  });
  afterAll(async () => env?.close());

  it(`${ORDERS} concurrent $${AMOUNT} orders on a $${DEPOSIT} balance: exactly 4 succeed, the rest are 402, and $5 is left`, async () => {
    await fund(DEPOSIT);
    const answers = await Promise.all(
      Array.from({ length: ORDERS }, (_, i) => order(i % 2 === 0 ? first : second, i % 3 === 0 ? acme.bearer : acme.basic)),
    );
    const statuses = answers.map((a) => a.statusCode).sort();
    expect(statuses).toEqual([...Array(4).fill(201), ...Array(ORDERS - 4).fill(402)]);
    for (const answer of answers) {
      if (answer.statusCode === 201) expectTangoView(answer.json(), 'OrderViewSummary');
      else expect(answer.json()).toMatchObject({ httpCode: 402, i18nKey: 'error.order.insufficientFunds' });
    }
    expect(await balance()).toBe(DEPOSIT - 4 * AMOUNT);
    const listed = await get(first, '/raas/v2/orders?elementsPerBlock=100', acme.basic);
    expect(listed.json().page.totalCount).toBe(4);
  });

  it('the same externalRefID sent concurrently to both instances debits exactly once, and every answer is that one order', async () => {
    await fund(40);
    const before = await balance();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => order(i % 2 === 0 ? first : second, i % 2 === 0 ? acme.basic : acme.bearer, { externalRefID: 'once-only' })),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(Array(10).fill(201));
    const ids = new Set(answers.map((a) => a.json().referenceOrderID as string));
    expect(ids.size).toBe(1);
    for (const answer of answers) expect(answer.json()).toStrictEqual(answers[0]!.json());
    expect(await balance()).toBe(before - AMOUNT);
    const listed = await get(second, '/raas/v2/orders?externalRefID=once-only', acme.basic);
    expect(listed.json().orders.map((o: { referenceOrderID: string }) => o.referenceOrderID)).toEqual([...ids]);
  });
});
