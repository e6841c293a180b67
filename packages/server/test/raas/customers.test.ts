import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { startDeployment } from '../support/bootstrap.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';
import { expectTangoView, expectTangoViews } from '../support/tango-reference.js';
import { expectEnvelope, get, postJson, type Tenant } from '../support/tenants.js';

const CREATED_AT = '2026-11-28T12:00:00.000Z';
const ACCOUNT_NUMBER = /^A\d{2}-\d{6}-\d{6}$/;

describe.each(STORE_KINDS)('customers and accounts on /raas/v2 (%s)', (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let acme: Tenant;
  let globex: Tenant;

  beforeAll(async () => {
    ({ env, app, tenants: { acme, globex } } = await startDeployment({ store, tenants: ['acme', 'globex'] }));
  });
  afterAll(async () => env?.close());

  it('creates a customer (CustomerViewNew) with Basic and reads it back with Bearer', async () => {
    const created = await postJson(app, '/raas/v2/customers', acme.basic, { customerIdentifier: 'cust-1', displayName: 'Customer One' });
    expect(created.statusCode).toBe(201);
    expect(created.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.json()).toStrictEqual({ customerIdentifier: 'cust-1', displayName: 'Customer One', status: 'ACTIVE', createdAt: CREATED_AT });
    expectTangoView(created.json(), 'CustomerViewNew');

    const read = await get(app, '/raas/v2/customers/cust-1', acme.bearer);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toStrictEqual({ customerIdentifier: 'cust-1', displayName: 'Customer One', status: 'ACTIVE', createdAt: CREATED_AT, accounts: [] });
    expectTangoView(read.json(), 'CustomerViewSummary');
  });

  it('refuses a duplicate customerIdentifier with 409', async () => {
    const response = await postJson(app, '/raas/v2/customers', acme.bearer, { customerIdentifier: 'cust-1', displayName: 'Again' });
    expectEnvelope(response, env.clock, {
      status: 409,
      path: '/raas/v2/customers',
      message: 'A customer with the customerIdentifier cust-1 already exists',
      i18nKey: 'error.duplicate',
    });
  });

  it('creates accounts (AccountView) under a customer and lists them', async () => {
    const created = await postJson(app, '/raas/v2/customers/cust-1/accounts', acme.basic, {
      accountIdentifier: 'acct-1',
      displayName: 'Account One',
      contactEmail: 'ops@acme.example',
    });
    expect(created.statusCode).toBe(201);
    const account = created.json();
    expect(account).toStrictEqual({
      accountIdentifier: 'acct-1',
      accountNumber: expect.stringMatching(ACCOUNT_NUMBER),
      displayName: 'Account One',
      currencyCode: 'USD',
      currentBalance: 0,
      createdAt: CREATED_AT,
      status: 'ACTIVE',
      contactEmail: 'ops@acme.example',
    });
    const summary = {
      accountIdentifier: 'acct-1',
      accountNumber: account.accountNumber,
      displayName: 'Account One',
      createdAt: CREATED_AT,
      status: 'ACTIVE',
    };

    // Each response against the view the reference gives its operation.
    expectTangoView(account, 'AccountView');
    expectTangoViews([summary], 'AccountViewSummary');
    expect((await get(app, '/raas/v2/customers/cust-1/accounts', acme.bearer)).json()).toStrictEqual([summary]);
    expect((await get(app, '/raas/v2/accounts/acct-1', acme.bearer)).json()).toStrictEqual(account);
    expect((await get(app, '/raas/v2/accounts', acme.basic)).json()).toStrictEqual([account]);
    const customers = (await get(app, '/raas/v2/customers', acme.basic)).json();
    expect(customers).toStrictEqual([
      { customerIdentifier: 'cust-1', displayName: 'Customer One', status: 'ACTIVE', createdAt: CREATED_AT, accounts: [summary] },
    ]);
    expectTangoViews(customers, 'CustomerViewSummary');
    expect((await get(app, '/raas/v2/customers/cust-1', acme.basic)).json()).toStrictEqual({
      customerIdentifier: 'cust-1',
      displayName: 'Customer One',
      status: 'ACTIVE',
      createdAt: CREATED_AT,
      accounts: [summary],
    });

    const duplicate = await postJson(app, '/raas/v2/customers/cust-1/accounts', acme.basic, {
      accountIdentifier: 'acct-1',
      displayName: 'Again',
      contactEmail: 'ops@acme.example',
    });
    expectEnvelope(duplicate, env.clock, {
      status: 409,
      path: '/raas/v2/customers/cust-1/accounts',
      message: 'An account with the accountIdentifier acct-1 already exists',
      i18nKey: 'error.duplicate',
    });
  });

  it('answers 404 in the envelope for a customer or account that does not exist', async () => {
    for (const [path, message] of [
      ['/raas/v2/customers/nobody', 'Customer nobody was not found'],
      ['/raas/v2/customers/nobody/accounts', 'Customer nobody was not found'],
      ['/raas/v2/accounts/nothing', 'Account nothing was not found'],
    ] as const) {
      expectEnvelope(await get(app, path, acme.bearer), env.clock, { status: 404, path, message, i18nKey: 'error.notFound' });
    }
    const response = await postJson(app, '/raas/v2/customers/nobody/accounts', acme.bearer, {
      accountIdentifier: 'acct-x',
      displayName: 'X',
      contactEmail: 'x@example.com',
    });
    expectEnvelope(response, env.clock, { status: 404, path: '/raas/v2/customers/nobody/accounts', message: 'Customer nobody was not found', i18nKey: 'error.notFound' });
  });

  it('shows every platform only its own data: another platform’s customer or account is a 404', async () => {
    expect((await get(app, '/raas/v2/customers', globex.basic)).json()).toStrictEqual([]);
    expect((await get(app, '/raas/v2/accounts', globex.bearer)).json()).toStrictEqual([]);
    for (const [path, message] of [
      ['/raas/v2/customers/cust-1', 'Customer cust-1 was not found'],
      ['/raas/v2/customers/cust-1/accounts', 'Customer cust-1 was not found'],
      ['/raas/v2/accounts/acct-1', 'Account acct-1 was not found'],
    ] as const) {
      for (const authorization of [globex.basic, globex.bearer]) {
        expectEnvelope(await get(app, path, authorization), env.clock, { status: 404, path, message, i18nKey: 'error.notFound' });
      }
    }
    // Nor can it add an account under acme's customer.
    const intrusion = await postJson(app, '/raas/v2/customers/cust-1/accounts', globex.basic, {
      accountIdentifier: 'acct-intruder',
      displayName: 'Intruder',
      contactEmail: 'x@globex.example',
    });
    expect(intrusion.statusCode).toBe(404);

    // The same identifiers are free on another platform, and stay apart.
    expect((await postJson(app, '/raas/v2/customers', globex.bearer, { customerIdentifier: 'cust-1', displayName: 'Globex One' })).statusCode).toBe(201);
    expect(
      (await postJson(app, '/raas/v2/customers/cust-1/accounts', globex.bearer, { accountIdentifier: 'acct-1', displayName: 'G', contactEmail: 'g@globex.example' }))
        .statusCode,
    ).toBe(201);
    expect((await get(app, '/raas/v2/customers/cust-1', globex.basic)).json()).toMatchObject({ displayName: 'Globex One', accounts: [{ displayName: 'G' }] });
    expect((await get(app, '/raas/v2/customers/cust-1', acme.basic)).json()).toMatchObject({ displayName: 'Customer One', accounts: [{ displayName: 'Account One' }] });
    expect((await get(app, '/raas/v2/accounts', acme.basic)).json()).toHaveLength(1);
    expect((await get(app, '/raas/v2/accounts/acct-1', globex.basic)).json()).toMatchObject({ contactEmail: 'g@globex.example' });
  });

  it('validates request bodies by schema and lists every failure in errors[]', async () => {
    const response = await postJson(app, '/raas/v2/customers', acme.basic, { customerIdentifier: 'Not Lowercase', displayName: 42, extra: 'ignored' });
    expectEnvelope(response, env.clock, {
      status: 400,
      path: '/raas/v2/customers',
      message: 'The request is not valid: see errors for each field',
      i18nKey: 'error.validation',
      errors: [
        {
          path: 'customerIdentifier',
          message: 'must use only lowercase letters, digits, ".", "_" and "-", and start with a letter or a digit',
          invalidValue: 'Not Lowercase',
          constraint: 'Pattern',
          i18nKey: 'validation.pattern',
        },
        { path: 'displayName', message: 'must be of type string', invalidValue: 42, constraint: 'Type', i18nKey: 'validation.type' },
      ],
    });

    const missing = await postJson(app, '/raas/v2/customers/cust-1/accounts', acme.basic, { displayName: '', contactEmail: 'not-an-email' });
    expectEnvelope(missing, env.clock, {
      status: 400,
      path: '/raas/v2/customers/cust-1/accounts',
      message: 'The request is not valid: see errors for each field',
      i18nKey: 'error.validation',
      errors: [
        { path: 'accountIdentifier', message: 'must not be null', invalidValue: null, constraint: 'NotNull', i18nKey: 'validation.notNull' },
        { path: 'displayName', message: 'must not be empty', invalidValue: '', constraint: 'Size', i18nKey: 'validation.size' },
        { path: 'contactEmail', message: 'must be a well-formed email address', invalidValue: 'not-an-email', constraint: 'Email', i18nKey: 'validation.email' },
      ],
    });

    const long = await postJson(app, '/raas/v2/customers', acme.basic, { customerIdentifier: 'x'.repeat(101), displayName: 'y'.repeat(300) });
    expect(long.json().errors).toStrictEqual([
      { path: 'customerIdentifier', message: 'size must be at most 100', invalidValue: 'x'.repeat(101), constraint: 'Size', i18nKey: 'validation.size' },
      { path: 'displayName', message: 'size must be at most 100', invalidValue: 'y'.repeat(256), constraint: 'Size', i18nKey: 'validation.size' },
    ]);

    for (const payload of [[], 'a string', null]) {
      const notAnObject = await postJson(app, '/raas/v2/customers', acme.basic, payload);
      expect(notAnObject.statusCode).toBe(400);
      expect(notAnObject.json().errors).toStrictEqual([
        { path: 'body', message: 'must be of type object', invalidValue: typeof payload === 'string' ? payload : null, constraint: 'Type', i18nKey: 'validation.type' },
      ]);
    }
    // Nothing was created by any of these.
    expect((await get(app, '/raas/v2/customers', acme.basic)).json()).toHaveLength(1);
  });
});
