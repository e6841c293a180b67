import { request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createApiKey } from '../../src/credentials/api-keys.js';
import type { Services } from '../../src/services.js';
import { appOn, startDeployment } from '../support/bootstrap.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';
import { basic, challenges, createTenant, expectEnvelope, get, signedToken, type Tenant } from '../support/tenants.js';

describe.each(STORE_KINDS)('the /raas/v2 guard (%s)', (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;
  let acme: Tenant;
  let realm: string;

  beforeAll(async () => {
    const config = { authFailureLimit: 3, authFailureWindowSeconds: 60 };
    ({ env, app, services, tenants: { acme } } = await startDeployment({ store, config, tenants: ['acme'] }));
    realm = services.config.audience;
  });
  afterAll(async () => env?.close());

  it('asks for credentials with a challenge for each scheme', async () => {
    const response = await get(app, '/raas/v2/customers');
    expectEnvelope(response, env.clock, {
      status: 401,
      path: '/raas/v2/customers',
      message: 'Authentication is required: send Authorization: Bearer <access token> or Authorization: Basic base64(platformName:apiKey)',
      i18nKey: 'auth.credentialsRequired',
    });
    expect(challenges(response)).toEqual([`Bearer realm="${realm}"`, `Basic realm="${realm}", charset="UTF-8"`]);
  });

  it('refuses another authorization scheme with the same two challenges', async () => {
    for (const authorization of ['Digest username="acme"', 'Token abc', 'Bearer']) {
      const response = await get(app, '/raas/v2/customers', authorization);
      if (authorization === 'Bearer') {
        expect(response.statusCode).toBe(400);
        continue;
      }
      expectEnvelope(response, env.clock, {
        status: 401,
        path: '/raas/v2/customers',
        message: 'The authorization scheme is not accepted here: use Bearer or Basic',
        i18nKey: 'auth.unsupportedScheme',
      });
      expect(challenges(response)).toEqual([`Bearer realm="${realm}"`, `Basic realm="${realm}", charset="UTF-8"`]);
    }
  });

  it('refuses a token in the query string, alone or with a header, with 400 (and never echoes it)', async () => {
    const alone = await get(app, `/raas/v2/customers?access_token=${acme.token}`);
    const message = 'Send the access token in the Authorization header, not in the URL';
    expectEnvelope(alone, env.clock, { status: 400, path: '/raas/v2/customers', message, i18nKey: 'auth.invalidRequest' });
    expect(challenges(alone)).toEqual([`Bearer realm="${realm}", error="invalid_request", error_description="${message}"`]);
    expect(alone.body).not.toContain(acme.token);

    const twice = await get(app, `/raas/v2/customers?access_token=${acme.token}`, acme.bearer);
    expectEnvelope(twice, env.clock, {
      status: 400,
      path: '/raas/v2/customers',
      message: 'Send credentials once: in the Authorization header, not also in the URL',
      i18nKey: 'auth.invalidRequest',
    });
  });

  it('refuses two Authorization headers with 400 (over a real socket)', async () => {
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const { statusCode, body, headers } = await new Promise<{ statusCode: number; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
      const req = httpRequest(`${address}/raas/v2/whoami`, (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ statusCode: res.statusCode!, body: text, headers: res.headers }));
      });
      req.on('error', reject);
      // Two header lines, as a client or a proxy might send them.
      req.setHeader('Authorization', [acme.basic, acme.bearer]);
      req.end();
    });
    expect(statusCode).toBe(400);
    const parsed = JSON.parse(body);
    expect(parsed).toMatchObject({ httpCode: 400, i18nKey: 'auth.invalidRequest', message: 'Send credentials once: one Authorization header', errors: [] });
    expect(parsed.requestId).toBe(headers['x-request-id']);
    // Each one alone is fine.
    expect((await fetch(`${address}/raas/v2/whoami`, { headers: { authorization: acme.basic } })).status).toBe(200);
    expect((await fetch(`${address}/raas/v2/whoami`, { headers: { authorization: acme.bearer } })).status).toBe(200);
  });

  it('refuses a malformed Bearer header with 400 invalid_request', async () => {
    for (const authorization of ['Bearer', 'Bearer ', `Bearer ${acme.token} ${acme.token}`, `Bearer ${acme.token},Basic x`]) {
      const response = await get(app, '/raas/v2/whoami', authorization);
      const message = 'The Bearer credentials are malformed: expected Authorization: Bearer <access token>';
      expectEnvelope(response, env.clock, { status: 400, path: '/raas/v2/whoami', message, i18nKey: 'auth.invalidRequest' });
      expect(challenges(response)).toEqual([`Bearer realm="${realm}", error="invalid_request", error_description="${message}"`]);
    }
  });

  it('verifies a credential once, then serves it from memory and re-reads its status every 5 s', async () => {
    const findClient = vi.spyOn(services.oauthClients, 'findWithPlatform');
    const findKey = vi.spyOn(services.apiKeys, 'findByDigest');
    const keyStatus = vi.spyOn(services.apiKeys, 'status');
    try {
      const token = `Bearer ${await signedToken(services, acme)}`;
      const keyHeader = basic('acme', (await createApiKey(services, 'acme')).api_key);
      for (let i = 0; i < 5; i++) {
        expect((await get(app, '/raas/v2/whoami', token)).statusCode).toBe(200);
        expect((await get(app, '/raas/v2/whoami', keyHeader)).statusCode).toBe(200);
      }
      expect(findClient).toHaveBeenCalledTimes(1);
      expect(findKey).toHaveBeenCalledTimes(1);
      env.clock.advance(4_999);
      await get(app, '/raas/v2/whoami', token);
      await get(app, '/raas/v2/whoami', keyHeader);
      expect(findClient).toHaveBeenCalledTimes(1);
      expect(keyStatus).not.toHaveBeenCalled();
      env.clock.advance(1);
      await get(app, '/raas/v2/whoami', token);
      await get(app, '/raas/v2/whoami', keyHeader);
      expect(findClient).toHaveBeenCalledTimes(2);
      expect(keyStatus).toHaveBeenCalledTimes(1);
      expect(findKey).toHaveBeenCalledTimes(1);
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('throttles an address after repeated failures (429 + Retry-After), shared with the token endpoint', async () => {
    const other = await createTenant(app, services, `other-${store}`);
    // A token verified before the failures: not a guess, still served while the address is throttled.
    expect((await get(app, '/raas/v2/whoami', other.bearer)).statusCode).toBe(200);

    const wrong = basic('acme', 'tsk_live_wrong');
    // One failure at the token endpoint, two here: the same counter.
    const tokenFailure = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { authorization: basic(acme.clientId, 'wrong'), 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'grant_type=client_credentials',
    });
    expect(tokenFailure.statusCode).toBe(401);
    expect((await get(app, '/raas/v2/whoami', wrong)).statusCode).toBe(401);
    expect((await get(app, '/raas/v2/whoami', 'Bearer not.a.token')).statusCode).toBe(401);

    for (const authorization of [wrong, `Bearer ${await signedToken(services, acme)}`, basic(other.platformName, other.apiKey)]) {
      const response = await get(app, '/raas/v2/whoami', authorization);
      expectEnvelope(response, env.clock, {
        status: 429,
        path: '/raas/v2/whoami',
        message: 'Too many failed authentication attempts from this address',
        i18nKey: 'auth.tooManyFailures',
      });
      expect(response.headers['retry-after']).toBe('60');
    }
    expect((await get(app, '/raas/v2/whoami', other.bearer)).statusCode).toBe(200);

    env.clock.advance(30_000);
    expect((await get(app, '/raas/v2/whoami', wrong)).headers['retry-after']).toBe('30');
    env.clock.advance(30_000);
    expect((await get(app, '/raas/v2/whoami', basic(other.platformName, other.apiKey))).statusCode).toBe(200);
  });
});

describe('the guard and the logs', () => {
  let env: TestEnvironment;
  afterAll(async () => env?.close());

  it('never writes a credential to the log, even at trace level', async () => {
    let services: Services;
    ({ env, services } = await startDeployment());
    let log = '';
    const stream = new Writable({
      write(chunk, _encoding, callback) {
        log += chunk;
        callback();
      },
    });
    const app = await appOn(services, { logger: { level: 'trace', stream } });
    try {
      const acme = await createTenant(app, services, 'acme');
      const attempts = [acme.bearer, acme.basic, basic('acme', `${acme.apiKey}x`), `Bearer ${acme.token}x`, basic('nobody', acme.apiKey)];
      for (const authorization of attempts) await get(app, '/raas/v2/customers', authorization);
      await app.inject({ method: 'POST', url: '/raas/v2/customers', headers: { authorization: acme.basic, 'content-type': 'application/json' }, payload: '{"x":' });
      expect(log).toContain('raas request refused');
      for (const secret of [acme.token, acme.apiKey, acme.apiKey.slice('tsk_live_'.length), acme.clientSecret, acme.basic.slice(6)]) {
        expect(log).not.toContain(secret);
      }
    } finally {
      await app.close();
    }
  });
});
