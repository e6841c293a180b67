import type { FastifyInstance } from 'fastify';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { resetClientQuota, setClientStatus } from '../../src/credentials/oauth-clients.js';
import { closeServices, openServices, type Services } from '../../src/services.js';
import { appOn, startDeployment } from '../support/bootstrap.js';
import { HOUR, silentLog, skipReason, STORE_KINDS, type TestEnvironment } from '../support/services.js';
import { basic, form, postForm, requestToken } from '../support/oauth.js';
import { createTestClient, type TestClient } from '../support/tenants.js';

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

describe.each(STORE_KINDS)('POST /oauth/token on %s', (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;

  beforeAll(async () => {
    ({ env, app, services } = await startDeployment({ store }));
  });
  afterAll(async () => env.close());

  describe('success', () => {
    it('issues a 24-hour RFC 9068 access token to client_secret_post', async () => {
      const client = await createTestClient(services, undefined, 'Acme production');
      const response = await requestToken(app, client, { audience: env.config.audience, scope: 'raas.all' });

      expect(response.statusCode).toBe(200);
      expect(response.headers).toMatchObject(NO_STORE);
      const body = response.json();
      expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
      expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 86400, scope: 'raas.all' });

      const header = decodeProtectedHeader(body.access_token);
      expect(header).toEqual({ alg: 'RS256', kid: expect.any(String), typ: 'at+jwt' });
      const iat = Math.floor(env.clock.now() / 1000);
      expect(decodeJwt(body.access_token)).toEqual({
        iss: env.config.publicUrl,
        sub: client.client_id,
        aud: env.config.audience,
        client_id: client.client_id,
        iat,
        exp: iat + 86400,
        jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
        scope: 'raas.all',
        platform: client.platformName,
      });

      const jwks = (await app.inject('/.well-known/jwks.json')).json();
      const { payload } = await jwtVerify(body.access_token, createLocalJWKSet(jwks), {
        issuer: env.config.publicUrl,
        audience: env.config.audience,
        currentDate: new Date(env.clock.now()),
      });
      expect(payload.client_id).toBe(client.client_id);
    });

    it('accepts client_secret_basic with form-urlencoded credentials (RFC 6749 §2.3.1)', async () => {
      const client = await createTestClient(services);
      const response = await postForm(app, '/oauth/token', form({ grant_type: 'client_credentials' }), {
        authorization: basic(encodeURIComponent(client.client_id), encodeURIComponent(client.client_secret)),
      });
      expect(response.statusCode).toBe(200);
      expect(response.json().token_type).toBe('Bearer');
    });

    it('accepts a JSON body, and an empty audience counts as omitted', async () => {
      const client = await createTestClient(services);
      const response = await app.inject({
        method: 'POST',
        url: '/oauth/token',
        payload: { grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret, audience: '' },
      });
      expect(response.statusCode).toBe(200);
      expect(decodeJwt(response.json().access_token).aud).toBe(env.config.audience);
    });

    it('reads JSON strings with escapes, and whitespace anywhere', async () => {
      const client = await createTestClient(services);
      const payload = `\n{ "grant_type" : "client_credentials",\t"client_id":"${client.client_id}", "client_secret": "${client.client_secret}", "x\\"y" : "say \\"hi\\", \\\\ \\u00e9" }\n`;
      expect(JSON.parse(payload)['x"y']).toBe('say "hi", \\ é');
      const response = await app.inject({ method: 'POST', url: '/oauth/token', payload, headers: { 'content-type': 'application/json' } });
      expect(response.statusCode, response.body).toBe(200);
    });

    it('accepts the scheme name in any case and the client_id repeated in the body', async () => {
      const client = await createTestClient(services);
      const response = await postForm(app, '/oauth/token', form({ grant_type: 'client_credentials', client_id: client.client_id }), {
        authorization: basic(client.client_id, client.client_secret).replace('Basic', 'bAsIc'),
      });
      expect(response.statusCode).toBe(200);
    });
  });

  describe('the 20-hour quota', () => {
    let client: TestClient;
    beforeAll(async () => {
      client = await createTestClient(services, undefined, 'Quota client');
    });

    it('refuses a second token within 20 hours with Tango’s message and Retry-After', async () => {
      expect((await requestToken(app, client)).statusCode).toBe(200);
      env.clock.advance(HOUR);
      const refused = await requestToken(app, client);
      expect(refused.statusCode).toBe(400);
      expect(refused.headers).toMatchObject({ ...NO_STORE, 'retry-after': String(19 * 3600) });
      expect(refused.json()).toEqual({
        error: 'rate_limit_exceeded',
        error_description: `Client Quota client ${client.client_id} has exceeded the daily rate limit`,
      });
    });

    it('still refuses one second before 20 hours, and issues at exactly 20 hours', async () => {
      env.clock.advance(19 * HOUR - 1000);
      const refused = await requestToken(app, client);
      expect(refused.statusCode).toBe(400);
      expect(refused.headers['retry-after']).toBe('1');
      env.clock.advance(1000);
      expect((await requestToken(app, client)).statusCode).toBe(200);
    });

    it('says Retry-After of at most the interval (72000), on every instance, even one whose clock is behind', async () => {
      const fresh = await createTestClient(services);
      expect((await requestToken(app, fresh)).statusCode).toBe(200);
      const sameMoment = await requestToken(app, fresh);
      expect({ status: sameMoment.statusCode, retryAfter: sameMoment.headers['retry-after'] }).toEqual({ status: 400, retryAfter: '72000' });
      // Another instance of the fleet whose clock is 1.5 s behind the one that issued the token.
      const behind = await openServices(env.config, { log: silentLog, now: () => env.clock.now() - 1500 });
      const lagging = await appOn(behind);
      try {
        const refused = await requestToken(lagging, fresh);
        expect({ status: refused.statusCode, retryAfter: refused.headers['retry-after'] }).toEqual({ status: 400, retryAfter: '72000' });
      } finally {
        await lagging.close();
        await closeServices(behind);
      }
    });

    it('is told before the body is read (Basic), and before any parameter is checked (either method)', async () => {
      const fresh = await createTestClient(services, undefined, 'Spent client');
      expect((await requestToken(app, fresh)).statusCode).toBe(200);
      env.clock.advance(HOUR);
      const spent = {
        status: 400,
        retryAfter: String(19 * 3600),
        body: { error: 'rate_limit_exceeded', error_description: `Client Spent client ${fresh.client_id} has exceeded the daily rate limit` },
      };
      const answer = (response: Awaited<ReturnType<typeof requestToken>>) => ({ status: response.statusCode, retryAfter: response.headers['retry-after'], body: response.json() });
      // With the Basic header, bodies that would be a 413 and a 400 are never read (issue 13: the
      // answer a fleet asks for thousands of times a second costs no body).
      const authorization = basic(fresh.client_id, fresh.client_secret);
      for (const payload of ['x'.repeat(env.config.bodyLimitBytes + 1), '%E0%A4%A']) {
        expect(answer(await postForm(app, '/oauth/token', payload, { authorization }))).toEqual(spent);
      }
      // With the body's credentials, before its other parameters: no token, whatever it asks.
      for (const extra of [{ audience: 'https://elsewhere.example/' }, { scope: 'admin' }, { grant_type: 'password' }] as Record<string, string>[]) {
        expect(answer(await requestToken(app, fresh, extra))).toEqual(spent);
      }
    });

    it('is not used by failed authentication', async () => {
      const fresh = await createTestClient(services);
      const wrong = await requestToken(app, { ...fresh, client_secret: `${fresh.client_secret}x` });
      expect(wrong.statusCode).toBe(401);
      expect((await requestToken(app, fresh)).statusCode).toBe(200);
    });

    it('is not used by a request refused for its audience or scope', async () => {
      const fresh = await createTestClient(services);
      expect((await requestToken(app, fresh, { audience: 'https://elsewhere.example/' })).statusCode).toBe(400);
      expect((await requestToken(app, fresh, { scope: 'admin' })).statusCode).toBe(400);
      expect((await requestToken(app, fresh)).statusCode).toBe(200);
    });

    it('is cleared by reset-quota', async () => {
      const fresh = await createTestClient(services);
      expect((await requestToken(app, fresh)).statusCode).toBe(200);
      expect((await requestToken(app, fresh)).statusCode).toBe(400);
      // The refusals were answered from memory (oauth/client-cache.ts): the reset is announced, and forgotten at once.
      await resetClientQuota(services, fresh.client_id);
      expect((await requestToken(app, fresh)).statusCode).toBe(200);
    });

    it('sees a reset made without an announcement (the tessera command, no Redis): within a millisecond on SQLite, within 5 s on PostgreSQL', async () => {
      const fresh = await createTestClient(services);
      expect((await requestToken(app, fresh)).statusCode).toBe(200);
      expect((await requestToken(app, fresh)).statusCode).toBe(400);
      // Services of their own, as the command opens: another connection, and an in-process cache that
      // reaches no other process.
      const command = await env.open();
      await resetClientQuota(command, fresh.client_id);
      if (store === 'postgres') {
        expect((await requestToken(app, fresh)).statusCode).toBe(400);
        env.clock.advance(5_000);
      }
      expect((await requestToken(app, fresh)).statusCode).toBe(200);
    });

    it('answers refusals and wrong secrets without reading the client again while its row is fresh (5 s)', async () => {
      const fresh = await createTestClient(services);
      expect((await requestToken(app, fresh)).statusCode).toBe(200);
      const reads = vi.spyOn(services.oauthClients, 'findWithPlatform');
      try {
        for (let i = 0; i < 3; i++) expect((await requestToken(app, fresh)).statusCode).toBe(400);
        expect((await requestToken(app, { ...fresh, client_secret: `${fresh.client_secret}x` })).statusCode).toBe(401);
        expect(reads).not.toHaveBeenCalled();
        env.clock.advance(5_000);
        expect((await requestToken(app, fresh)).statusCode).toBe(400);
        expect(reads).toHaveBeenCalledTimes(1);
        // A deactivation is announced: the remembered row is dropped, and the next request reads the store.
        await setClientStatus(services, fresh.client_id, 'inactive');
        expect((await requestToken(app, fresh)).json()).toMatchObject({ error: 'invalid_client' });
        expect(reads).toHaveBeenCalledTimes(2);
      } finally {
        reads.mockRestore();
      }
    });

    it('holds for concurrent requests to two instances on one store: exactly one token', async () => {
      const fresh = await createTestClient(services);
      const { app: second } = await env.app();
      const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => requestToken(i % 2 ? app : second, fresh)));
      expect(responses.map((r) => r.statusCode).sort()).toEqual([200, ...Array(19).fill(400)]);
    });
  });

  describe('errors (RFC 6749 §5.2)', () => {
    let client: TestClient;
    beforeAll(async () => {
      client = await createTestClient(services);
    });

    const expectError = (response: Awaited<ReturnType<typeof requestToken>>, status: number, body: object) => {
      expect({ status: response.statusCode, body: response.json() }).toEqual({ status, body });
      expect(response.headers).toMatchObject(NO_STORE);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
    };

    it('an unknown client and a wrong secret look the same: 401 invalid_client with a Basic challenge', async () => {
      const unknown = await requestToken(app, { ...client, client_id: 'cli_doesnotexist' });
      const wrong = await requestToken(app, { ...client, client_secret: 'tsc_secret_wrong' });
      for (const response of [unknown, wrong]) {
        expectError(response, 401, { error: 'invalid_client', error_description: 'Client authentication failed' });
        expect(response.headers['www-authenticate']).toBe(`Basic realm="${env.config.publicUrl}", charset="UTF-8"`);
      }
    });

    it('a wrong secret in the Basic header: 401 before the body is read; other methods still 405', async () => {
      const authorization = basic(client.client_id, `${client.client_secret}x`);
      for (const url of ['/oauth/token', '/oauth/introspect', '/oauth/revoke']) {
        for (const payload of ['x'.repeat(env.config.bodyLimitBytes + 1), '%E0%A4%A', form({ grant_type: 'password', client_secret: 'tsc_other' })]) {
          expectError(await postForm(app, url, payload, { authorization }), 401, { error: 'invalid_client', error_description: 'Client authentication failed' });
        }
      }
      const get = await app.inject({ method: 'GET', url: '/oauth/token', headers: { authorization } });
      expect({ status: get.statusCode, allow: get.headers.allow }).toEqual({ status: 405, allow: 'POST' });
    });

    it('no credentials at all: 401 invalid_client', async () => {
      const response = await postForm(app, '/oauth/token', form({ grant_type: 'client_credentials' }));
      expectError(response, 401, { error: 'invalid_client', error_description: 'Client authentication failed' });
    });

    it('a deactivated client: 401 invalid_client; active again: 200', async () => {
      const fresh = await createTestClient(services);
      await setClientStatus(services, fresh.client_id, 'inactive');
      expectError(await requestToken(app, fresh), 401, { error: 'invalid_client', error_description: 'Client authentication failed' });
      await setClientStatus(services, fresh.client_id, 'active');
      expect((await requestToken(app, fresh)).statusCode).toBe(200);
    });

    it('both authentication methods at once: 400 invalid_request', async () => {
      const response = await postForm(app, '/oauth/token', form({ grant_type: 'client_credentials', client_secret: client.client_secret }), {
        authorization: basic(client.client_id, client.client_secret),
      });
      expectError(response, 400, {
        error: 'invalid_request',
        error_description: 'Use one client authentication method: the Basic header or client_secret in the body, not both',
      });
    });

    it('missing grant_type: 400 invalid_request', async () => {
      const response = await postForm(app, '/oauth/token', form({ client_id: client.client_id, client_secret: client.client_secret }));
      expectError(response, 400, { error: 'invalid_request', error_description: 'grant_type is missing' });
    });

    it('another grant: 400 unsupported_grant_type', async () => {
      const response = await requestToken(app, client, { grant_type: 'password' });
      expectError(response, 400, {
        error: 'unsupported_grant_type',
        error_description: 'The grant type password is not supported: use client_credentials',
      });
    });

    it('a parameter given twice: 400 invalid_request', async () => {
      const body = `${form({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret })}&scope=raas.all&scope=raas.all`;
      expectError(await postForm(app, '/oauth/token', body), 400, {
        error: 'invalid_request',
        error_description: 'The scope parameter is given more than once',
      });
    });

    it.each([
      ['no colon', `Basic ${Buffer.from('justanid').toString('base64')}`, 'The Basic credentials must be client_id:client_secret'],
      ['not base64', 'Basic !!!not-base64!!!', 'The Basic credentials are not valid base64'],
      ['empty', 'Basic ', 'The Authorization header is malformed'],
      ['bad percent-encoding', basic('%E0%A4%A', 'x'), 'The Basic credentials are not form-urlencoded'],
      ['another scheme', 'Bearer abc', 'The Bearer authorization scheme is not accepted here: use Basic or the request body'],
    ])('a malformed Basic header (%s): 400 invalid_request', async (_case, authorization, description) => {
      const response = await postForm(app, '/oauth/token', form({ grant_type: 'client_credentials' }), { authorization });
      expectError(response, 400, { error: 'invalid_request', error_description: description });
    });

    it('an unknown audience: 400 invalid_target naming it', async () => {
      const response = await requestToken(app, client, { audience: 'https://api.example.com/' });
      expectError(response, 400, {
        error: 'invalid_target',
        error_description: `Unknown audience https://api.example.com/: tokens here are for the default audience ${env.config.audience} or an audience the operator registered`,
      });
    });

    it('a scope the client may not have: 400 invalid_scope', async () => {
      const response = await requestToken(app, client, { scope: 'raas.all admin' });
      expectError(response, 400, { error: 'invalid_scope', error_description: 'The client may not request the scope admin' });
    });

    it('a body over the limit: 413', async () => {
      const response = await postForm(app, '/oauth/token', `grant_type=client_credentials&pad=${'x'.repeat(env.config.bodyLimitBytes)}`);
      expectError(response, 413, { error: 'invalid_request', error_description: `The request body is larger than ${env.config.bodyLimitBytes} bytes` });
    });

    it('malformed JSON: 400 without echoing the body', async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/oauth/token',
        payload: `{"client_secret": "${client.client_secret}",`,
        headers: { 'content-type': 'application/json' },
      });
      expectError(response, 400, { error: 'invalid_request', error_description: 'The request body is not valid JSON' });
      expect(response.body).not.toContain(client.client_secret);
    });

    it('a NUL character in a parameter or in Basic credentials: 400, on every store', async () => {
      const inBody = await postForm(app, '/oauth/token', 'grant_type=client_credentials&client_id=a%00b&client_secret=x');
      expectError(inBody, 400, { error: 'invalid_request', error_description: 'The client_id parameter contains a NUL character' });
      const inBasic = await postForm(app, '/oauth/token', form({ grant_type: 'client_credentials' }), { authorization: basic('a%00b', 'x') });
      expectError(inBasic, 400, { error: 'invalid_request', error_description: 'The Basic credentials contain a NUL character' });
    });

    it('echoes only printable ASCII, without quotes, in error_description (RFC 6749 §5.2)', async () => {
      const response = await requestToken(app, client, { grant_type: 'x"\\☃'.padEnd(100, 'y') });
      expectError(response, 400, {
        error: 'unsupported_grant_type',
        error_description: `The grant type x???${'y'.repeat(60)}... is not supported: use client_credentials`,
      });
    });

    it.each([
      ['client_secret', (secret: string) => `{"grant_type":"client_credentials","client_id":"x","client_secret":"wrong","client_secret":"${secret}"}`],
      ['grant_type', () => '{"grant_type":"client_credentials","grant_type":"password"}'],
      // The name is echoed without its quote (RFC 6749 §5.2).
      ['a?b', () => '{"a\\"b":"1","grant_type":"client_credentials","a\\"b":"2"}'],
      ['__proto__', () => '{"__proto__":"1","__proto__":"2"}'],
    ])('a JSON name given twice (%s): 400 invalid_request, as in a form', async (name, payload) => {
      const response = await app.inject({ method: 'POST', url: '/oauth/token', payload: payload(client.client_secret), headers: { 'content-type': 'application/json' } });
      expectError(response, 400, { error: 'invalid_request', error_description: `The ${name} parameter is given more than once` });
    });

    it('a repeated name hiding credentials in an array that JSON.parse drops: 400, never authenticated', async () => {
      // JSON.parse reads {"p":"s"}; a reader of string tokens in order would find the credentials.
      const payload = `{"p":["q","client_id","${client.client_id}","client_secret","${client.client_secret}","grant_type","client_credentials","r"],"p":"s"}`;
      const response = await app.inject({ method: 'POST', url: '/oauth/token', payload, headers: { 'content-type': 'application/json' } });
      expectError(response, 400, { error: 'invalid_request', error_description: 'The p parameter is given more than once' });
    });

    it('a repeated name written with an escape is still the same name: 400', async () => {
      const payload = `{"grant_type":"client_credentials","client_id":"${client.client_id}","client_secret":"x","client\\u005fsecret":"${client.client_secret}"}`;
      expect(Object.keys(JSON.parse(payload))).toHaveLength(3);
      const response = await app.inject({ method: 'POST', url: '/oauth/token', payload, headers: { 'content-type': 'application/json' } });
      expectError(response, 400, { error: 'invalid_request', error_description: 'The client_secret parameter is given more than once' });
    });

    it.each([
      ['an array', { grant_type: ['client_credentials'] }, 'grant_type'],
      ['an object', { grant_type: 'client_credentials', client_id: { id: 'x' } }, 'client_id'],
      ['a number', { grant_type: 'client_credentials', scope: 1 }, 'scope'],
      ['null', { grant_type: null }, 'grant_type'],
      ['true', { grant_type: true }, 'grant_type'],
    ])('a JSON value that is %s: 400 naming it', async (_case, payload, name) => {
      const response = await app.inject({ method: 'POST', url: '/oauth/token', payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } });
      expectError(response, 400, { error: 'invalid_request', error_description: `The ${name} parameter must be a string` });
    });

    it.each(['[]', '["grant_type","client_credentials"]', '"grant_type"', '42', 'null', 'true'])('a JSON body that is not an object (%s): 400', async (payload) => {
      const response = await app.inject({ method: 'POST', url: '/oauth/token', payload, headers: { 'content-type': 'application/json' } });
      expectError(response, 400, { error: 'invalid_request', error_description: 'The request body must be a JSON object of string values' });
    });

    it('another content type: 400', async () => {
      const response = await app.inject({ method: 'POST', url: '/oauth/token', payload: 'grant_type=client_credentials', headers: { 'content-type': 'text/plain' } });
      expectError(response, 400, {
        error: 'invalid_request',
        error_description: 'The Content-Type must be application/x-www-form-urlencoded (RFC 6749 section 4.4.2) or application/json',
      });
    });

    it.each(['GET', 'PUT', 'DELETE', 'OPTIONS'] as const)('%s: 405 with Allow: POST', async (method) => {
      const response = await app.inject({ method, url: '/oauth/token' });
      expect(response.statusCode).toBe(405);
      expect(response.headers.allow).toBe('POST');
      expect(response.json()).toEqual({ error: 'invalid_request', error_description: 'Use POST' });
    });
  });
});

