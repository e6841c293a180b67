import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { startDeployment } from '../support/bootstrap.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';
import { basic, expectEnvelope, get, postJson, type Tenant } from '../support/tenants.js';

const TEXT_MESSAGE = 'must not contain NUL characters or unpaired surrogates';
const IDENTIFIER_MESSAGE = 'must use only lowercase letters, digits, ".", "_" and "-", and start with a letter or a digit';

/** Text PostgreSQL cannot store (NUL) or that is not Unicode (lone surrogates) is a 400, never a 500. */
describe.each(STORE_KINDS)('text the store cannot hold on /raas/v2 (%s)', (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let acme: Tenant;

  beforeAll(async () => {
    ({ env, app, tenants: { acme } } = await startDeployment({ store, tenants: ['acme'] }));
    expect((await postJson(app, '/raas/v2/customers', acme.basic, { customerIdentifier: 'cust-1', displayName: 'One' })).statusCode).toBe(201);
  });
  afterAll(async () => env?.close());

  it('refuses NUL and lone surrogates in a customer’s displayName with 400, naming the field', async () => {
    for (const displayName of ['a\u0000b', 'a\ud800b', '\udc00']) {
      const response = await postJson(app, '/raas/v2/customers', acme.basic, { customerIdentifier: 'cust-nul', displayName });
      expectEnvelope(response, env.clock, {
        status: 400,
        path: '/raas/v2/customers',
        message: 'The request is not valid: see errors for each field',
        i18nKey: 'error.validation',
        errors: [{ path: 'displayName', message: TEXT_MESSAGE, invalidValue: response.json().errors[0]?.invalidValue, constraint: 'Pattern', i18nKey: 'validation.pattern' }],
      });
    }
    // Characters outside the BMP (a proper surrogate pair) are fine.
    const emoji = await postJson(app, '/raas/v2/customers', acme.basic, { customerIdentifier: 'cust-emoji', displayName: 'Party 🎉' });
    expect(emoji.statusCode, emoji.body).toBe(201);
    expect(emoji.json().displayName).toBe('Party 🎉');
  });

  it('refuses NUL in every string field of an account with 400', async () => {
    const valid = { accountIdentifier: 'acct-nul', displayName: 'Acct', contactEmail: 'a@example.com' };
    for (const field of ['accountIdentifier', 'displayName', 'contactEmail'] as const) {
      const value = field === 'contactEmail' ? 'a\u0000b@example.com' : 'a\u0000b';
      const response = await postJson(app, '/raas/v2/customers/cust-1/accounts', acme.basic, { ...valid, [field]: value });
      expect(response.statusCode, response.body).toBe(400);
      const body = response.json<{ i18nKey: string; errors: { path: string; constraint: string }[] }>();
      expect(body.i18nKey).toBe('error.validation');
      expect(body.errors.length).toBeGreaterThan(0);
      expect(body.errors.every((error) => error.path === field)).toBe(true);
    }
    const customer = await postJson(app, '/raas/v2/customers', acme.basic, { customerIdentifier: 'a\u0000b', displayName: 'x' });
    expect(customer.statusCode, customer.body).toBe(400);
    expect(customer.json().errors).toMatchObject([{ path: 'customerIdentifier', constraint: 'Pattern' }]);
  });

  it('refuses a path identifier with NUL (or that no identifier can match) with 400 naming the parameter', async () => {
    for (const [path, param] of [
      ['/raas/v2/customers/a%00b', 'customerIdentifier'],
      ['/raas/v2/customers/a%00b/accounts', 'customerIdentifier'],
      ['/raas/v2/accounts/a%00b', 'accountIdentifier'],
      ['/raas/v2/accounts/Upper', 'accountIdentifier'],
    ] as const) {
      const response = await get(app, path, acme.bearer);
      expectEnvelope(response, env.clock, {
        status: 400,
        path,
        message: 'The request is not valid: see errors for each field',
        i18nKey: 'error.validation',
        errors: [{ path: param, message: IDENTIFIER_MESSAGE, invalidValue: decodeURIComponent(path.split('/')[4]!), constraint: 'Pattern', i18nKey: 'validation.pattern' }],
      });
    }
    const long = `/raas/v2/customers/${'a'.repeat(101)}`;
    const tooLong = await get(app, long, acme.bearer);
    expectEnvelope(tooLong, env.clock, {
      status: 400,
      path: long,
      message: 'The request is not valid: see errors for each field',
      i18nKey: 'error.validation',
      errors: [{ path: 'customerIdentifier', message: 'size must be at most 100', invalidValue: 'a'.repeat(101), constraint: 'Size', i18nKey: 'validation.size' }],
    });
    const post = await postJson(app, '/raas/v2/customers/a%00b/accounts', acme.basic, { accountIdentifier: 'acct-2', displayName: 'X', contactEmail: 'x@example.com' });
    expect(post.statusCode, post.body).toBe(400);
    expect(post.json().errors).toMatchObject([{ path: 'customerIdentifier', constraint: 'Pattern' }]);
  });

  it('answers Basic credentials with NUL in the platform name or the key with the usual 401', async () => {
    for (const authorization of [
      basic('ac\u0000me', acme.apiKey),
      basic('acme', `${acme.apiKey}\u0000`),
      basic('\u0000', '\u0000'),
      `Basic ${Buffer.from([0x61, 0x00, 0x3a, 0x00, 0xff]).toString('base64')}`,
    ]) {
      const response = await get(app, '/raas/v2/whoami', authorization);
      expectEnvelope(response, env.clock, {
        status: 401,
        path: '/raas/v2/whoami',
        message: 'The platform name or API key is not valid',
        i18nKey: 'auth.invalidCredentials',
      });
    }
  });
});
