import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { scrubSecrets, serializeError } from '../../src/log/log-options.js';
import { appWithCapturedLog } from '../support/captured-log.js';
import type { Services } from '../../src/services.js';
import { basic, form, postForm, wrongByOneCharacter } from '../support/oauth.js';
import { PASSWORD, PortalBrowser } from '../support/portal.js';
import { startDeployment } from '../support/bootstrap.js';
import { HOUR, type TestEnvironment } from '../support/services.js';
import { createTenant } from '../support/tenants.js';

/** An error as a careless library throws it: the request it failed on attached, a secret in its message. */
function errorCarrying(secret: string, authorization: string): Error {
  return Object.assign(new Error(`upstream refused client_secret=${secret} with ${authorization}`), {
    request: { headers: { authorization, cookie: `tessera_session=${secret}` }, body: { client_secret: secret, password: secret } },
    config: { data: `client_secret=${secret}`, headers: { Authorization: authorization } },
  });
}

describe('the server log', () => {
  let env: TestEnvironment;
  let services: Services;
  beforeAll(async () => {
    ({ env, services } = await startDeployment());
  });
  afterAll(async () => env?.close());

  it('holds no credential over requests of every kind, error paths included, and every request line carries its request id', async () => {
    const { app, log } = await appWithCapturedLog(services);
    // An unexpected failure outside the APIs (the plain error handler): a route of this test only.
    const boom = { secret: 'tsc_secret_boomboomboomboomboomboomboomboomboo', authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.eyJib29tIjoxfQ.c2lnbmF0dXJl' };
    app.get('/test-only/boom', async () => {
      throw errorCarrying(boom.secret, boom.authorization);
    });
    try {
      const acme = await createTenant(app, services, 'acme-logs');
      const secrets: Record<string, string> = { boomSecret: boom.secret, boomBearer: boom.authorization.slice(7) };
      Object.assign(secrets, { clientSecret: acme.clientSecret, apiKey: acme.apiKey, token: acme.token, basic: acme.basic.slice(6) });

      // Token: success and failure, the secret in the body and in Basic; a body that cannot be read.
      await postForm(app, '/oauth/token', form({ grant_type: 'client_credentials', client_id: acme.clientId, client_secret: acme.clientSecret }));
      await postForm(app, '/oauth/token', form({ grant_type: 'client_credentials', client_id: acme.clientId, client_secret: wrongByOneCharacter(acme.clientSecret) }));
      await postForm(app, '/oauth/token', 'grant_type=client_credentials', { authorization: basic(acme.clientId, wrongByOneCharacter(acme.clientSecret)) });
      await app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/json' }, payload: `{"client_secret":"${acme.clientSecret}"` });
      // The token endpoint failing (past the quota interval, so the store is asked), with an error that carries the request.
      env.clock.advance(21 * HOUR);
      vi.spyOn(services.oauthClients, 'claimQuota').mockRejectedValueOnce(errorCarrying(acme.clientSecret, basic(acme.clientId, acme.clientSecret)));
      const failed = await postForm(app, '/oauth/token', 'grant_type=client_credentials', { authorization: basic(acme.clientId, acme.clientSecret) });
      expect(failed.statusCode).toBe(500);
      await postForm(app, '/oauth/introspect', form({ token: acme.token }), { authorization: basic(acme.clientId, acme.clientSecret) });

      // The API: Bearer and Basic, right and wrong, a body that cannot be read, and a failure.
      for (const authorization of [acme.bearer, acme.basic, `Bearer ${acme.token}x`, basic('acme-logs', `${acme.apiKey}x`)]) {
        await app.inject({ url: '/raas/v2/customers', headers: { authorization } });
      }
      await app.inject({ method: 'POST', url: '/raas/v2/customers', headers: { authorization: acme.basic, 'content-type': 'application/json' }, payload: `{"x":"${acme.apiKey}"` });
      vi.spyOn(services.customers, 'listCustomers').mockRejectedValueOnce(errorCarrying(acme.apiKey, acme.bearer));
      expect((await app.inject({ url: '/raas/v2/customers', headers: { authorization: acme.bearer } })).statusCode).toBe(500);
      expect((await app.inject({ url: '/test-only/boom', headers: { authorization: boom.authorization } })).statusCode).toBe(500);
      await app.inject({ method: 'POST', url: '/healthz', headers: { 'content-type': 'application/json', authorization: acme.basic }, payload: `{"password":"${PASSWORD}"` });

      // The portal: sign-up, sign-in (wrong and right), a failing sign-in, reveal.
      const ann = new PortalBrowser(app);
      await ann.signUp('logs-kinds@example.com', 'logs-kinds');
      secrets.signUpSession = ann.cookie!;
      await ann.post('/signout');
      await ann.signIn('logs-kinds@example.com', 'a wrong password in the log test');
      secrets.wrongPassword = 'a wrong password in the log test';
      vi.spyOn(services.users, 'findByEmail').mockRejectedValueOnce(errorCarrying(PASSWORD, `Basic ${Buffer.from(`x:${PASSWORD}`).toString('base64')}`));
      expect((await ann.signIn('logs-kinds@example.com')).statusCode).toBe(500);
      await ann.signIn('logs-kinds@example.com');
      secrets.session = ann.cookie!;
      secrets.csrf = ann.csrfToken!;
      const key = (await ann.post('/api-keys')).json();
      const revealed = (await ann.post(`/api-keys/${key.id}/reveal`)).json();
      Object.assign(secrets, { password: PASSWORD, portalKey: key.apiKey, revealed: revealed.apiKey });

      const lines = log().trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.length).toBeGreaterThan(50);
      for (const message of ['request failed', 'token endpoint failed', 'raas request failed', 'portal request failed', 'oauth request refused', 'raas request refused']) {
        expect(lines.some((line) => line.msg === message), message).toBe(true);
      }
      for (const [what, secret] of Object.entries(secrets)) {
        expect(secret, what).toMatch(/.{12,}/);
        expect(log().includes(secret), what).toBe(false);
      }
      // Every line written while serving a request names it: Fastify's child logger per request.
      const served = lines.filter((line) => line.msg !== 'Server listening' && !String(line.msg).startsWith('Server listening'));
      for (const line of served) expect(line.reqId, JSON.stringify(line)).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));
      const failedLine = lines.find((line) => line.msg === 'token endpoint failed')!;
      const sameRequest = lines.filter((line) => line.reqId === failedLine.reqId).map((line) => line.msg);
      expect(sameRequest).toEqual(['incoming request', 'token endpoint failed', 'request completed']);
    } finally {
      vi.restoreAllMocks();
      await app.close();
    }
  });

  it('serializes an error as type, message, stack, code and cause, without what it carries', () => {
    const cause = Object.assign(new Error('password=hunter2hunter2 refused'), { code: 'EAUTH' });
    const error = Object.assign(new Error('failed', { cause }), { statusCode: 502, request: { headers: { authorization: 'Basic c2VjcmV0' } } });
    const serialized = serializeError(error);
    expect(Object.keys(serialized).sort()).toEqual(['cause', 'message', 'stack', 'statusCode', 'type']);
    expect(serialized.cause).toMatchObject({ type: 'Error', message: 'password=[redacted] refused', code: 'EAUTH' });
  });

  it.each([
    ['Authorization: Basic YWNtZTp0c2tfbGl2ZV94eXo=', 'Authorization: Basic [redacted]'],
    ['bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.sig', 'bearer [redacted]'],
    ['key tsk_live_0123456789abcdefABCDEF and tsc_secret_Zz09', 'key tsk_live_[redacted] and tsc_secret_[redacted]'],
    ['Unexpected token in JSON: {"password":"hunter2 x","email":"a@b"}', 'Unexpected token in JSON: {"password":"[redacted]","email":"a@b"}'],
    ['grant_type=client_credentials&client_secret=abc&x=1', 'grant_type=client_credentials&client_secret=[redacted]&x=1'],
  ])('scrubs %s', (text, scrubbed) => expect(scrubSecrets(text)).toBe(scrubbed));
});