describe('the quota turned off (TESSERA_QUOTA_INTERVAL=0)', () => {
  it('issues to every request, on an instance whose clock is behind the one that issued too', async () => {
    const { env, app, services } = await startDeployment({ config: { quotaIntervalSeconds: 0 } });
    try {
      const client = await createTestClient(services);
      expect((await requestToken(app, client)).statusCode).toBe(200);
      expect((await requestToken(app, client)).statusCode).toBe(200);
      // Its row now says a token was issued 1.5 s in this instance's future.
      const behind = await openServices(env.config, { log: silentLog, now: () => env.clock.now() - 1500 });
      const lagging = await appOn(behind);
      try {
        expect((await requestToken(lagging, client)).statusCode).toBe(200);
      } finally {
        await lagging.close();
        await closeServices(behind);
      }
    } finally {
      await env.close();
    }
  });
});

describe('failed client authentication is throttled per address', () => {
  let env: TestEnvironment;
  afterAll(async () => env.close());

  it('answers 429 with Retry-After after the limit, even to right credentials, until the window ends', async () => {
    const { env: started, app, services } = await startDeployment({ config: { authFailureLimit: 5, authFailureWindowSeconds: 60 } });
    env = started;
    const client = await createTestClient(services);
    for (let i = 0; i < 5; i++) expect((await requestToken(app, { ...client, client_secret: 'wrong' })).statusCode).toBe(401);

    const throttled = await requestToken(app, client);
    expect(throttled.statusCode).toBe(429);
    expect(throttled.headers['retry-after']).toBe('60');
    expect(throttled.json()).toEqual({ error: 'too_many_requests', error_description: 'Too many failed authentication attempts from this address' });

    // Refused before the body is read (a flood must cost little): a body over the limit, which would be
    // a 413, and one that cannot be parsed get the same 429, on every endpoint of client authentication.
    for (const url of ['/oauth/token', '/oauth/introspect', '/oauth/revoke']) {
      for (const payload of ['x'.repeat(env.config.bodyLimitBytes + 1), '%E0%A4%A']) {
        const early = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload });
        expect({ url, status: early.statusCode, body: early.json() }).toEqual({
          url,
          status: 429,
          body: { error: 'too_many_requests', error_description: 'Too many failed authentication attempts from this address' },
        });
      }
    }

    env.clock.advance(60_000);
    expect((await requestToken(app, client)).statusCode).toBe(200);
  });

  it('counts wrong secrets refused before the body is read (Basic header)', async () => {
    const { env: local, app, services } = await startDeployment({ config: { authFailureLimit: 3 } });
    try {
      const client = await createTestClient(services);
      const wrong = { authorization: basic(client.client_id, `${client.client_secret}x`) };
      const oversized = 'x'.repeat(local.config.bodyLimitBytes + 1);
      for (let i = 0; i < 3; i++) expect((await postForm(app, '/oauth/token', oversized, wrong)).statusCode).toBe(401);
      const throttled = await postForm(app, '/oauth/token', form({ grant_type: 'client_credentials' }), { authorization: basic(client.client_id, client.client_secret) });
      expect(throttled.statusCode).toBe(429);
    } finally {
      await local.close();
    }
  });

  it('does not count successful requests', async () => {
    const { env: local, app, services } = await startDeployment({ config: { authFailureLimit: 2, quotaIntervalSeconds: 0 } });
    try {
      const client = await createTestClient(services);
      for (let i = 0; i < 5; i++) expect((await requestToken(app, client)).statusCode).toBe(200);
    } finally {
      await local.close();
    }
  });
});

