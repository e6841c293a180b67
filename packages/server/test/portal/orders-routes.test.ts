import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/audit/verify-audit.js';
import { rewardCredentials } from '../../src/orders/reward-credentials.js';
import type { Services } from '../../src/services.js';
import { startDeployment } from '../support/bootstrap.js';
import { appWithCapturedLog } from '../support/captured-log.js';
import { acmeAndGlobex, PASSWORD, PortalBrowser } from '../support/portal.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';
import { get, openAccount, postJson } from '../support/tenants.js';

const NOW = '2026-11-28T12:00:00.000Z';
/** The three orders' times: two days ago, yesterday, now (the frozen clock's). */
const TIMES = ['2026-11-26T09:00:00.000Z', '2026-11-27T10:00:00.000Z', NOW] as const;
const AMAZON = 'U561593';
const AMAZON_UK = 'U139281';
/** A card number, a PIN and a barcode link. */
const TARGET = 'U329654';
const UTIDS = [AMAZON, TARGET, AMAZON_UK];

type RaasOrder = {
  referenceOrderID: string;
  amountCharged: { value: number; fee: number; total: number; currencyCode: string; exchangeRate: number };
  denomination: { value: number; currencyCode: string };
};

describe.each(STORE_KINDS)('the portal Orders routes on %s', (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;
  /** acme's admin, acme's member, and globex's admin. */
  let ann: PortalBrowser;
  let bob: PortalBrowser;
  let zed: PortalBrowser;
  let acmeBasic: string;
  let globexBasic: string;
  const accountNumbers: Record<string, string> = {};
  /** acme's orders as the RaaS API answered them, oldest first. */
  const placed: RaasOrder[] = [];
  let globexOrder: string;

  const cents = (value: number) => Math.round(value * 100);
  /** The portal's line for acme's order `i`, from what the RaaS API answered for it. */
  const line = (i: number) => {
    const order = placed[i]!;
    const shape = [
      { accountIdentifier: 'acct-1', customerIdentifier: 'cust-1', utid: AMAZON, rewardName: 'Amazon.com Gift Card', brandName: 'Amazon.com', externalRefID: 'ext-1', sendEmail: true, recipientEmail: 'jamie@example.com' },
      { accountIdentifier: 'acct-2', customerIdentifier: 'cust-2', utid: TARGET, rewardName: 'Target eGiftCard', brandName: 'Target', externalRefID: null, sendEmail: false, recipientEmail: null },
      { accountIdentifier: 'acct-1', customerIdentifier: 'cust-1', utid: AMAZON_UK, rewardName: 'Amazon.co.uk Gift Card', brandName: 'Amazon.co.uk', externalRefID: 'ext-3', sendEmail: false, recipientEmail: null },
    ][i]!;
    return {
      referenceOrderID: order.referenceOrderID,
      externalRefID: shape.externalRefID,
      customerIdentifier: shape.customerIdentifier,
      accountIdentifier: shape.accountIdentifier,
      accountNumber: accountNumbers[shape.accountIdentifier],
      utid: shape.utid,
      rewardName: shape.rewardName,
      brandName: shape.brandName,
      faceValueMinor: cents(order.denomination.value),
      faceValueCurrencyCode: order.denomination.currencyCode,
      amountMinor: cents(order.amountCharged.value),
      feeMinor: cents(order.amountCharged.fee),
      totalMinor: cents(order.amountCharged.total),
      currencyCode: 'USD',
      exchangeRate: String(order.amountCharged.exchangeRate),
      status: 'complete',
      sendEmail: shape.sendEmail,
      recipientEmail: shape.recipientEmail,
      createdAt: TIMES[i],
    };
  };
  const page = (number: number, elementsPerBlock: number, resultCount: number, totalCount: number) => ({ elementsPerBlock, number, resultCount, totalCount });
  const codesOf = (i: number) => rewardCredentials(placed[i]!.referenceOrderID, services.catalog.findItem(UTIDS[i]!)!.credentialTypes, Date.parse(TIMES[i]!));

  beforeAll(async () => {
    ({ env, app, services } = await startDeployment({ store }));
    ({ ann, bob, zed, acmeBasic, globexBasic } = await acmeAndGlobex(app, services));
    for (const [customer, account] of [
      ['cust-1', 'acct-1'],
      ['cust-2', 'acct-2'],
    ]) {
      const opened = await openAccount(app, acmeBasic, { customerIdentifier: customer!, displayName: customer! }, { accountIdentifier: account!, displayName: account!, contactEmail: 'ops@acme.example' });
      accountNumbers[account!] = opened.accountNumber;
      const card = await ann.post(`/accounts/${account}/cards`, { label: 'Finance', cardNumber: '4111111111111111', expiration: '2030-12', securityCode: '123' });
      expect(card.statusCode, card.body).toBe(201);
      expect((await ann.post(`/accounts/${account}/deposits`, { creditCardToken: card.json().token, amountCents: 50_000 })).statusCode).toBe(201);
    }
    // Orders come from the RaaS API (the portal only reads and resends them), on three days.
    const bodies = [
      { customerIdentifier: 'cust-1', accountIdentifier: 'acct-1', utid: AMAZON, amount: 25, sendEmail: true, externalRefID: 'ext-1', recipient: { email: 'jamie@example.com', firstName: 'Jamie', lastName: 'Lee' }, message: 'Thank you!' },
      { customerIdentifier: 'cust-2', accountIdentifier: 'acct-2', utid: TARGET, amount: 10, sendEmail: false },
      { customerIdentifier: 'cust-1', accountIdentifier: 'acct-1', utid: AMAZON_UK, amount: 10, sendEmail: false, externalRefID: 'ext-3', campaign: 'q4', notes: 'UK team' },
    ];
    try {
      for (const [i, body] of bodies.entries()) {
        env.clock.current = Date.parse(TIMES[i]!);
        const response = await postJson(app, '/raas/v2/orders', acmeBasic, body);
        expect(response.statusCode, response.body).toBe(201);
        placed.push(response.json());
      }
    } finally {
      env.clock.current = Date.parse(NOW);
    }
    await openAccount(app, globexBasic, { customerIdentifier: 'cust-1', displayName: 'G' }, { accountIdentifier: 'acct-1', displayName: 'G', contactEmail: 'g@globex.example' });
    const card = await zed.post('/accounts/acct-1/cards', { label: 'G', cardNumber: '4111111111111111', expiration: '2030-12', securityCode: '123' });
    await zed.post('/accounts/acct-1/deposits', { creditCardToken: card.json().token, amountCents: 5_000 });
    const other = await postJson(app, '/raas/v2/orders', globexBasic, { customerIdentifier: 'cust-1', accountIdentifier: 'acct-1', utid: AMAZON, amount: 5, sendEmail: false, externalRefID: 'ext-1' });
    expect(other.statusCode, other.body).toBe(201);
    globexOrder = other.json().referenceOrderID;
  });
  afterAll(async () => env?.close());

  it('lists the platform’s orders newest first with Tango’s paging, for a member as for an admin, and none when there is none', async () => {
    const fresh = new PortalBrowser(app);
    await fresh.signUp('new@initech.example', 'initech');
    expect((await fresh.get('/orders')).json()).toStrictEqual({ orders: [], page: page(0, 10, 0, 0) });

    for (const who of [ann, bob]) {
      const response = await who.get('/orders');
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.json()).toStrictEqual({ orders: [line(2), line(1), line(0)], page: page(0, 10, 3, 3) });
    }
    // The face value in the item's currency; the charge converted to the account's, exactly as the RaaS API says.
    expect(line(2)).toMatchObject({ faceValueMinor: 1000, faceValueCurrencyCode: 'GBP' });
    expect(line(0)).toMatchObject({ faceValueMinor: 2500, faceValueCurrencyCode: 'USD', amountMinor: 2500 });

    expect((await ann.get('/orders?elementsPerBlock=2')).json()).toStrictEqual({ orders: [line(2), line(1)], page: page(0, 2, 2, 3) });
    expect((await ann.get('/orders?elementsPerBlock=2&page=1')).json()).toStrictEqual({ orders: [line(0)], page: page(1, 2, 1, 3) });
    expect((await ann.get('/orders?elementsPerBlock=2&page=5')).json()).toStrictEqual({ orders: [], page: page(5, 2, 0, 3) });
    expect((await app.inject({ method: 'GET', url: '/portal/api/orders' })).json()).toStrictEqual({ error: 'unauthenticated', message: 'Sign in to continue' });
  });

  it('filters as the RaaS GET /orders does: account, customer, externalRefID, dates (a date is its whole UTC day)', async () => {
    for (const [query, expected] of [
      ['accountIdentifier=acct-1', [2, 0]],
      ['accountIdentifier=acct-2', [1]],
      ['customerIdentifier=cust-2', [1]],
      ['customerIdentifier=cust-1&accountIdentifier=acct-2', []],
      ['externalRefID=ext-3', [2]],
      ['externalRefID=ext-9', []],
      ['startDate=2026-11-27', [2, 1]],
      ['endDate=2026-11-27', [1, 0]],
      ['startDate=2026-11-27&endDate=2026-11-27', [1]],
      ['startDate=2026-11-26T09:00:00Z&endDate=2026-11-26T09:00:00Z', [0]],
      ['startDate=2026-11-26T09:00:01Z', [2, 1]],
      ['accountIdentifier=acct-1&startDate=2026-11-28', [2]],
    ] as const) {
      const response = await bob.get(`/orders?${query}`);
      expect({ query, status: response.statusCode, body: response.json() }).toStrictEqual({
        query,
        status: 200,
        body: { orders: expected.map(line), page: page(0, 10, expected.length, expected.length) },
      });
    }
  });

  it('refuses bad filters and paging with 400 in plain words', async () => {
    for (const [query, message] of [
      ['startDate=yesterday', 'The startDate must be a date or date time according to RFC 3339, e.g. 2016-01-01 or 2016-01-01T00:00:00Z'],
      ['endDate=2026-02-30', 'The endDate must be a date or date time according to RFC 3339, e.g. 2016-01-01 or 2016-01-01T00:00:00Z'],
      ['startDate=2026-11-28&endDate=2026-11-27', 'The startDate must not be after the endDate'],
      ['elementsPerBlock=0', 'The query parameter "elementsPerBlock" must be from 1 to 100'],
      ['elementsPerBlock=101', 'The query parameter "elementsPerBlock" must be from 1 to 100'],
      ['page=-1', 'The query parameter "page" must be a whole number'],
      ['page=x', 'The query parameter "page" must be a whole number'],
      ['accountIdentifier=Not%20An%20Id', 'The query parameter "accountIdentifier" must use only lowercase letters, digits, ".", "_" and "-"'],
      ['status=complete', 'The query parameter "status" is not expected here'],
    ] as const) {
      const response = await ann.get(`/orders?${query}`);
      expect({ query, status: response.statusCode, body: response.json() }).toStrictEqual({ query, status: 400, body: { error: 'invalid_input', message } });
    }
  });

  it('shows one order with its reward: the redemption URL, the expiry and the instructions, every code masked, for a member as for an admin', async () => {
    const codes = codesOf(0);
    const item = services.catalog.findItem(AMAZON)!;
    for (const who of [ann, bob]) {
      const response = await who.get(`/orders/${placed[0]!.referenceOrderID}`);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toStrictEqual({
        order: {
          ...line(0),
          recipient: { email: 'jamie@example.com', firstName: 'Jamie', lastName: 'Lee' },
          sender: { email: null, firstName: null, lastName: null },
          message: 'Thank you!',
          notes: '',
          campaign: '',
          emailSubject: 'You have received a reward: Amazon.com Gift Card',
          etid: '',
        },
        reward: {
          redemptionInstructions: item.redemptionInstructions,
          credentials: codes.map(({ label, type, credentialType, value }) =>
            ['redemptionUrl', 'expirationDate'].includes(credentialType)
              ? { label, type, credentialType, masked: false, value, lastFour: null }
              : { label, type, credentialType, masked: true, value: null, lastFour: ['cardNumber', 'cardCode', 'claimCode'].includes(credentialType) ? value.slice(-4) : null },
          ),
        },
      });
      for (const { credentialType, value } of codes) if (!['redemptionUrl', 'expirationDate'].includes(credentialType)) expect(response.body).not.toContain(value);
    }
    expect(codes.map((c) => c.credentialType)).toStrictEqual(['claimCode']);
    // A card number keeps its last four; a PIN and a barcode link (which encodes the number) show nothing; an expiry shows.
    const [target, uk] = [codesOf(1), codesOf(2)];
    expect((await bob.get(`/orders/${placed[1]!.referenceOrderID}`)).json().reward.credentials).toStrictEqual([
      { label: 'Card Number', type: 'text', credentialType: 'cardNumber', masked: true, value: null, lastFour: target[0]!.value.slice(-4) },
      { label: 'PIN', type: 'text', credentialType: 'pin', masked: true, value: null, lastFour: null },
      { label: 'Barcode URL', type: 'url', credentialType: 'barcodeUrl', masked: true, value: null, lastFour: null },
    ]);
    expect((await bob.get(`/orders/${placed[2]!.referenceOrderID}`)).json().reward.credentials).toStrictEqual([
      { label: 'Card Number', type: 'text', credentialType: 'cardNumber', masked: true, value: null, lastFour: uk[0]!.value.slice(-4) },
      { label: 'Expiration Date', type: 'date', credentialType: 'expirationDate', masked: false, value: uk[1]!.value, lastFour: null },
    ]);
  });

  it('reveals the codes to an admin only (403 for a member), with a recent sign-in, recorded as reveal_reward', async () => {
    const id = placed[2]!.referenceOrderID;
    const member = await bob.post(`/orders/${id}/reward/reveal`);
    expect({ status: member.statusCode, json: member.json() }).toStrictEqual({ status: 403, json: { error: 'forbidden', message: 'Only an admin can reveal reward codes' } });

    const response = await ann.post(`/orders/${id}/reward/reveal`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.json()).toStrictEqual({ referenceOrderID: id, credentials: codesOf(2).map(({ label, type, credentialType, value }) => ({ label, type, credentialType, value })) });

    const platform = (await services.platforms.findByName('acme'))!;
    const entries = (await services.auditLog.chain(platform.id)).filter((e) => e.action === 'reveal_reward');
    expect(entries.map((e) => [e.actor, e.target_id, e.source_address, e.user_agent, e.outcome])).toStrictEqual([['ann@acme.example', id, '127.0.0.1', 'portal-test', 'success']]);
  });

  it('resends an order’s reward for an admin (201): to the recipient, or to a new email, recorded as resend_order by the user', async () => {
    const [first, second] = [placed[0]!.referenceOrderID, placed[1]!.referenceOrderID];
    const toRecipient = await ann.post(`/orders/${first}/resends`, {});
    expect(toRecipient.statusCode, toRecipient.body).toBe(201);
    expect(toRecipient.json()).toStrictEqual({ id: 1, email: 'jamie@example.com', createdAt: NOW });
    const elsewhere = await ann.post(`/orders/${second}/resends`, { newEmail: 'Lee@Example.com' });
    expect(elsewhere.statusCode, elsewhere.body).toBe(201);
    expect(elsewhere.json()).toStrictEqual({ id: 2, email: 'lee@example.com', createdAt: NOW });
    // The RaaS resend numbers after them: one sequence for the platform.
    const raas = await postJson(app, `/raas/v2/orders/${first}/resends`, acmeBasic, {});
    expect(raas.json()).toMatchObject({ id: 3, email: 'jamie@example.com' });

    for (const [body, id, message] of [
      [{}, second, `Order ${second} has no recipient email: give a newEmail to resend it to`],
      [{ newEmail: 'not an address' }, first, 'The email is not an address: use name@example.com'],
      [{ newEmail: 'a@b.example', cc: 'x' }, first, 'The field "cc" is not expected here'],
    ] as const) {
      const refused = await ann.post(`/orders/${id}/resends`, body);
      expect({ body, status: refused.statusCode, json: refused.json() }).toStrictEqual({ body, status: 400, json: { error: 'invalid_input', message } });
    }
    const member = await bob.post(`/orders/${first}/resends`, {});
    expect({ status: member.statusCode, json: member.json() }).toStrictEqual({ status: 403, json: { error: 'forbidden', message: 'Only an admin can resend rewards' } });

    const platform = (await services.platforms.findByName('acme'))!;
    const entries = (await services.auditLog.chain(platform.id)).filter((e) => e.action === 'resend_order');
    expect(entries.map((e) => [e.actor, e.target_id, e.outcome])).toStrictEqual([
      ['ann@acme.example', first, 'success'],
      ['ann@acme.example', second, 'success'],
      [expect.stringMatching(/^key_/), first, 'success'],
    ]);
    expect(await verifyAudit(services)).toMatchObject({ ok: true });
  });

  it('asks an admin for the password again after 5 minutes, and refuses a reveal or resend without the CSRF token', async () => {
    const id = placed[0]!.referenceOrderID;
    for (const url of [`/orders/${id}/reward/reveal`, `/orders/${id}/resends`]) {
      const csrf = await ann.post(url, {}, { 'x-csrf-token': 'not-the-token' });
      expect({ status: csrf.statusCode, json: csrf.json() }).toStrictEqual({ status: 403, json: { error: 'csrf', message: 'The X-CSRF-Token header is missing or does not match the session' } });
      const crossSite = await ann.post(url, {}, { origin: 'https://evil.example' });
      expect(crossSite.statusCode).toBe(403);
    }
    env.clock.advance(5 * 60_000 + 1_000);
    try {
      for (const url of [`/orders/${id}/reward/reveal`, `/orders/${id}/resends`]) {
        const response = await ann.post(url, {});
        expect({ status: response.statusCode, json: response.json() }).toStrictEqual({ status: 403, json: { error: 'reauthentication_required', message: 'Enter your password again to continue' } });
      }
      // Reading needs no recent sign-in.
      expect((await ann.get(`/orders/${id}`)).statusCode).toBe(200);
      expect((await ann.post('/session/reauth', { password: PASSWORD })).statusCode).toBe(200);
      expect((await ann.post(`/orders/${id}/reward/reveal`)).statusCode).toBe(200);
    } finally {
      env.clock.current = Date.parse(NOW);
    }
    // None of the refused ones was recorded: the two reveals and three resends so far, and this reveal.
    const platform = (await services.platforms.findByName('acme'))!;
    const actions = (await services.auditLog.chain(platform.id)).map((e) => e.action).filter((a) => a === 'reveal_reward' || a === 'resend_order');
    expect(actions).toStrictEqual(['reveal_reward', 'resend_order', 'resend_order', 'resend_order', 'reveal_reward']);
  });

  it('answers another platform’s order with 404, as a missing one, and lists only the platform’s own', async () => {
    const id = placed[0]!.referenceOrderID;
    for (const [send, expected] of [
      [() => zed.get(`/orders/${id}`), { error: 'not_found', message: `Order ${id} was not found` }],
      [() => zed.post(`/orders/${id}/reward/reveal`), { error: 'not_found', message: `Order ${id} was not found` }],
      [() => zed.post(`/orders/${id}/resends`, { newEmail: 'zed@globex.example' }), { error: 'not_found', message: `Order ${id} was not found` }],
      [() => ann.get(`/orders/${globexOrder}`), { error: 'not_found', message: `Order ${globexOrder} was not found` }],
      [() => ann.get('/orders/RA000000-000000-000000'), { error: 'not_found', message: 'Order RA000000-000000-000000 was not found' }],
    ] as const) {
      const response = await send();
      expect({ status: response.statusCode, json: response.json() }).toStrictEqual({ status: 404, json: expected });
    }
    const bad = await ann.get('/orders/RA%20x');
    expect({ status: bad.statusCode, json: bad.json() }).toStrictEqual({
      status: 400,
      json: { error: 'invalid_input', message: 'The path parameter "referenceOrderID" is not a reference order id, e.g. RA261128-482913-705118' },
    });
    // The same externalRefID on both platforms: each sees its own.
    expect((await zed.get('/orders?externalRefID=ext-1')).json().orders.map((o: { referenceOrderID: string }) => o.referenceOrderID)).toStrictEqual([globexOrder]);
    expect((await ann.get('/orders?externalRefID=ext-1')).json().orders).toStrictEqual([line(0)]);
    const globex = (await services.platforms.findByName('globex'))!;
    expect((await services.auditLog.chain(globex.id)).filter((e) => e.action === 'reveal_reward' || e.target_id === id)).toStrictEqual([]);
  });

  it('keeps the reward codes out of the log, even when an admin reveals them', async () => {
    const { app: logged, log } = await appWithCapturedLog(services);
    try {
      const admin = new PortalBrowser(logged);
      expect((await admin.signIn('ann@acme.example')).statusCode).toBe(200);
      const id = placed[0]!.referenceOrderID;
      expect((await admin.post(`/orders/${id}/reward/reveal`)).statusCode).toBe(200);
      expect(log()).toContain(`/portal/api/orders/${id}/reward/reveal`);
      for (const { value } of codesOf(0)) expect(log()).not.toContain(value);
    } finally {
      await logged.close();
    }
  });

  it('reads the same orders as the RaaS API lists', async () => {
    const raas = (await get(app, '/raas/v2/orders', acmeBasic)).json();
    expect(raas.orders.map((o: { referenceOrderID: string }) => o.referenceOrderID)).toStrictEqual([2, 1, 0].map((i) => placed[i]!.referenceOrderID));
  });
});
