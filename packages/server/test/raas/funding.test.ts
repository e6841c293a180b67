import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { verifyAudit } from '../../src/audit/verify-audit.js';
import type { Services } from '../../src/services.js';
import { startDeployment } from '../support/bootstrap.js';
import { appWithCapturedLog } from '../support/captured-log.js';
import { dumpStore, STORE_KINDS, type TestEnvironment } from '../support/services.js';
import { expectTangoView, expectTangoViews } from '../support/tango-reference.js';
import { createTenant, expectEnvelope, get, openAccount, postJson, type Tenant } from '../support/tenants.js';

const NOW = '2026-11-28T12:00:00.000Z';
const TOKEN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const DEPOSIT_ID = /^RA261128-\d{6}-\d{6}$/;

const VISA = '4111111111111111';
const MASTERCARD = '5555555555554444';
const DECLINED = '4000000000000002';
const DECLINES_CHARGES = '4000000000000341';

const BILLING_ADDRESS = {
  firstName: 'Alex',
  lastName: 'Doe',
  addressLine1: '1 Main Street',
  city: 'Seattle',
  state: 'WA',
  postalCode: '98101',
  country: 'US',
  emailAddress: 'billing@acme.example',
};

function registration(number: string, overrides: Record<string, unknown> = {}) {
  return {
    customerIdentifier: 'cust-1',
    accountIdentifier: 'acct-1',
    label: 'Corporate card',
    ipAddress: '203.0.113.10',
    creditCard: { number, expiration: '2030-12', verificationNumber: '123' },
    billingAddress: BILLING_ADDRESS,
    contactInformation: [{ fullName: 'Alex Doe', emailAddress: 'billing@acme.example' }],
    ...overrides,
  };
}

