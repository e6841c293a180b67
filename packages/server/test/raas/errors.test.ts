import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../src/services.js';
import { startDeployment } from '../support/bootstrap.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';
import { expectEnvelope, get, type Tenant } from '../support/tenants.js';

describe.each(STORE_KINDS)('errors on /raas/v2 use Tango’s envelope (%s)', (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;
  let acme: Tenant;

  beforeAll(async () => {
    ({ env, app, services, tenants: { acme } } = await startDeployment({ store, config: { bodyLimitBytes: 1024 }, tenants: ['acme'] }));
  });
  afterAll(async () => env?.close());

  it('serves GET /raas/v2/status without credentials, with X-REQUEST-ID', async () => {
    const response = await get(app, '/raas/v2/status');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toStrictEqual({ status: 'ok' });
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an unknown path with 404, credentials or not', async () => {
    for (const authorization of [undefined, acme.basic]) {
      for (const path of ['/raas/v2/nothing-here', '/raas/v2/customers/a/b/c', '/raas/v2']) {
        expectEnvelope(await get(app, path, authorization), env.clock, { status: 404, path, message: `No such resource: GET ${path}`, i18nKey: 'error.notFound' });
      }
    }
  });

  it('answers a wrong method with 405 and Allow', async () => {
    const response = await app.inject({ method: 'DELETE', url: '/raas/v2/customers/cust-1', headers: { authorization: acme.basic } });
    expectEnvelope(response, env.clock, {
      status: 405,
      path: '/raas/v2/customers/cust-1',
      message: 'The method DELETE is not allowed here: use GET',
      i18nKey: 'error.methodNotAllowed',
    });
    expect(response.headers.allow).toBe('GET, HEAD');
    const put = await app.inject({ method: 'PUT', url: '/raas/v2/customers', headers: { authorization: acme.basic } });
    expect(put.statusCode).toBe(405);
    expect(put.headers.allow).toBe('GET, POST, HEAD');
  });

  it('answers malformed JSON (and prototype poisoning) with 400 without quoting it', async () => {
    for (const payload of ['{"customerIdentifier": "a", "displayName": ', '', '{"__proto__": {"x": 1}}']) {
      const response = await app.inject({
        method: 'POST',
        url: '/raas/v2/customers',
        headers: { authorization: acme.basic, 'content-type': 'application/json' },
        payload,
      });
      expectEnvelope(response, env.clock, {
        status: 400,
        path: '/raas/v2/customers',
        message: 'The request body is not valid JSON',
        i18nKey: 'error.malformedJson',
      });
    }
  });

  it('answers a body over the limit with 413 and another media type with 415', async () => {
    const large = await app.inject({
      method: 'POST',
      url: '/raas/v2/customers',
      headers: { authorization: acme.basic, 'content-type': 'application/json' },
      payload: JSON.stringify({ customerIdentifier: 'big', displayName: 'x'.repeat(2000) }),
    });
    expectEnvelope(large, env.clock, {
      status: 413,
      path: '/raas/v2/customers',
      message: 'The request body is larger than the limit of 1024 bytes',
      i18nKey: 'error.payloadTooLarge',
    });
    const form = await app.inject({
      method: 'POST',
      url: '/raas/v2/customers',
      headers: { authorization: acme.basic, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'customerIdentifier=a&displayName=b',
    });
    expectEnvelope(form, env.clock, { status: 415, path: '/raas/v2/customers', message: 'The Content-Type must be application/json', i18nKey: 'error.unsupportedMediaType' });
  });

  it('checks credentials before reading the body: an anonymous oversized or malformed body is a 401', async () => {
    for (const payload of ['{', 'x'.repeat(5000)]) {
      const response = await app.inject({ method: 'POST', url: '/raas/v2/customers', headers: { 'content-type': 'application/json' }, payload });
      expect(response.statusCode).toBe(401);
    }
  });

  it('answers an unexpected failure with a bare 500: no stack, no SQL, no secret', async () => {
    const failure = new Error(`SQLITE_ERROR: no such column: key_digest in "select * from api_keys where key_digest = '${acme.apiKey}'"`);
    const list = vi.spyOn(services.customers, 'listCustomers').mockRejectedValue(failure);
    try {
      const response = await get(app, '/raas/v2/customers', acme.bearer);
      expectEnvelope(response, env.clock, {
        status: 500,
        path: '/raas/v2/customers',
        message: 'An unexpected error occurred: quote the requestId when you report it',
        i18nKey: 'error.internal',
      });
      for (const leak of ['SQLITE', 'select', 'api_keys', acme.apiKey, 'at ', '.ts']) expect(response.body).not.toContain(leak);
    } finally {
      list.mockRestore();
    }
  });

  it('never echoes the query string in the envelope path', async () => {
    const response = await get(app, '/raas/v2/customers/nobody?secret=hunter2', acme.basic);
    expectEnvelope(response, env.clock, { status: 404, path: '/raas/v2/customers/nobody', message: 'Customer nobody was not found', i18nKey: 'error.notFound' });
    expect(response.body).not.toContain('hunter2');
  });
});