describe('the address the throttle counts (TESSERA_TRUST_PROXY)', () => {
  const failFrom = (app: FastifyInstance, client: { client_id: string }, forwardedFor: string) =>
    postForm(app, '/oauth/token', form({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: 'wrong' }), {
      'x-forwarded-for': forwardedFor,
    });

  it('is the peer, whatever X-Forwarded-For says, when no proxy is trusted', async () => {
    const { env, app, services } = await startDeployment({ config: { authFailureLimit: 2 } });
    try {
      const client = await createTestClient(services);
      expect((await failFrom(app, client, '203.0.113.1')).statusCode).toBe(401);
      expect((await failFrom(app, client, '203.0.113.2')).statusCode).toBe(401);
      // A forged header does not give a new address.
      expect((await failFrom(app, client, '203.0.113.3')).statusCode).toBe(429);
    } finally {
      await env.close();
    }
  });

  it('is the forwarded client behind a trusted proxy', async () => {
    // inject() connects from 127.0.0.1: the trusted proxy.
    const { env, app, services } = await startDeployment({ config: { authFailureLimit: 2, trustProxy: ['127.0.0.1'] } });
    try {
      const client = await createTestClient(services);
      expect((await failFrom(app, client, '203.0.113.1')).statusCode).toBe(401);
      expect((await failFrom(app, client, '203.0.113.1')).statusCode).toBe(401);
      expect((await failFrom(app, client, '203.0.113.1')).statusCode).toBe(429);
      // Another client behind the same proxy is not throttled for the first one's failures.
      expect((await failFrom(app, client, '203.0.113.2')).statusCode).toBe(401);
    } finally {
      await env.close();
    }
  });
});

describe.skipIf(skipReason('redis'))('failed authentication throttling with Redis', () => {
  it('counts failures from one address across instances', async () => {
    const { env, app: first, services } = await startDeployment({ redis: true, config: { authFailureLimit: 3 } });
    try {
      const { app: second } = await env.app();
      const client = await createTestClient(services);
      const wrong = { ...client, client_secret: 'wrong' };
      expect((await requestToken(first, wrong)).statusCode).toBe(401);
      expect((await requestToken(second, wrong)).statusCode).toBe(401);
      expect((await requestToken(first, wrong)).statusCode).toBe(401);
      const throttled = await requestToken(second, client);
      expect(throttled.statusCode).toBe(429);
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await env.close();
    }
  });
});
