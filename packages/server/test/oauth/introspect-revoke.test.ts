import { request as httpRequest } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setClientStatus } from '../../src/credentials/oauth-clients.js';
import type { Services } from '../../src/services.js';
import { startDeployment } from '../support/bootstrap.js';
import { HOUR, STORE_KINDS, type TestEnvironment } from '../support/services.js';
import { basic, form, postForm, requestToken } from '../support/oauth.js';
import { createTestClient, respellings, type TestClient } from '../support/tenants.js';

describe.each(STORE_KINDS)('introspection (RFC 7662) and revocation (RFC 7009) on %s', (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;
  let alice: TestClient;
  let bob: TestClient;
  let aliceToken: string;
  let bobToken: string;

  const introspect = (as: TestClient, token: string) =>
    postForm(app, '/oauth/introspect', form({ token }), { authorization: basic(as.client_id, as.client_secret) });
  const revoke = (as: TestClient, token: string, extra: Record<string, string> = {}) =>
    postForm(app, '/oauth/revoke', form({ token, ...extra }), { authorization: basic(as.client_id, as.client_secret) });

  beforeAll(async () => {
    ({ env, app, services } = await startDeployment({ store }));
    alice = await createTestClient(services, 'alice-platform', 'Alice');
    bob = await createTestClient(services, 'bob-platform', 'Bob');
    aliceToken = (await requestToken(app, alice)).json().access_token;
    bobToken = (await requestToken(app, bob)).json().access_token;
  });
  afterAll(async () => env.close());

  it('describes the client’s own live token', async () => {
    const response = await introspect(alice, aliceToken);
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const iat = Math.floor(env.clock.now() / 1000);
    expect(response.json()).toEqual({
      active: true,
      token_type: 'Bearer',
      iss: env.config.publicUrl,
      sub: alice.client_id,
      aud: env.config.audience,
      client_id: alice.client_id,
      iat,
      exp: iat + 86400,
      jti: expect.any(String),
      scope: 'raas.all',
      platform: 'alice-platform',
    });
  });

  it('tells another client only that the token is inactive', async () => {
    expect((await introspect(bob, aliceToken)).json()).toEqual({ active: false });
  });

  it('reports garbage and expired tokens as inactive', async () => {
    expect((await introspect(alice, 'not.a.token')).json()).toEqual({ active: false });
    env.clock.advance(24 * HOUR + 61_000);
    expect((await introspect(alice, aliceToken)).json()).toEqual({ active: false });
    env.clock.advance(-(24 * HOUR + 61_000));
  });

  it('knows a token by its one spelling: another base64url spelling is inactive and revokes nothing (RFC 7515 §2)', async () => {
    const frank = await createTestClient(services, 'frank-platform', 'Frank');
    const token = (await requestToken(app, frank)).json().access_token as string;
    const spellings = respellings(token);
    expect(spellings.length).toBeGreaterThanOrEqual(2);
    for (const spelling of spellings) {
      expect((await introspect(frank, spelling)).json()).toEqual({ active: false });
      expect((await revoke(frank, spelling)).statusCode).toBe(200);
    }
    expect((await introspect(frank, token)).json()).toMatchObject({ active: true, client_id: frank.client_id });
  });

  it('requires client authentication and a token', async () => {
    const anonymous = await postForm(app, '/oauth/introspect', form({ token: aliceToken }));
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed' });
    const noToken = await postForm(app, '/oauth/introspect', '', { authorization: basic(alice.client_id, alice.client_secret) });
    expect({ status: noToken.statusCode, body: noToken.json() }).toEqual({
      status: 400,
      body: { error: 'invalid_request', error_description: 'token is missing' },
    });
  });

  it('refuses to revoke another client’s token', async () => {
    const response = await revoke(alice, bobToken);
    expect({ status: response.statusCode, body: response.json() }).toEqual({
      status: 400,
      body: { error: 'unauthorized_client', error_description: 'The token was not issued to this client' },
    });
    expect((await introspect(bob, bobToken)).json().active).toBe(true);
  });

  it('ignores an unknown token_type_hint (RFC 7009 §2.1) and revokes nothing for an unknown token', async () => {
    const response = await revoke(bob, 'unknown-token', { token_type_hint: 'id_token' });
    expect(response.statusCode).toBe(200);
    expect((await introspect(bob, bobToken)).json().active).toBe(true);
  });

  it('revokes the client’s own token, and answers 200 to an unknown token (RFC 7009 §2.2)', async () => {
    const response = await revoke(bob, bobToken, { token_type_hint: 'access_token' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
    expect((await introspect(bob, bobToken)).json()).toEqual({ active: false });
    expect((await revoke(bob, 'garbage')).statusCode).toBe(200);
  });

  it('forgets a revocation once its token is past expiry and leeway, at the next revocation', async () => {
    const revoked = () => services.database.db.selectFrom('revoked_tokens').select('jti').execute();
    const dave = await createTestClient(services, 'dave-platform', 'Dave');
    const first = (await requestToken(app, dave)).json().access_token;
    expect((await revoke(dave, first)).statusCode).toBe(200);
    const before = (await revoked()).length;
    // Within the 60 s leeway after expiry, the revocation is still needed.
    env.clock.advance(24 * HOUR + 59_000);
    const second = (await requestToken(app, dave)).json().access_token;
    expect((await revoke(dave, second)).statusCode).toBe(200);
    expect(await revoked()).toHaveLength(before + 1);
    expect((await introspect(dave, first)).json()).toEqual({ active: false });
    // Past it, the next revocation purges it (and every other expired one).
    env.clock.advance(2_000);
    const carl = await createTestClient(services, 'carl-platform', 'Carl');
    expect((await revoke(carl, (await requestToken(app, carl)).json().access_token)).statusCode).toBe(200);
    expect((await revoked()).length).toBe(2);
  });

  it.each(['/oauth/token', '/oauth/introspect', '/oauth/revoke'])(
    'refuses two Authorization headers on %s with 400 invalid_request (RFC 9110: it is not a list)',
    async (url) => {
      // Two header lines, Alice's first: Node alone would keep hers and answer for her.
      const response = await app.inject({
        method: 'POST',
        url,
        payload: form({ token: aliceToken, grant_type: 'client_credentials' }),
        // light-my-request sends an array as one header line per value, as Node does; its types say string.
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: [basic(alice.client_id, alice.client_secret), basic(bob.client_id, bob.client_secret)] as unknown as string,
        },
      });
      expect({ status: response.statusCode, body: response.json(), cache: response.headers['cache-control'] }).toEqual({
        status: 400,
        body: { error: 'invalid_request', error_description: 'Send credentials once: one Authorization header' },
        cache: 'no-store',
      });
    },
  );

  it('refuses two Authorization headers over a real socket, and still answers each one alone', async () => {
    const erin = await createTestClient(services, 'erin-platform', 'Erin');
    const token = (await requestToken(app, erin)).json().access_token;
    // Another instance of the same deployment, on a port (the environment closes it).
    const { app: served } = await env.app();
    const address = await served.listen({ port: 0, host: '127.0.0.1' });
    const { statusCode, body } = await new Promise<{ statusCode: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${address}/oauth/introspect`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ statusCode: res.statusCode!, body: text }));
      });
      req.on('error', reject);
      req.setHeader('Authorization', [basic(erin.client_id, erin.client_secret), basic(alice.client_id, alice.client_secret)]);
      req.end(form({ token }));
    });
    expect({ statusCode, body: JSON.parse(body) }).toEqual({
      statusCode: 400,
      body: { error: 'invalid_request', error_description: 'Send credentials once: one Authorization header' },
    });
    const alone = await fetch(`${address}/oauth/introspect`, {
      method: 'POST',
      headers: { authorization: basic(erin.client_id, erin.client_secret), 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ token }),
    });
    expect(await alone.json()).toMatchObject({ active: true, client_id: erin.client_id });
  });

  it('refuses a deactivated client: 401 invalid_client', async () => {
    const carol = await createTestClient(services, 'carol-platform', 'Carol');
    const token = (await requestToken(app, carol)).json().access_token;
    await setClientStatus(services, carol.client_id, 'inactive');
    const response = await introspect(carol, token);
    expect({ status: response.statusCode, body: response.json() }).toEqual({
      status: 401,
      body: { error: 'invalid_client', error_description: 'Client authentication failed' },
    });
  });
});
