import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/audit/verify-audit.js';
import { rewardCredentials } from '../../src/orders/reward-credentials.js';
import type { Services } from '../../src/services.js';
import { startDeployment } from '../support/bootstrap.js';
import { HOUR, STORE_KINDS, type TestEnvironment } from '../support/services.js';
import { expectTangoView, expectTangoViews } from '../support/tango-reference.js';
import { expectEnvelope, get, openAccount, postJson, type Tenant } from '../support/tenants.js';

const NOW = '2026-11-28T12:00:00.000Z';
const REFERENCE_ORDER_ID = /^RA261128-\d{6}-\d{6}$/;

/** The criteria of an order from acct-1 of cust-1, emailed to Jamie Lee. */
function criteria(overrides: Record<string, unknown> = {}) {
  return {
    customerIdentifier: 'cust-1',
    accountIdentifier: 'acct-1',
    utid: 'U561593',
    amount: 25,
    sendEmail: true,
    recipient: { email: 'jamie@example.com', firstName: 'Jamie', lastName: 'Lee' },
    sender: { firstName: 'Acme', lastName: 'Rewards', email: 'rewards@acme.example' },
    message: 'Thank you!',
    ...overrides,
  };
}

describe.each(STORE_KINDS)('orders on /raas/v2 (%s)', (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;
  let acme: Tenant;
  let globex: Tenant;
  let accountNumber: string;
  let firstOrder: Record<string, unknown>;

  const balance = async (tenant: Tenant = acme) => (await get(app, '/raas/v2/accounts/acct-1', tenant.basic)).json().currentBalance;
  const order = (authorization: string, body: unknown) => postJson(app, '/raas/v2/orders', authorization, body);
  const instructions = (utid: string) => services.catalog.findItem(utid)!.redemptionInstructions;
  const reward = (referenceOrderID: string, utid: string, at = NOW) => {
    const list = rewardCredentials(referenceOrderID, services.catalog.findItem(utid)!.credentialTypes, Date.parse(at));
    return { credentials: Object.fromEntries(list.map((c) => [c.label, c.value])), credentialList: list, redemptionInstructions: instructions(utid) };
  };

  beforeAll(async () => {
    ({ env, app, services, tenants: { acme, globex } } = await startDeployment({ store, tenants: ['acme', 'globex'] }));
    for (const tenant of [acme, globex]) {
      const opened = await openAccount(
        app,
        tenant.basic,
        { customerIdentifier: 'cust-1', displayName: 'Customer One' },
        { accountIdentifier: 'acct-1', displayName: 'Account One', contactEmail: 'ops@acme.example' },
      );
      if (tenant === acme) accountNumber = opened.accountNumber;
    }
    const card = await postJson(app, '/raas/v2/creditCards', acme.basic, {
      customerIdentifier: 'cust-1',
      accountIdentifier: 'acct-1',
      label: 'Corporate card',
      ipAddress: '203.0.113.10',
      creditCard: { number: '4111111111111111', expiration: '2030-12', verificationNumber: '123' },
      billingAddress: { firstName: 'A', lastName: 'D', addressLine1: '1 Main St', city: 'Seattle', state: 'WA', postalCode: '98101', country: 'US', emailAddress: 'b@acme.example' },
    });
    expect(card.statusCode, card.body).toBe(201);
    const deposit = await postJson(app, '/raas/v2/creditCardDeposits', acme.basic, { customerIdentifier: 'cust-1', accountIdentifier: 'acct-1', creditCardToken: card.json().token, amount: 100 });
    expect(deposit.statusCode, deposit.body).toBe(200);
    expect(await balance()).toBe(100);
  });
  afterAll(async () => env?.close());

  it('places an order with Basic (201, OrderViewSummary): the reward, and the balance down by exactly its amount', async () => {
    const placed = await order(acme.basic, criteria({ externalRefID: 'ext-1', notes: 'first', campaign: 'q4', emailSubject: 'For you' }));
    expect(placed.statusCode, placed.body).toBe(201);
    expect(placed.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const id = placed.json().referenceOrderID as string;
    expect(id).toMatch(REFERENCE_ORDER_ID);
    firstOrder = placed.json();
    expect(firstOrder).toStrictEqual({
      referenceOrderID: id,
      customerIdentifier: 'cust-1',
      accountIdentifier: 'acct-1',
      amountCharged: { value: 25, currencyCode: 'USD', exchangeRate: 1, fee: 0, total: 25 },
      denomination: { value: 25, currencyCode: 'USD', exchangeRate: 1 },
      utid: 'U561593',
      rewardName: 'Amazon.com Gift Card',
      sendEmail: true,
      status: 'COMPLETE',
      campaign: 'q4',
      emailSubject: 'For you',
      message: 'Thank you!',
      recipient: { email: 'jamie@example.com', firstName: 'Jamie', lastName: 'Lee' },
      sender: { firstName: 'Acme', lastName: 'Rewards', email: 'rewards@acme.example' },
      createdAt: NOW,
      externalRefID: 'ext-1',
      reward: reward(id, 'U561593'),
      redemptionInstructions: instructions('U561593'),
    });
    expect(instructions('U561593')).not.toBe('');
    // Amazon.com has a claim code and no PIN.
    expect(Object.keys((firstOrder.reward as { credentials: object }).credentials)).toEqual(['Claim Code']);
    expect((firstOrder.reward as { credentials: Record<string, string> }).credentials['Claim Code']).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{6}-[A-Z2-9]{4}$/);
    expectTangoView(firstOrder, 'OrderViewSummary');
    expect(await balance()).toBe(75);
  });

  it('reads the order back with Bearer and with Basic (OrderViewVerbose): the same reward on every read', async () => {
    const id = firstOrder.referenceOrderID as string;
    for (const authorization of [acme.bearer, acme.basic]) {
      const read = await get(app, `/raas/v2/orders/${id}`, authorization);
      expect(read.statusCode, read.body).toBe(200);
      const { redemptionInstructions: _r, ...summary } = firstOrder;
      expect(read.json()).toStrictEqual({ ...summary, accountNumber, etid: '', notes: 'first' });
      expectTangoView(read.json(), 'OrderViewVerbose');
    }
    // Another platform's order is not found; neither is an unknown one.
    for (const [tenant, url] of [
      [globex, `/raas/v2/orders/${id}`],
      [acme, '/raas/v2/orders/RA261128-000000-000000'],
    ] as const) {
      expectEnvelope(await get(app, url, tenant.basic), env.clock, { status: 404, path: url, message: `Order ${url.split('/').pop()} was not found`, i18nKey: 'error.notFound' });
    }
  });

  it('gives a PIN where the brand has one, and converts another currency at the seed rate, exactly', async () => {
    const starbucks = await order(acme.bearer, criteria({ utid: 'U857123', amount: 10, sendEmail: false, recipient: undefined, sender: undefined, message: undefined }));
    expect(starbucks.statusCode, starbucks.body).toBe(201);
    const starbucksId = starbucks.json().referenceOrderID as string;
    expect(starbucks.json()).toStrictEqual({
      referenceOrderID: starbucksId,
      customerIdentifier: 'cust-1',
      accountIdentifier: 'acct-1',
      amountCharged: { value: 10, currencyCode: 'USD', exchangeRate: 1, fee: 0, total: 10 },
      denomination: { value: 10, currencyCode: 'USD', exchangeRate: 1 },
      utid: 'U857123',
      rewardName: services.catalog.findItem('U857123')!.rewardName,
      sendEmail: false,
      status: 'COMPLETE',
      campaign: '',
      emailSubject: `You have received a reward: ${services.catalog.findItem('U857123')!.rewardName}`,
      message: '',
      recipient: {},
      sender: {},
      createdAt: NOW,
      externalRefID: '',
      reward: reward(starbucksId, 'U857123'),
      redemptionInstructions: instructions('U857123'),
    });
    const credentials = starbucks.json().reward.credentials as Record<string, string>;
    expect(Object.keys(credentials)).toEqual(['Card Number', 'PIN']);
    expect(credentials['Card Number']).toMatch(/^\d{16}$/);
    expect(credentials.PIN).toMatch(/^\d{4}$/);
    expectTangoView(starbucks.json(), 'OrderViewSummary');
    expect(await balance()).toBe(65);

    // 10.00 CAD at USD→CAD 1.3599 is 7.3535… USD: 7.35 charged, rounded once.
    const timHortons = await order(acme.basic, criteria({ utid: 'U376420', amount: 10 }));
    expect(timHortons.statusCode, timHortons.body).toBe(201);
    expect(timHortons.json()).toMatchObject({
      amountCharged: { value: 7.35, currencyCode: 'USD', exchangeRate: 1.3599, fee: 0, total: 7.35 },
      denomination: { value: 10, currencyCode: 'CAD', exchangeRate: 1.3599 },
    });
    expectTangoView(timHortons.json(), 'OrderViewSummary');
    expect(await balance()).toBe(57.65);
  });

  it('refuses with Tango’s envelope: unknown utid, amounts the item does not take, no recipient, another platform’s account, an unknown etid', async () => {
    const path = '/raas/v2/orders';
    const cases: Array<[Record<string, unknown>, number, string, string]> = [
      [{ utid: 'U000000' }, 400, 'There is no reward with the utid U000000 in the catalog: GET /catalogs lists them', 'error.order.unknownUtid'],
      [{ amount: 2000.01 }, 400, 'The amount 2000.01 is outside the range 0.01 USD to 2000 USD of U561593', 'error.order.invalidAmount'],
      [{ amount: 0.001 }, 400, 'The amount 0.001 has more decimals than USD has', 'error.order.invalidAmount'],
      [{ utid: 'U857123', amount: 11 }, 400, 'The amount 11 is not the face value 10 USD of U857123', 'error.order.invalidAmount'],
      [{ recipient: { email: 'jamie@example.com' } }, 400, "The recipient's email and firstName are required when sendEmail is true", 'error.badRequest'],
      [{ accountIdentifier: 'acct-2' }, 404, 'Account acct-2 of customer cust-1 was not found', 'error.notFound'],
      [{ etid: 'E000042' }, 404, 'Email template E000042 was not found', 'error.notFound'],
    ];
    for (const [overrides, status, message, i18nKey] of cases) {
      expectEnvelope(await order(acme.basic, criteria(overrides)), env.clock, { status, path, message, i18nKey });
    }
    // globex's acct-1 is its own, unfunded: acme's money is not in it.
    expectEnvelope(await order(globex.basic, criteria()), env.clock, {
      status: 402,
      path,
      message: 'The balance of account acct-1 does not cover this order',
      i18nKey: 'error.order.insufficientFunds',
    });
    expect(await balance()).toBe(57.65);
    expect(await balance(globex)).toBe(0);
  });

  it('refuses an order the balance does not cover (402, error.order.insufficientFunds), and charges nothing', async () => {
    expectEnvelope(await order(acme.bearer, criteria({ amount: 57.66, externalRefID: 'too-much' })), env.clock, {
      status: 402,
      path: '/raas/v2/orders',
      message: 'The balance of account acct-1 does not cover this order',
      i18nKey: 'error.order.insufficientFunds',
    });
    expect(await balance()).toBe(57.65);
    // The refused externalRefID was not taken: the same id places an order that fits.
    const fits = await order(acme.bearer, criteria({ amount: 7.65, externalRefID: 'too-much' }));
    expect(fits.statusCode, fits.body).toBe(201);
    expect(await balance()).toBe(50);
  });

  it('is idempotent on externalRefID: the same criteria return the first order and charge nothing; other criteria are a 409', async () => {
    const again = await order(acme.bearer, criteria({ externalRefID: 'ext-1', notes: 'first', campaign: 'q4', emailSubject: 'For you' }));
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json()).toStrictEqual(firstOrder);
    expect(await balance()).toBe(50);
    expectEnvelope(await order(acme.basic, criteria({ externalRefID: 'ext-1', amount: 30 })), env.clock, {
      status: 409,
      path: '/raas/v2/orders',
      message: 'An order with the externalRefID ext-1 exists already, with other criteria: use another externalRefID',
      i18nKey: 'error.order.duplicateExternalRefID',
    });
    expect(await balance()).toBe(50);
    // The externalRefID is the platform's own: globex may use ext-1 too (and is refused for its balance only).
    expect((await order(globex.basic, criteria({ externalRefID: 'ext-1' }))).statusCode).toBe(402);
  });

  it('lists orders newest first with every filter of the reference and Tango’s paging (OrderListView)', async () => {
    env.clock.advance(20 * HOUR); // 2026-11-29T08:00Z, inside the tokens' 24 hours
    const later = await order(acme.basic, criteria({ amount: 5, externalRefID: 'ext-later', notes: 'later' }));
    expect(later.statusCode, later.body).toBe(201);
    const laterId = later.json().referenceOrderID as string;

    const all = await get(app, '/raas/v2/orders', acme.bearer);
    expect(all.statusCode, all.body).toBe(200);
    expectTangoView(all.json(), 'OrderListView');
    expectTangoViews(all.json().orders, 'OrderListItemView');
    expect(all.json().page).toStrictEqual({ elementsPerBlock: 10, number: 0, resultCount: 5, totalCount: 5 });
    expect(all.json().orders[0]).toStrictEqual({
      referenceOrderID: laterId,
      customerIdentifier: 'cust-1',
      accountIdentifier: 'acct-1',
      accountNumber,
      amountCharged: { value: 5, currencyCode: 'USD', exchangeRate: 1, fee: 0, total: 5 },
      denomination: { value: 5, currencyCode: 'USD', exchangeRate: 1 },
      utid: 'U561593',
      rewardName: 'Amazon.com Gift Card',
      sendEmail: true,
      status: 'COMPLETE',
      campaign: '',
      emailSubject: 'You have received a reward: Amazon.com Gift Card',
      message: 'Thank you!',
      recipient: { email: 'jamie@example.com', firstName: 'Jamie', lastName: 'Lee' },
      sender: { firstName: 'Acme', lastName: 'Rewards', email: 'rewards@acme.example' },
      createdAt: '2026-11-29T08:00:00.000Z',
      etid: '',
      notes: 'later',
      externalRefID: 'ext-later',
    });

    const ids = async (query: string, tenant = acme) => {
      const response = await get(app, `/raas/v2/orders?${query}`, tenant.basic);
      expect(response.statusCode, response.body).toBe(200);
      expectTangoView(response.json(), 'OrderListView');
      return { ids: (response.json().orders as Array<{ referenceOrderID: string }>).map((o) => o.referenceOrderID), page: response.json().page };
    };
    expect((await ids('externalRefID=ext-1')).ids).toEqual([firstOrder.referenceOrderID]);
    expect((await ids('accountIdentifier=acct-1&customerIdentifier=cust-1')).page.totalCount).toBe(5);
    expect((await ids('accountIdentifier=acct-2')).ids).toEqual([]);
    expect((await ids('customerIdentifier=cust-2')).ids).toEqual([]);
    expect((await ids('startDate=2026-11-29')).ids).toEqual([laterId]);
    expect((await ids('startDate=2026-11-29T08:00:00Z')).ids).toEqual([laterId]);
    expect((await ids('endDate=2026-11-28')).page.totalCount).toBe(4);
    expect((await ids('endDate=2026-11-29T07:59:59Z')).page.totalCount).toBe(4);
    expect((await ids('startDate=2026-11-28&endDate=2026-11-29')).page.totalCount).toBe(5);
    // The reference's id, name and identityHash are accepted and filter nothing.
    expect((await ids('id=1&name=x&identityHash=y')).page.totalCount).toBe(5);
    const second = await ids('elementsPerBlock=2&page=1');
    expect(second.page).toStrictEqual({ elementsPerBlock: 2, number: 1, resultCount: 2, totalCount: 5 });
    const pages = [...(await ids('elementsPerBlock=2&page=0')).ids, ...second.ids, ...(await ids('elementsPerBlock=2&page=2')).ids];
    expect(pages).toEqual((all.json().orders as Array<{ referenceOrderID: string }>).map((o) => o.referenceOrderID));
    expect(pages[0]).toBe(laterId);
    // (The first four share one frozen moment: among them the order is the reference ids', newest first.)
    expect(await ids('', globex)).toStrictEqual({ ids: [], page: { elementsPerBlock: 10, number: 0, resultCount: 0, totalCount: 0 } });

    for (const [query, message] of [
      ['startDate=2026-02-30', 'The startDate must be a date or date time according to RFC 3339, e.g. 2016-01-01 or 2016-01-01T00:00:00Z'],
      ['endDate=yesterday', 'The endDate must be a date or date time according to RFC 3339, e.g. 2016-01-01 or 2016-01-01T00:00:00Z'],
      ['startDate=2026-12-01&endDate=2026-11-01', 'The startDate must not be after the endDate'],
    ] as const) {
      expectEnvelope(await get(app, `/raas/v2/orders?${query}`, acme.basic), env.clock, { status: 400, path: '/raas/v2/orders', message, i18nKey: 'error.badRequest' });
    }
  });

  it('records resends (201, ResendView): to the recipient, or to a new email; an unknown order is a 404', async () => {
    const id = firstOrder.referenceOrderID as string;
    const url = `/raas/v2/orders/${id}/resends`;
    const toRecipient = await postJson(app, url, acme.basic, {});
    expect({ status: toRecipient.statusCode, body: toRecipient.json() }).toStrictEqual({ status: 201, body: { id: 1, email: 'jamie@example.com', createdAt: '2026-11-29T08:00:00.000Z' } });
    expectTangoView(toRecipient.json(), 'ResendView');
    const toNew = await postJson(app, url, acme.bearer, { newEmail: 'jamie@example.org' });
    expect({ status: toNew.statusCode, body: toNew.json() }).toStrictEqual({ status: 201, body: { id: 2, email: 'jamie@example.org', createdAt: '2026-11-29T08:00:00.000Z' } });
    expectTangoView(toNew.json(), 'ResendView');
    // The reference's body is optional: no body at all resends to the recipient.
    const noBody = await app.inject({ method: 'POST', url, headers: { authorization: acme.basic } });
    expect({ status: noBody.statusCode, body: noBody.json() }).toStrictEqual({ status: 201, body: { id: 3, email: 'jamie@example.com', createdAt: '2026-11-29T08:00:00.000Z' } });
    expectEnvelope(await postJson(app, url, globex.basic, {}), env.clock, { status: 404, path: url, message: `Order ${id} was not found`, i18nKey: 'error.notFound' });
    expectEnvelope(await postJson(app, url, acme.basic, { newEmail: 'not an email' }), env.clock, {
      status: 400,
      path: url,
      message: 'The request is not valid: see errors for each field',
      i18nKey: 'error.validation',
      errors: [{ path: 'newEmail', message: 'must be a well-formed email address', invalidValue: 'not an email', constraint: 'Email', i18nKey: 'validation.email' }],
    });
  });

  it('answers 405 with Allow for the other methods, and 401 without credentials', async () => {
    const put = await app.inject({ method: 'PUT', url: '/raas/v2/orders', headers: { authorization: acme.basic } });
    expect({ status: put.statusCode, allow: put.headers.allow }).toEqual({ status: 405, allow: 'GET, POST, HEAD' });
    const del = await app.inject({ method: 'DELETE', url: `/raas/v2/orders/${firstOrder.referenceOrderID as string}` });
    expect({ status: del.statusCode, allow: del.headers.allow }).toEqual({ status: 405, allow: 'GET, HEAD' });
    const getResends = await app.inject({ method: 'GET', url: `/raas/v2/orders/${firstOrder.referenceOrderID as string}/resends` });
    expect({ status: getResends.statusCode, allow: getResends.headers.allow }).toEqual({ status: 405, allow: 'POST' });
    expect((await get(app, '/raas/v2/orders')).statusCode).toBe(401);
  });

  it('records every order and resend in the audit log, by the credential that acted, in an intact chain', async () => {
    const platform = (await services.platforms.findByName('acme'))!;
    const entries = (await services.auditLog.chain(platform.id)).filter((e) => ['place_order', 'resend_order'].includes(e.action));
    expect(entries.map((e) => [e.action, e.actor])).toEqual([
      ['place_order', acme.apiKeyId],
      ['place_order', acme.clientId],
      ['place_order', acme.apiKeyId],
      ['place_order', acme.clientId],
      ['place_order', acme.apiKeyId],
      ['resend_order', acme.apiKeyId],
      ['resend_order', acme.clientId],
      ['resend_order', acme.apiKeyId],
    ]);
    expect(await verifyAudit(services)).toMatchObject({ ok: true });
  });

  it('charges the item’s fee on top of its value (the seed’s Visa card, 2.5 %): in the view, and off the balance', async () => {
    expect(await balance()).toBe(45);
    // 2.5 % of 10.10 USD is 25.25 ¢: 0.25 charged on top, 10.35 off the balance.
    const visa = await order(acme.basic, criteria({ utid: 'U247896', amount: 10.1, externalRefID: 'ext-fee' }));
    expect(visa.statusCode, visa.body).toBe(201);
    expect(visa.json()).toMatchObject({ amountCharged: { value: 10.1, currencyCode: 'USD', exchangeRate: 1, fee: 0.25, total: 10.35 }, denomination: { value: 10.1, currencyCode: 'USD', exchangeRate: 1 } });
    expectTangoView(visa.json(), 'OrderViewSummary');
    expect(await balance()).toBe(34.65);
    const id = visa.json().referenceOrderID as string;
    expect((await get(app, `/raas/v2/orders/${id}`, acme.bearer)).json().amountCharged).toStrictEqual({ value: 10.1, currencyCode: 'USD', exchangeRate: 1, fee: 0.25, total: 10.35 });
    expect((await get(app, '/raas/v2/orders?externalRefID=ext-fee', acme.basic)).json().orders[0].amountCharged.total).toBe(10.35);
    // The balance covers the value (34) but not the value and its fee (34.85): refused, nothing charged.
    expectEnvelope(await order(acme.basic, criteria({ utid: 'U247896', amount: 34 })), env.clock, {
      status: 402,
      path: '/raas/v2/orders',
      message: 'The balance of account acct-1 does not cover this order',
      i18nKey: 'error.order.insufficientFunds',
    });
    expect(await balance()).toBe(34.65);
  });
});
