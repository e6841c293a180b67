import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { startDeployment } from './support/bootstrap.js';
import type { TestEnvironment } from './support/services.js';

describe('the app outside its APIs', () => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  beforeAll(async () => {
    ({ env, app } = await startDeployment());
  });
  afterAll(async () => env.close());

  it('answers /healthz', async () => {
    const response = await app.inject('/healthz');
    expect({ status: response.statusCode, body: response.json() }).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('advertises in its metadata only endpoints that exist (RFC 8414 §2)', async () => {
    const metadata = (await app.inject('/.well-known/oauth-authorization-server')).json() as Record<string, unknown>;
    const urls = Object.values(metadata).filter((v): v is string => typeof v === 'string' && v.startsWith(`${env.config.publicUrl}/`));
    expect(urls.length).toBeGreaterThanOrEqual(4);
    for (const url of urls) {
      const response = await app.inject({ method: 'GET', url: url.slice(env.config.publicUrl.length) });
      expect(response.statusCode, url).not.toBe(404);
    }
  });

  it.each(['/nothing', '/oauth/nothing', '/raas/nothing'])('answers an unknown path (%s) with 404 naming the path, never its query', async (path) => {
    const response = await app.inject(`${path}?access_token=secret-token`);
    expect({ status: response.statusCode, body: response.json() }).toEqual({ status: 404, body: { error: 'not_found', message: `No route GET ${path}` } });
  });

  it.each(['/healthz', '/nothing', '/.well-known/jwks.json'])('answers a body it cannot read on %s in the plain shape, without the parser’s words', async (path) => {
    const response = await app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/json' }, payload: '{"secret":' });
    expect({ status: response.statusCode, body: response.json() }).toEqual({
      status: 400,
      body: { error: 'bad_request', message: 'The request could not be read' },
    });
  });

  it('answers a malformed URL outside the APIs with 400, without echoing it', async () => {
    const response = await app.inject('/nothing/%ZZ?access_token=secret-token');
    expect({ status: response.statusCode, body: response.json() }).toEqual({
      status: 400,
      body: { error: 'bad_request', message: 'The URL path is not valid: it holds a malformed percent-encoding' },
    });
  });

  it('answers a malformed URL under /raas/v2 with Tango’s envelope and X-REQUEST-ID', async () => {
    const response = await app.inject('/raas/v2/customers/%ZZ');
    expect(response.statusCode).toBe(400);
    expect(response.headers['x-request-id']).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));
    expect(response.json()).toEqual({
      timestamp: new Date(env.clock.now()).toISOString(),
      requestId: response.headers['x-request-id'],
      path: '/raas/v2/customers/%ZZ',
      httpCode: 400,
      httpPhrase: 'Bad Request',
      i18nKey: 'error.badRequest',
      message: 'The URL path is not valid: it holds a malformed percent-encoding',
      errors: [],
    });
  });

  it('answers an over-long path segment under /raas/v2 with 414 in Tango’s envelope', async () => {
    const response = await app.inject(`/raas/v2/customers/${'a'.repeat(300)}`);
    expect(response.statusCode).toBe(414);
    expect(response.json()).toMatchObject({ httpCode: 414, httpPhrase: 'URI Too Long', i18nKey: 'error.badRequest', message: 'A path segment of the URL is too long' });
  });
});
