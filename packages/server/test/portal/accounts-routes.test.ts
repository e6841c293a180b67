import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/audit/verify-audit.js';
import type { Services } from '../../src/services.js';
import { startDeployment } from '../support/bootstrap.js';
import { appWithCapturedLog } from '../support/captured-log.js';
import { acmeAndGlobex, PASSWORD, PortalBrowser } from '../support/portal.js';
import { dumpStore, STORE_KINDS, type TestEnvironment } from '../support/services.js';
import { expectTangoView } from '../support/tango-reference.js';
import { get, postJson } from '../support/tenants.js';

const NOW = '2026-11-28T12:00:00.000Z';
const TOKEN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const DEPOSIT_ID = /^RA261128-\d{6}-\d{6}$/;
const VISA = '4111111111111111';
const MASTERCARD = '5555555555554444';
const DECLINED = '4000000000000002';
const DECLINES_CHARGES = '4000000000000341';

const card = (cardNumber: string, overrides: Record<string, unknown> = {}) => ({ label: 'Finance card', cardNumber, expiration: '2030-12', securityCode: '123', ...overrides });

describe.each(STORE_KINDS)('the portal Accounts routes on %s', (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;
  /** acme's admin, acme's member, and globex's admin. */
  let ann: PortalBrowser;
  let bob: PortalBrowser;
  let zed: PortalBrowser;
  let acmeBasic: string;
  let accountNumber: string;
  let visaToken: string;
  let mastercardToken: string;
  let depositId: string;

  const accountSummary = (balanceCents: number) => ({
    accountIdentifier: 'acct-1',
    accountNumber,
    displayName: 'Rewards budget',
    currencyCode: 'USD',
    balanceCents,
    status: 'active',
    createdAt: NOW,
  });
  const cardView = (token: string, lastFour: string, brand: string, status = 'active') => ({
    token,
    label: 'Finance card',
    brand,
    lastFour,
    expiration: '2030-12',
    status,
    createdAt: NOW,
    unregisteredAt: status === 'active' ? null : NOW,
  });

  beforeAll(async () => {
    ({ env, app, services } = await startDeployment({ store }));
    const teams = await acmeAndGlobex(app, services);
    ({ ann, bob, zed, acmeBasic } = teams);
    const { globexBasic } = teams;
    // Customers and accounts come from the RaaS API (or the console); the portal reads and funds them.
    expect((await postJson(app, '/raas/v2/customers', acmeBasic, { customerIdentifier: 'cust-1', displayName: 'Acme Rewards' })).statusCode).toBe(201);
    const opened = await postJson(app, '/raas/v2/customers/cust-1/accounts', acmeBasic, { accountIdentifier: 'acct-1', displayName: 'Rewards budget', contactEmail: 'ops@acme.example' });
    expect(opened.statusCode).toBe(201);
    accountNumber = opened.json().accountNumber;
    // globex has an account of the same identifier: its own.
    expect((await postJson(app, '/raas/v2/customers', globexBasic, { customerIdentifier: 'cust-g', displayName: 'Globex' })).statusCode).toBe(201);
    expect((await postJson(app, '/raas/v2/customers/cust-g/accounts', globexBasic, { accountIdentifier: 'acct-1', displayName: 'G', contactEmail: 'g@globex.example' })).statusCode).toBe(201);
  });
  afterAll(async () => env?.close());

  it('lists the platform’s customers and their accounts with balances, for a member as for an admin, and nothing when there is none', async () => {
    const fresh = new PortalBrowser(app);
    await fresh.signUp('new@initech.example', 'initech');
    expect((await fresh.get('/accounts')).json()).toStrictEqual({ customers: [] });

    const expected = {
      customers: [{ customerIdentifier: 'cust-1', displayName: 'Acme Rewards', status: 'active', createdAt: NOW, accounts: [accountSummary(0)] }],
    };
    for (const who of [ann, bob]) {
      const response = await who.get('/accounts');
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.json()).toStrictEqual(expected);
    }
    expect((await app.inject({ method: 'GET', url: '/portal/api/accounts' })).json()).toStrictEqual({ error: 'unauthenticated', message: 'Sign in to continue' });
  });

  it('registers cards for an admin (201): a token, the last four and the brand, never the number; the RaaS API sees the same card', async () => {
    const visa = await ann.post('/accounts/acct-1/cards', card(VISA));
    expect(visa.statusCode, visa.body).toBe(201);
    visaToken = visa.json().token;
    expect(visaToken).toMatch(TOKEN);
    expect(visa.json()).toStrictEqual(cardView(visaToken, '1111', 'visa'));
    expect(visa.body).not.toContain(VISA);

    const mastercard = await ann.post('/accounts/acct-1/cards', card('5555 5555 5555 4444'));
    expect(mastercard.statusCode, mastercard.body).toBe(201);
    mastercardToken = mastercard.json().token;
    expect(mastercard.json()).toStrictEqual(cardView(mastercardToken, '4444', 'mastercard'));

    const raas = await get(app, `/raas/v2/creditCards/${visaToken}`, acmeBasic);
    expect(raas.statusCode).toBe(200);
    expect(raas.json()).toMatchObject({ token: visaToken, lastFourDigits: '1111', accountIdentifier: 'acct-1', customerIdentifier: 'cust-1', status: 'ACTIVE' });
    expectTangoView(raas.json(), 'CreditCardView');
  });

  it('refuses cards in plain words: declined (402), not a card number, expired, bad fields (400)', async () => {
    for (const [body, status, expected] of [
      [card(DECLINED), 402, { error: 'declined', message: 'The credit card was declined by its issuer' }],
      [card('4111111111111112'), 400, { error: 'invalid_input', message: 'The card number is not valid: its check digit is wrong' }],
      [card('4111 1111'), 400, { error: 'invalid_input', message: 'The card number must have 12 to 19 digits' }],
      [card('4111-1111-1111-111x'), 400, { error: 'invalid_input', message: 'The card number must contain only digits (spaces and dashes may separate them)' }],
      [card(VISA, { expiration: '2026-10' }), 400, { error: 'invalid_input', message: 'The credit card expired at the end of 2026-10' }],
      [card(VISA, { expiration: '12/30' }), 400, { error: 'invalid_input', message: 'The expiration must be a year and month as YYYY-MM, e.g. 2030-12' }],
      [card(VISA, { securityCode: '12' }), 400, { error: 'invalid_input', message: 'The security code must be 3 or 4 digits' }],
      [card(VISA, { label: '' }), 400, { error: 'invalid_input', message: 'The label must not be empty' }],
      [{ ...card(VISA), cardNumber: Number(VISA) }, 400, { error: 'invalid_input', message: 'The card number must be text' }],
      [{ ...card(VISA), billing: 'x' }, 400, { error: 'invalid_input', message: 'The field "billing" is not expected here' }],
    ] as const) {
      const response = await ann.post('/accounts/acct-1/cards', body);
      expect({ body, status: response.statusCode, json: response.json() }).toStrictEqual({ body, status, json: expected });
    }
    // None of these registered a card.
    expect((await ann.get('/accounts/acct-1')).json().cards).toHaveLength(2);
  });

  it('deposits for an admin (201): the balance rises by the amount exactly, the 3.5 % fee on top; the account page shows it all', async () => {
    const response = await ann.post('/accounts/acct-1/deposits', { creditCardToken: visaToken, amountCents: 10_010 });
    expect(response.statusCode, response.body).toBe(201);
    depositId = response.json().deposit.id;
    expect(depositId).toMatch(DEPOSIT_ID);
    const deposit = {
      id: depositId,
      cardToken: visaToken,
      cardLastFour: '1111',
      cardBrand: 'visa',
      amountCents: 10_010,
      // 3.5 % of $100.10 is 350.35 ¢: 350 ¢.
      feeCents: 350,
      feePercent: 3.5,
      amountChargedCents: 10_360,
      status: 'success',
      createdAt: NOW,
    };
    expect(response.json()).toStrictEqual({ deposit, account: accountSummary(10_010) });

    // 0.07 is no binary fraction: seven cents stay seven cents.
    const small = await ann.post('/accounts/acct-1/deposits', { creditCardToken: mastercardToken, amountCents: 7 });
    expect(small.statusCode).toBe(201);
    expect(small.json().account.balanceCents).toBe(10_017);

    for (const who of [ann, bob]) {
      const detail = await who.get('/accounts/acct-1');
      expect(detail.statusCode).toBe(200);
      expect(detail.json()).toStrictEqual({
        account: { ...accountSummary(10_017), contactEmail: 'ops@acme.example', customerIdentifier: 'cust-1', customerDisplayName: 'Acme Rewards' },
        cards: [cardView(visaToken, '1111', 'visa'), cardView(mastercardToken, '4444', 'mastercard')].sort((a, b) => a.token.localeCompare(b.token)),
        deposits: [
          // Newest first; the same second, so by id.
          ...[deposit, { ...deposit, id: small.json().deposit.id, cardToken: mastercardToken, cardLastFour: '4444', cardBrand: 'mastercard', amountCents: 7, feeCents: 0, amountChargedCents: 7 }].sort(
            (a, b) => b.id.localeCompare(a.id),
          ),
        ],
      });
    }
    // The RaaS API reads the same deposit and balance.
    const raas = await get(app, `/raas/v2/creditCardDeposits/${depositId}`, acmeBasic);
    expect(raas.json()).toStrictEqual({ referenceDepositID: depositId, accountNumber, amount: 100.1, feePercent: 3.5, amountCharged: 103.6, status: 'SUCCESS', createdDate: NOW });
    expectTangoView(raas.json(), 'CreditCardDepositView');
    expect((await get(app, '/raas/v2/accounts/acct-1', acmeBasic)).json().currentBalance).toBe(100.17);
  });

  it('refuses deposits in plain words, leaving the balance as it was', async () => {
    const declining = await ann.post('/accounts/acct-1/cards', card(DECLINES_CHARGES));
    expect(declining.statusCode).toBe(201);
    const unknownToken = '00000000-0000-4000-8000-000000000000';
    for (const [body, status, expected] of [
      [{ creditCardToken: declining.json().token, amountCents: 500 }, 402, { error: 'declined', message: 'The charge to the credit card was declined by its issuer' }],
      [{ creditCardToken: visaToken, amountCents: 0 }, 400, { error: 'invalid_input', message: 'The amount must be more than 0 and at most 100000 USD, with at most two decimals' }],
      [{ creditCardToken: visaToken, amountCents: 10_000_001 }, 400, { error: 'invalid_input', message: 'The amount must be more than 0 and at most 100000 USD, with at most two decimals' }],
      [{ creditCardToken: visaToken, amountCents: 1.5 }, 400, { error: 'invalid_input', message: 'The amount in cents must be a whole number' }],
      [{ creditCardToken: visaToken }, 400, { error: 'invalid_input', message: 'The amount in cents is required' }],
      [{ creditCardToken: 'visa', amountCents: 100 }, 400, { error: 'invalid_input', message: 'The credit card token is not a valid card token' }],
      [{ creditCardToken: unknownToken, amountCents: 100 }, 404, { error: 'not_found', message: `Credit card ${unknownToken} of account acct-1 (customer cust-1) was not found` }],
    ] as const) {
      const response = await ann.post('/accounts/acct-1/deposits', body);
      expect({ body, status: response.statusCode, json: response.json() }).toStrictEqual({ body, status, json: expected });
    }
    expect((await ann.get('/accounts/acct-1')).json().account.balanceCents).toBe(10_017);
    expect((await ann.post(`/accounts/acct-1/cards/${declining.json().token}/unregister`)).statusCode).toBe(200);
  });

  it('lets a member read but not register, unregister or deposit (403), and changes nothing', async () => {
    for (const [send, what] of [
      [() => bob.post('/accounts/acct-1/cards', card(VISA)), 'register credit cards'],
      [() => bob.post(`/accounts/acct-1/cards/${visaToken}/unregister`), 'unregister credit cards'],
      [() => bob.post('/accounts/acct-1/deposits', { creditCardToken: visaToken, amountCents: 100 }), 'make deposits'],
    ] as const) {
      const response = await send();
      expect({ status: response.statusCode, json: response.json() }).toStrictEqual({ status: 403, json: { error: 'forbidden', message: `Only an admin can ${what}` } });
    }
    const detail = (await bob.get('/accounts/acct-1')).json();
    expect(detail.account.balanceCents).toBe(10_017);
    expect(detail.cards.filter((c: { status: string }) => c.status === 'active')).toHaveLength(2);
  });

  it('asks an admin for the password again after 5 minutes, and refuses a request without the CSRF token', async () => {
    const csrf = await ann.post('/accounts/acct-1/deposits', { creditCardToken: visaToken, amountCents: 100 }, { 'x-csrf-token': 'not-the-token' });
    expect({ status: csrf.statusCode, json: csrf.json() }).toStrictEqual({ status: 403, json: { error: 'csrf', message: 'The X-CSRF-Token header is missing or does not match the session' } });

    env.clock.advance(5 * 60_000 + 1_000);
    try {
      for (const send of [
        () => ann.post('/accounts/acct-1/cards', card(VISA)),
        () => ann.post(`/accounts/acct-1/cards/${visaToken}/unregister`),
        () => ann.post('/accounts/acct-1/deposits', { creditCardToken: visaToken, amountCents: 100 }),
      ]) {
        const response = await send();
        expect({ status: response.statusCode, json: response.json() }).toStrictEqual({
          status: 403,
          json: { error: 'reauthentication_required', message: 'Enter your password again to continue' },
        });
      }
      // Reading needs no recent sign-in.
      expect((await ann.get('/accounts/acct-1')).json().account.balanceCents).toBe(10_017);
      expect((await ann.post('/session/reauth', { password: PASSWORD })).statusCode).toBe(200);
      const again = await ann.post('/accounts/acct-1/deposits', { creditCardToken: visaToken, amountCents: 100 });
      expect(again.statusCode, again.body).toBe(201);
      expect(again.json().account.balanceCents).toBe(10_117);
    } finally {
      env.clock.current = Date.parse(NOW);
    }
  });

  it('unregisters a card (200): it funds no more, and the page still lists it as unregistered', async () => {
    const response = await ann.post(`/accounts/acct-1/cards/${mastercardToken}/unregister`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toStrictEqual(cardView(mastercardToken, '4444', 'mastercard', 'inactive'));
    for (const [send, expected] of [
      [() => ann.post(`/accounts/acct-1/cards/${mastercardToken}/unregister`), { error: 'invalid_input', message: `The credit card ${mastercardToken} is already unregistered` }],
      [
        () => ann.post('/accounts/acct-1/deposits', { creditCardToken: mastercardToken, amountCents: 100 }),
        { error: 'invalid_input', message: `The credit card ${mastercardToken} is unregistered: register a card to fund with` },
      ],
    ] as const) {
      const refused = await send();
      expect({ status: refused.statusCode, json: refused.json() }).toStrictEqual({ status: 400, json: expected });
    }
    expect((await get(app, `/raas/v2/creditCards/${mastercardToken}`, acmeBasic)).json().status).toBe('INACTIVE');
  });

  it('shows another platform’s account and cards as 404, and answers a bad identifier with 400', async () => {
    // globex's acct-1 is its own: no cards, no deposits, a zero balance.
    const own = (await zed.get('/accounts/acct-1')).json();
    expect(own).toMatchObject({ account: { accountIdentifier: 'acct-1', customerIdentifier: 'cust-g', balanceCents: 0 }, cards: [], deposits: [] });
    expect((await zed.get('/accounts')).json().customers.map((c: { customerIdentifier: string }) => c.customerIdentifier)).toStrictEqual(['cust-g']);
    for (const [send, status, expected] of [
      [() => ann.get('/accounts/acct-none'), 404, { error: 'not_found', message: 'Account acct-none was not found' }],
      [() => zed.post('/accounts/acct-1/deposits', { creditCardToken: visaToken, amountCents: 100 }), 404, { error: 'not_found', message: `Credit card ${visaToken} of account acct-1 (customer cust-g) was not found` }],
      [() => zed.post(`/accounts/acct-1/cards/${visaToken}/unregister`), 404, { error: 'not_found', message: `Credit card ${visaToken} of account acct-1 (customer cust-g) was not found` }],
      [() => ann.get('/accounts/Not%20An%20Id'), 400, { error: 'invalid_input', message: 'The path parameter "accountIdentifier" must use only lowercase letters, digits, ".", "_" and "-"' }],
      [() => ann.post('/accounts/acct-1/cards/not-a-token/unregister'), 400, { error: 'invalid_input', message: 'The path parameter "cardToken" is not a valid card token' }],
    ] as const) {
      const response = await send();
      expect({ status: response.statusCode, json: response.json() }).toStrictEqual({ status, json: expected });
    }
    expect((await ann.get('/accounts/acct-1')).json().account.balanceCents).toBe(10_117);
    expect((await get(app, `/raas/v2/creditCards/${visaToken}`, acmeBasic)).json().status).toBe('ACTIVE');
  });

  it('records every card and deposit in the audit log with the portal user as the actor, the chain intact', async () => {
    const platform = (await services.platforms.findByName('acme'))!;
    const entries = (await services.auditLog.chain(platform.id)).filter((e) => ['register_card', 'unregister_card', 'deposit'].includes(e.action));
    expect(entries.map((e) => [e.action, e.actor, e.source_address, e.user_agent, e.outcome])).toStrictEqual(
      [
        ['register_card', visaToken],
        ['register_card', mastercardToken],
        ['deposit', depositId],
        ['deposit', expect.stringMatching(DEPOSIT_ID)],
        ['register_card', expect.stringMatching(TOKEN)],
        ['unregister_card', expect.stringMatching(TOKEN)],
        ['deposit', expect.stringMatching(DEPOSIT_ID)],
        ['unregister_card', mastercardToken],
      ].map(([action]) => [action, 'ann@acme.example', '127.0.0.1', 'portal-test', 'success']),
    );
    expect(entries.map((e) => e.target_id).slice(0, 3)).toStrictEqual([visaToken, mastercardToken, depositId]);
    // A member reads them in the portal's Audit Log.
    const listed = (await bob.get('/audit?action=deposit')).json().entries;
    expect(listed.map((e: { actor: string; targetId: string }) => [e.actor, e.targetId]).at(-1)).toStrictEqual(['ann@acme.example', depositId]);
    expect(await verifyAudit(services)).toMatchObject({ ok: true });
  });

  it('keeps card numbers out of every log line, every response and every store row', async () => {
    const { app: logged, log } = await appWithCapturedLog(services);
    try {
      const admin = new PortalBrowser(logged);
      expect((await admin.signIn('ann@acme.example')).statusCode).toBe(200);
      const numbers = ['5105105105105100', '378282246310005', DECLINED, '4111111111111112', '6011 1111 1111 1117'];
      const bodies: string[] = [];
      for (const number of numbers) bodies.push((await admin.post('/accounts/acct-1/cards', card(number, { securityCode: '987' }))).body);
      bodies.push((await admin.post('/accounts/acct-1/cards', { ...card(VISA), cardNumber: Number(MASTERCARD) })).body);
      bodies.push((await admin.get('/accounts/acct-1')).body);
      expect(log()).toContain('/portal/api/accounts/acct-1/cards');
      const digits = [...numbers, '6011111111111117', VISA, MASTERCARD, DECLINES_CHARGES];
      for (const number of digits) {
        expect(log()).not.toContain(number);
        for (const body of bodies) expect(body).not.toContain(number);
      }

      const { dump } = await dumpStore(services);
      expect(dump).toContain('"last_four":"5100"');
      for (const number of digits) expect(dump).not.toContain(number);
    } finally {
      await logged.close();
    }
  });
});