describe.each(STORE_KINDS)('funding on /raas/v2: credit cards and deposits (%s)', (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;
  let acme: Tenant;
  let globex: Tenant;
  let accountNumber: string;
  let visaToken: string;
  let mastercardToken: string;
  let firstDeposit: Record<string, unknown>;

  const balance = async (tenant: Tenant = acme, account = 'acct-1') => (await get(app, `/raas/v2/accounts/${account}`, tenant.basic)).json().currentBalance;
  const cardView = (token: string, lastFourDigits: string, status = 'ACTIVE') => ({
    token,
    label: 'Corporate card',
    lastFourDigits,
    expirationDate: '2030-12',
    status,
    createdDate: NOW,
    activationDate: NOW,
    customerIdentifier: 'cust-1',
    accountIdentifier: 'acct-1',
    accountNumber,
    contactInformation: [{ fullName: 'Alex Doe', emailAddress: 'billing@acme.example' }],
  });
  const deposit = (tenant: Tenant, authorization: string, creditCardToken: string, amount: unknown, account = 'acct-1') =>
    postJson(app, '/raas/v2/creditCardDeposits', authorization, { customerIdentifier: 'cust-1', accountIdentifier: account, creditCardToken, amount });

  beforeAll(async () => {
    ({ env, app, services, tenants: { acme, globex } } = await startDeployment({ store, tenants: ['acme', 'globex'] }));
    ({ accountNumber } = await openAccount(
      app,
      acme.basic,
      { customerIdentifier: 'cust-1', displayName: 'Customer One' },
      { accountIdentifier: 'acct-1', displayName: 'Account One', contactEmail: 'ops@acme.example' },
    ));
    // globex has a customer and account of the same names: its own, apart from acme's.
    await openAccount(app, globex.basic, { customerIdentifier: 'cust-1', displayName: 'Globex One' }, { accountIdentifier: 'acct-1', displayName: 'G', contactEmail: 'g@globex.example' });
  });
  afterAll(async () => env?.close());

  it('registers the test cards (CreditCardView) with Basic and with Bearer: a token, the last four, never the number', async () => {
    const visa = await postJson(app, '/raas/v2/creditCards', acme.basic, registration(VISA));
    expect(visa.statusCode, visa.body).toBe(201);
    expect(visa.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    visaToken = visa.json().token;
    expect(visaToken).toMatch(TOKEN);
    expect(visa.json()).toStrictEqual(cardView(visaToken, '1111'));
    expectTangoView(visa.json(), 'CreditCardView');

    // Spaces between the digits, as printed on the card; no contact information.
    const mastercard = await postJson(app, '/raas/v2/creditCards', acme.bearer, registration('5555 5555 5555 4444', { contactInformation: undefined }));
    expect(mastercard.statusCode, mastercard.body).toBe(201);
    mastercardToken = mastercard.json().token;
    expect(mastercard.json()).toStrictEqual({ ...cardView(mastercardToken, '4444'), contactInformation: [] });
    expectTangoView(mastercard.json(), 'CreditCardView');

    for (const authorization of [acme.basic, acme.bearer]) {
      const list = await get(app, '/raas/v2/creditCards', authorization);
      expect(list.statusCode).toBe(200);
      expect(list.json()).toStrictEqual([cardView(visaToken, '1111'), { ...cardView(mastercardToken, '4444'), contactInformation: [] }].sort((a, b) => a.token.localeCompare(b.token)));
      expectTangoViews(list.json(), 'CreditCardView');
      const one = await get(app, `/raas/v2/creditCards/${visaToken}`, authorization);
      expect(one.statusCode).toBe(200);
      expect(one.json()).toStrictEqual(cardView(visaToken, '1111'));
      expectTangoView(one.json(), 'CreditCardView');
    }
  });

  it('declines 4000000000000002 with Tango’s envelope (400, error.creditCard.declined), and refuses numbers that are no card numbers', async () => {
    expectEnvelope(await postJson(app, '/raas/v2/creditCards', acme.basic, registration(DECLINED)), env.clock, {
      status: 400,
      path: '/raas/v2/creditCards',
      message: 'The credit card was declined by its issuer',
      i18nKey: 'error.creditCard.declined',
    });
    for (const [number, message] of [
      ['4111111111111112', 'The card number is not valid: its check digit is wrong'],
      ['41111111111', 'The card number must have 12 to 19 digits'],
      ['41111111111111111111', 'The card number must have 12 to 19 digits'],
      ['4111-1111-1111-111x', 'The card number must contain only digits (spaces and dashes may separate them)'],
    ] as const) {
      expectEnvelope(await postJson(app, '/raas/v2/creditCards', acme.bearer, registration(number)), env.clock, {
        status: 400,
        path: '/raas/v2/creditCards',
        message,
        i18nKey: 'error.badRequest',
      });
    }
    expectEnvelope(
      await postJson(app, '/raas/v2/creditCards', acme.basic, registration(VISA, { creditCard: { number: VISA, expiration: '2026-10', verificationNumber: '123' } })),
      env.clock,
      { status: 400, path: '/raas/v2/creditCards', message: 'The credit card expired at the end of 2026-10', i18nKey: 'error.badRequest' },
    );
    expectEnvelope(await postJson(app, '/raas/v2/creditCards', acme.basic, registration(VISA, { ipAddress: 'not-an-ip' })), env.clock, {
      status: 400,
      path: '/raas/v2/creditCards',
      message: 'The ipAddress must be an IPv4 or IPv6 address',
      i18nKey: 'error.badRequest',
    });
    // Field errors never echo the number or the security code back.
    expectEnvelope(
      await postJson(app, '/raas/v2/creditCards', acme.basic, registration(VISA, { creditCard: { number: 4111111111111111, expiration: '12/30', verificationNumber: '12' } })),
      env.clock,
      {
        status: 400,
        path: '/raas/v2/creditCards',
        message: 'The request is not valid: see errors for each field',
        i18nKey: 'error.validation',
        errors: [
          { path: 'creditCard.number', message: 'must be of type string', invalidValue: null, constraint: 'Type', i18nKey: 'validation.type' },
          { path: 'creditCard.expiration', message: 'must be a year and month as YYYY-MM', invalidValue: '12/30', constraint: 'Pattern', i18nKey: 'validation.pattern' },
          { path: 'creditCard.verificationNumber', message: 'must be 3 or 4 digits', invalidValue: null, constraint: 'Pattern', i18nKey: 'validation.pattern' },
        ],
      },
    );
    // The account must be the customer's, on this platform.
    expectEnvelope(await postJson(app, '/raas/v2/creditCards', acme.basic, registration(VISA, { accountIdentifier: 'acct-none' })), env.clock, {
      status: 404,
      path: '/raas/v2/creditCards',
      message: 'Account acct-none of customer cust-1 was not found',
      i18nKey: 'error.notFound',
    });
    // None of these registered a card.
    expect((await get(app, '/raas/v2/creditCards?showInactive=true', acme.basic)).json()).toHaveLength(2);
  });

  it('deposits raise the balance by the amount, with the 3.5 % fee charged on top (CreditCardDepositView), read back with Basic and Bearer', async () => {
    expect(await balance()).toBe(0);
    const first = await deposit(acme, acme.basic, visaToken, 100);
    expect(first.statusCode, first.body).toBe(200);
    firstDeposit = first.json();
    expect(firstDeposit).toStrictEqual({
      referenceDepositID: expect.stringMatching(DEPOSIT_ID),
      accountNumber,
      amount: 100,
      feePercent: 3.5,
      amountCharged: 103.5,
      status: 'SUCCESS',
      createdDate: NOW,
    });
    expectTangoView(firstDeposit, 'CreditCardDepositView');
    expect(await balance()).toBe(100);

    // 3.5 % of $10.10 is 35.35 ¢: 35 ¢ (half up to the cent).
    const second = await deposit(acme, acme.bearer, mastercardToken, 10.1);
    expect(second.statusCode, second.body).toBe(200);
    expect(second.json()).toMatchObject({ amount: 10.1, feePercent: 3.5, amountCharged: 10.45 });
    // 3.5 % of $0.10 is 0.35 ¢: nothing; of $1.00, 3.5 ¢: 4 ¢.
    expect((await deposit(acme, acme.basic, visaToken, 0.1)).json()).toMatchObject({ amount: 0.1, amountCharged: 0.1 });
    expect((await deposit(acme, acme.basic, visaToken, 1)).json()).toMatchObject({ amount: 1, amountCharged: 1.04 });
    expect(await balance()).toBe(111.2);

    for (const authorization of [acme.basic, acme.bearer]) {
      const read = await get(app, `/raas/v2/creditCardDeposits/${firstDeposit.referenceDepositID as string}`, authorization);
      expect(read.statusCode).toBe(200);
      expect(read.json()).toStrictEqual(firstDeposit);
      expectTangoView(read.json(), 'CreditCardDepositView');
    }
    const account = (await get(app, '/raas/v2/accounts/acct-1', acme.bearer)).json();
    expect(account.currentBalance).toBe(111.2);
    expectTangoView(account, 'AccountView');
  });

  it('refuses amounts that are not whole cents between 0.01 and 100000, and a card whose charges are declined, leaving the balance as it was', async () => {
    for (const amount of [0, -5, 0.001, 10.005, 100000.01]) {
      expectEnvelope(await deposit(acme, acme.basic, visaToken, amount), env.clock, {
        status: 400,
        path: '/raas/v2/creditCardDeposits',
        message: 'The amount must be more than 0 and at most 100000 USD, with at most two decimals',
        i18nKey: 'error.badRequest',
      });
    }
    expectEnvelope(await deposit(acme, acme.basic, visaToken, '100'), env.clock, {
      status: 400,
      path: '/raas/v2/creditCardDeposits',
      message: 'The request is not valid: see errors for each field',
      i18nKey: 'error.validation',
      errors: [{ path: 'amount', message: 'must be of type number', invalidValue: '100', constraint: 'Type', i18nKey: 'validation.type' }],
    });

    // 4000000000000341 registers, but its charges are declined.
    const card = await postJson(app, '/raas/v2/creditCards', acme.basic, registration(DECLINES_CHARGES));
    expect(card.statusCode).toBe(201);
    expectEnvelope(await deposit(acme, acme.bearer, card.json().token, 50), env.clock, {
      status: 400,
      path: '/raas/v2/creditCardDeposits',
      message: 'The charge to the credit card was declined by its issuer',
      i18nKey: 'error.creditCard.declined',
    });
    // An unknown card, or one of another account.
    expectEnvelope(await deposit(acme, acme.basic, 'no-such-token', 5), env.clock, {
      status: 404,
      path: '/raas/v2/creditCardDeposits',
      message: 'Credit card no-such-token of account acct-1 (customer cust-1) was not found',
      i18nKey: 'error.notFound',
    });
    expect(await balance()).toBe(111.2);
    await unregister(card.json().token);
  });

  async function unregister(token: string, tenant: Tenant = acme, authorization = tenant.basic): Promise<LightMyRequestResponse> {
    return postJson(app, '/raas/v2/creditCardUnregisters', authorization, { customerIdentifier: 'cust-1', accountIdentifier: 'acct-1', creditCardToken: token });
  }

  it('shows every platform only its own: another platform’s card or deposit is a 404, and it cannot fund with it', async () => {
    expect((await get(app, '/raas/v2/creditCards', globex.basic)).json()).toStrictEqual([]);
    for (const authorization of [globex.basic, globex.bearer]) {
      expectEnvelope(await get(app, `/raas/v2/creditCards/${visaToken}`, authorization), env.clock, {
        status: 404,
        path: `/raas/v2/creditCards/${visaToken}`,
        message: `Credit card ${visaToken} was not found`,
        i18nKey: 'error.notFound',
      });
      const depositId = firstDeposit.referenceDepositID as string;
      expectEnvelope(await get(app, `/raas/v2/creditCardDeposits/${depositId}`, authorization), env.clock, {
        status: 404,
        path: `/raas/v2/creditCardDeposits/${depositId}`,
        message: `Credit card deposit ${depositId} was not found`,
        i18nKey: 'error.notFound',
      });
      // Its own account acct-1 with acme's card: no such card there.
      expect((await deposit(globex, authorization, visaToken, 5)).statusCode).toBe(404);
      expect((await unregister(visaToken, globex, authorization)).statusCode).toBe(404);
    }
    expect(await balance(globex)).toBe(0);
    expect(await balance()).toBe(111.2);
    expect((await get(app, `/raas/v2/creditCards/${visaToken}`, acme.basic)).json().status).toBe('ACTIVE');
  });

  it('unregisters a card (CreditCardUnregisterView): it funds no more and is listed only with showInactive', async () => {
    const response = await unregister(mastercardToken, acme, acme.bearer);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toStrictEqual({ token: mastercardToken, message: 'The credit card was unregistered', createdDate: NOW });
    expectTangoView(response.json(), 'CreditCardUnregisterView');

    expectEnvelope(await unregister(mastercardToken), env.clock, {
      status: 400,
      path: '/raas/v2/creditCardUnregisters',
      message: `The credit card ${mastercardToken} is already unregistered`,
      i18nKey: 'error.badRequest',
    });
    expectEnvelope(await deposit(acme, acme.basic, mastercardToken, 5), env.clock, {
      status: 400,
      path: '/raas/v2/creditCardDeposits',
      message: `The credit card ${mastercardToken} is unregistered: register a card to fund with`,
      i18nKey: 'error.badRequest',
    });
    expect((await get(app, '/raas/v2/creditCards', acme.basic)).json().map((c: { token: string }) => c.token)).toStrictEqual([visaToken]);
    const all = (await get(app, '/raas/v2/creditCards?showInactive=true', acme.bearer)).json();
    expect(all).toHaveLength(3);
    expect(all.find((c: { token: string }) => c.token === mastercardToken)).toStrictEqual({ ...cardView(mastercardToken, '4444', 'INACTIVE'), contactInformation: [] });
    expectEnvelope(await get(app, '/raas/v2/creditCards?showInactive=maybe', acme.basic), env.clock, {
      status: 400,
      path: '/raas/v2/creditCards',
      message: 'The request is not valid: see errors for each field',
      i18nKey: 'error.validation',
      errors: [{ path: 'showInactive', message: 'must be of type boolean', invalidValue: 'maybe', constraint: 'Type', i18nKey: 'validation.type' }],
    });
  });

  it('answers 405 with Allow on the funding paths', async () => {
    for (const [method, url, allow] of [
      ['DELETE', '/raas/v2/creditCards', 'GET, POST, HEAD'],
      ['POST', `/raas/v2/creditCards/${visaToken}`, 'GET, HEAD'],
      ['GET', '/raas/v2/creditCardUnregisters', 'POST'],
      ['PUT', '/raas/v2/creditCardDeposits', 'POST'],
      ['DELETE', '/raas/v2/creditCardDeposits/RA1', 'GET, HEAD'],
    ] as const) {
      const response = await app.inject({ method, url, headers: { authorization: acme.basic } });
      expect(response.statusCode, `${method} ${url}`).toBe(405);
      expect(response.headers.allow).toBe(allow);
    }
  });

  it('records card registrations, unregistrations and deposits in the platform’s audit log, the chain intact', async () => {
    const platform = (await services.platforms.findByName('acme'))!;
    const entries = (await services.auditLog.chain(platform.id)).filter((e) => ['register_card', 'unregister_card', 'deposit'].includes(e.action));
    expect(entries.map((e) => [e.action, e.actor, e.outcome])).toStrictEqual([
      ['register_card', acme.apiKeyId, 'success'],
      ['register_card', acme.clientId, 'success'],
      ['deposit', acme.apiKeyId, 'success'],
      ['deposit', acme.clientId, 'success'],
      ['deposit', acme.apiKeyId, 'success'],
      ['deposit', acme.apiKeyId, 'success'],
      ['register_card', acme.apiKeyId, 'success'],
      ['unregister_card', acme.apiKeyId, 'success'],
      ['unregister_card', acme.clientId, 'success'],
    ]);
    expect(entries[0]!.target_id).toBe(visaToken);
    expect(entries[2]!.target_id).toBe(firstDeposit.referenceDepositID);
    // Refusals (declines, another platform's card) changed no money and recorded nothing.
    expect(await verifyAudit(services)).toMatchObject({ ok: true });
  });

  it('sums concurrent deposits exactly, on two instances of the same store', async () => {
    const { app: other } = await env.app();
    const before = Math.round((await balance()) * 100);
    // 0.07 is no binary fraction: 40 of them must add up to exactly $2.80.
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 === 0 ? app : other).inject({
          method: 'POST',
          url: '/raas/v2/creditCardDeposits',
          headers: { authorization: i % 4 < 2 ? acme.basic : acme.bearer, 'content-type': 'application/json' },
          payload: JSON.stringify({ customerIdentifier: 'cust-1', accountIdentifier: 'acct-1', creditCardToken: visaToken, amount: 0.07 }),
        }),
      ),
    );
    expect(responses.map((r) => r.statusCode)).toStrictEqual(Array(40).fill(200));
    expect(new Set(responses.map((r) => r.json().referenceDepositID)).size).toBe(40);
    const row = await services.database.db.selectFrom('accounts').select('balance_cents').where('account_identifier', '=', 'acct-1').where('platform_id', '=', (await services.platforms.findByName('acme'))!.id).executeTakeFirstOrThrow();
    expect(Number(row.balance_cents)).toBe(before + 280);
    expect(await balance()).toBe((before + 280) / 100);
    expect(await verifyAudit(services)).toMatchObject({ ok: true });
  });

  it('keeps card numbers out of every log line and every store row', async () => {
    const { app: logged, log } = await appWithCapturedLog(services);
    try {
      const numbers = ['5105105105105100', '378282246310005', DECLINED, '4111111111111112'];
      for (const number of numbers) await postJson(logged, '/raas/v2/creditCards', acme.basic, registration(number, { creditCard: { number, expiration: '2030-12', verificationNumber: '987' } }));
      await postJson(logged, '/raas/v2/creditCards', acme.basic, registration(VISA, { creditCard: { number: 6011111111111117, expiration: '2030-12', verificationNumber: '987' } }));
      expect(log()).toContain('/raas/v2/creditCards');
      const digits = [...numbers, VISA, MASTERCARD, DECLINES_CHARGES, '6011111111111117', '5555 5555 5555 4444'];
      for (const number of digits) expect(log()).not.toContain(number);

      const { tables, dump } = await dumpStore(services);
      expect(tables).toContain('credit_cards');
      expect(dump).toContain('"last_four":"5100"');
      for (const number of digits) expect(dump).not.toContain(number);
    } finally {
      await logged.close();
    }
  });

  it('funds with the test tokens tok_visa and tok_mastercard, no card registered first: the first deposit registers the account’s test card', async () => {
    const opened = await postJson(app, '/raas/v2/customers/cust-1/accounts', acme.basic, { accountIdentifier: 'acct-tok', displayName: 'Tokens', contactEmail: 'ops@acme.example' });
    expect(opened.statusCode, opened.body).toBe(201);
    const tokNumber = opened.json().accountNumber as string;
    const first = await deposit(acme, acme.basic, 'tok_visa', 100, 'acct-tok');
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toStrictEqual({ referenceDepositID: expect.stringMatching(DEPOSIT_ID), accountNumber: tokNumber, amount: 100, feePercent: 3.5, amountCharged: 103.5, status: 'SUCCESS', createdDate: NOW });
    expect((await deposit(acme, acme.bearer, 'tok_visa', 5, 'acct-tok')).statusCode).toBe(200);
    expect((await deposit(acme, acme.basic, 'tok_mastercard', 10, 'acct-tok')).statusCode).toBe(200);
    expect(await balance(acme, 'acct-tok')).toBe(115);

    // One card per test token and account, the account's own, never expiring in the sandbox's years.
    const testCard = (token: string, label: string, lastFourDigits: string, status = 'ACTIVE') => ({
      token,
      label,
      lastFourDigits,
      expirationDate: '2031-12',
      status,
      createdDate: NOW,
      activationDate: NOW,
      customerIdentifier: 'cust-1',
      accountIdentifier: 'acct-tok',
      accountNumber: tokNumber,
      contactInformation: [],
    });
    const cards = (await get(app, '/raas/v2/creditCards', acme.basic)).json().filter((c: { accountIdentifier: string }) => c.accountIdentifier === 'acct-tok');
    expect(cards).toStrictEqual([testCard('tok_mastercard_acct-tok', 'Sandbox test Mastercard (tok_mastercard)', '4444'), testCard('tok_visa_acct-tok', 'Sandbox test Visa (tok_visa)', '1111')]);
    expectTangoViews(cards, 'CreditCardView');

    // Unregistered by its test token, the account's test card funds no more.
    const unregistered = await postJson(app, '/raas/v2/creditCardUnregisters', acme.basic, { customerIdentifier: 'cust-1', accountIdentifier: 'acct-tok', creditCardToken: 'tok_visa' });
    expect({ status: unregistered.statusCode, body: unregistered.json() }).toStrictEqual({ status: 200, body: { token: 'tok_visa', message: 'The credit card was unregistered', createdDate: NOW } });
    expectEnvelope(await deposit(acme, acme.basic, 'tok_visa', 5, 'acct-tok'), env.clock, {
      status: 400,
      path: '/raas/v2/creditCardDeposits',
      message: 'The credit card tok_visa_acct-tok is unregistered: register a card to fund with',
      i18nKey: 'error.badRequest',
    });
    // Another platform's account has its own test card; a name that is no test token is no card.
    expect((await deposit(globex, globex.basic, 'tok_visa', 5)).statusCode).toBe(200);
    expect(await balance(globex)).toBe(5);
    expect(await balance(acme, 'acct-tok')).toBe(115);
    expectEnvelope(await deposit(acme, acme.basic, 'tok_amex', 5, 'acct-tok'), env.clock, {
      status: 404,
      path: '/raas/v2/creditCardDeposits',
      message: 'Credit card tok_amex of account acct-tok (customer cust-1) was not found',
      i18nKey: 'error.notFound',
    });
    const platform = (await services.platforms.findByName('acme'))!;
    const registered = (await services.auditLog.chain(platform.id)).filter((e) => e.action === 'register_card' && e.target_id.startsWith('tok_'));
    expect(registered.map((e) => [e.target_id, e.actor])).toStrictEqual([
      ['tok_visa_acct-tok', acme.apiKeyId],
      ['tok_mastercard_acct-tok', acme.apiKeyId],
    ]);
    expect(await verifyAudit(services)).toMatchObject({ ok: true });
  });

  it('lists a platform’s cards with their accounts’ numbers in one query, never reading its list of accounts', async () => {
    const initech = await createTenant(app, services, `initech-${store}`);
    const numbers = new Map<string, string>();
    for (let c = 0; c < 3; c++) {
      const created = await postJson(app, '/raas/v2/customers', initech.basic, { customerIdentifier: `cust-${c}`, displayName: 'C' });
      expect(created.statusCode, created.body).toBe(201);
      for (let a = 0; a < 8; a++) {
        const account = `acct-${c}-${a}`;
        const opened = await postJson(app, `/raas/v2/customers/cust-${c}/accounts`, initech.basic, { accountIdentifier: account, displayName: 'A', contactEmail: 'a@initech.example' });
        numbers.set(account, opened.json().accountNumber);
        const card = await postJson(app, '/raas/v2/creditCards', initech.basic, registration(VISA, { customerIdentifier: `cust-${c}`, accountIdentifier: account }));
        expect(card.statusCode, card.body).toBe(201);
      }
    }
    const listAccounts = vi.spyOn(services.customers, 'listAccounts');
    try {
      const list = await get(app, '/raas/v2/creditCards', initech.basic);
      expect(list.statusCode).toBe(200);
      const shown = (list.json() as Array<{ accountIdentifier: string; accountNumber: string }>).map((c) => [c.accountIdentifier, c.accountNumber] as const);
      expect(new Map(shown)).toStrictEqual(numbers);
      expect(shown).toHaveLength(24);
      expect(listAccounts).not.toHaveBeenCalled();
    } finally {
      listAccounts.mockRestore();
    }
  });
});
