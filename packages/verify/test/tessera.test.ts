import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, setApiKeyStatus } from '../../server/src/credentials/api-keys.js';
import { setClientStatus } from '../../server/src/credentials/oauth-clients.js';
import { addApi } from '../../server/src/credentials/protected-apis.js';
import { KEY_REFRESH_INTERVAL_MS, type Services } from '../../server/src/services.js';
import { appOn, startDeployment } from '../../server/test/support/bootstrap.js';
import { basic, form, postForm, requestToken } from '../../server/test/support/oauth.js';
import type { TestEnvironment } from '../../server/test/support/services.js';
import { createTestClient, type TestClient } from '../../server/test/support/tenants.js';
import { createVerifier, type TesseraPrincipal, tesseraExpress, tesseraFastify, VerificationError, type Verifier } from '../src/index.js';

/** A refusal's public fields, to compare whole. */
function fields({ status, error, description, headers }: VerificationError) {
  return { status, error, description, headers };
}

const ORDERS = 'https://orders.example/api';
const BILLING = 'https://billing.example/api';
const PARTNERS = 'https://partners.example/api';

/**
 * @tessera/verify against a real Tessera listening on a port (issue 23): a Fastify route and an Express
 * route protected for ORDERS. The deployment runs on its frozen test clock; the verifiers are handed that
 * clock for the tokens' `exp`, and count real time for their status cache, as in production.
 */
describe('@tessera/verify with a real Tessera', () => {
  let env: TestEnvironment;
  let services: Services;
  /** The Tessera the verifiers talk to, over HTTP: stopped by the last test. */
  let tessera: FastifyInstance;
  let tesseraUrl: string;
  let acme: TestClient;
  let acmeKey: { id: string; api_key: string };
  let acmePlatformId: string;
  const verifiers: Verifier[] = [];
  let api: FastifyInstance;
  let expressServer: Server;
  let expressUrl: string;

  const verifier = (options: { statusTtlMs?: number } = {}) => {
    const made = createVerifier({ tessera: tesseraUrl, audience: ORDERS, issuer: env.config.publicUrl, now: env.clock.now, ...options });
    verifiers.push(made);
    return made;
  };

  /** A token for `audience` from Tessera's token endpoint, over HTTP. */
  const tokenFor = async (client: TestClient, audience: string): Promise<string> => {
    const response = await requestToken(tessera, client, { audience });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ access_token: string }>().access_token;
  };

  const tokenPrincipal = (token: string): TesseraPrincipal => ({
    platform: 'acme',
    platformId: acmePlatformId,
    credentialKind: 'oauth_client',
    credentialId: acme.client_id,
    scope: ['raas.all'],
    audience: ORDERS,
    tokenId: decodeJwt(token).jti!,
  });

  const keyPrincipal = (): TesseraPrincipal => ({
    platform: 'acme',
    platformId: acmePlatformId,
    credentialKind: 'api_key',
    credentialId: acmeKey.id,
    scope: ['raas.all'],
    audience: ORDERS,
  });

  /** Through both frameworks: the status and body each answers, which must agree. */
  const call = async (authorization?: string) => {
    const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
    const viaFastify = await api.inject({ method: 'GET', url: '/orders/42', headers });
    const viaExpress = await fetch(`${expressUrl}/orders/42`, { headers });
    const fastify = { status: viaFastify.statusCode, body: viaFastify.json() as unknown, challenge: viaFastify.headers['www-authenticate'] };
    const expressAnswer = { status: viaExpress.status, body: (await viaExpress.json()) as unknown, challenge: viaExpress.headers.get('www-authenticate') ?? undefined };
    // Express (node:http over fetch) joins challenges with ", "; Fastify's inject keeps each one.
    expect({ ...expressAnswer, challenge: undefined }).toEqual({ ...fastify, challenge: undefined });
    expect(expressAnswer.challenge).toBe(fastify.challenge === undefined ? undefined : [fastify.challenge].flat().join(', '));
    return fastify;
  };

  /** Polls `verify` until it refuses; how long that took, in real ms. */
  const refusedWithin = async (v: Verifier, authorization: string): Promise<{ ms: number; refusal: VerificationError }> => {
    const started = Date.now();
    for (;;) {
      const refusal = await v.verify({ headers: { authorization } }).then(
        () => undefined,
        (error: unknown) => error as VerificationError,
      );
      if (refusal) return { ms: Date.now() - started, refusal };
      if (Date.now() - started > 5_000) throw new Error('still allowed after 5 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  beforeAll(async () => {
    let app: FastifyInstance;
    // No interval quota: one client takes tokens for several audiences.
    ({ env, app, services } = await startDeployment({ config: { quotaIntervalSeconds: 0 } }));
    acme = await createTestClient(services, 'acme');
    await createTestClient(services, 'globex');
    acmeKey = await createApiKey(services, 'acme');
    acmePlatformId = (await services.platforms.findByName('acme'))!.id;
    await addApi(services, ORDERS, { host: 'orders.example', pathPrefix: '/' });
    await addApi(services, BILLING, { host: 'billing.example', pathPrefix: '/' });
    await addApi(services, PARTNERS, { host: 'partners.example', pathPrefix: '/', platforms: ['globex'] });
    // The deployment's app is closed by env.close(); this one listens, and a test stops it.
    void app;
    tessera = await appOn(services);
    await tessera.listen({ port: 0, host: '127.0.0.1' });
    tesseraUrl = `http://127.0.0.1:${(tessera.server.address() as AddressInfo).port}`;

    const shared = verifier();
    api = Fastify();
    await api.register(tesseraFastify, { verifier: shared });
    api.get('/orders/:id', async (request) => ({ caller: request.tessera }));
    await api.ready();

    const app2 = express();
    app2.use(tesseraExpress(shared));
    app2.get('/orders/:id', (req, res) => {
      res.json({ caller: req.tessera });
    });
    expressServer = app2.listen(0, '127.0.0.1');
    await new Promise((resolve) => expressServer.once('listening', resolve));
    expressUrl = `http://127.0.0.1:${(expressServer.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await api?.close();
    expressServer?.closeAllConnections();
    await new Promise((resolve) => expressServer?.close(resolve));
    for (const made of verifiers) await made.close();
    await tessera?.close();
    await env?.close();
  });

  it('lets a token for the API and an API key through, with the typed principal, in Fastify and Express', async () => {
    const token = await tokenFor(acme, ORDERS);
    expect(await call(`Bearer ${token}`)).toEqual({ status: 200, body: { caller: tokenPrincipal(token) }, challenge: undefined });
    expect(await call(basic('acme', acmeKey.api_key))).toEqual({ status: 200, body: { caller: keyPrincipal() }, challenge: undefined });
  });

  it("refuses no credentials and a wrong API key with Tessera's own answer", async () => {
    expect(await call()).toEqual({
      status: 401,
      body: {
        error: 'credentials_required',
        error_description: 'Authentication is required: send Authorization: Bearer <access token> or Authorization: Basic base64(platformName:apiKey)',
      },
      challenge: [`Bearer realm="${ORDERS}"`, `Basic realm="${ORDERS}", charset="UTF-8"`],
    });
    expect(await call(basic('acme', 'tk_not-the-key'))).toEqual({
      status: 401,
      body: { error: 'invalid_credentials', error_description: 'The platform name or API key is not valid' },
      challenge: `Basic realm="${ORDERS}", charset="UTF-8"`,
    });
  });

  it("refuses a wrong token, another API's token and an expired one, on its own", async () => {
    const refusedToken = (description: string) => ({
      status: 401,
      body: { error: 'invalid_token', error_description: description },
      challenge: `Bearer realm="${ORDERS}", error="invalid_token", error_description="${description}"`,
    });
    const token = await tokenFor(acme, ORDERS);
    const [header, payload] = token.split('.');
    expect(await call(`Bearer ${header}.${payload}.${'A'.repeat(86)}`)).toEqual(refusedToken('The token is not valid'));
    expect(await call(`Bearer ${await tokenFor(acme, BILLING)}`)).toEqual(
      refusedToken(`The token is for another audience, not this API's: ask for a token for ${ORDERS}`),
    );
    // The default audience's token (/raas/v2's) is another API's too.
    expect(await call(`Bearer ${(await requestToken(tessera, acme)).json<{ access_token: string }>().access_token}`)).toEqual(
      refusedToken(`The token is for another audience, not this API's: ask for a token for ${ORDERS}`),
    );
    const expiring = await tokenFor(acme, ORDERS);
    expect((await call(`Bearer ${expiring}`)).status).toBe(200);
    env.clock.advance((decodeJwt(expiring).exp! - decodeJwt(expiring).iat!) * 1000);
    // Remembered as allowed a moment ago; expired now, refused without asking Tessera.
    expect(await call(`Bearer ${expiring}`)).toEqual(refusedToken('The token has expired'));
  });

  it("passes Tessera's 403 on for a platform the API does not take", async () => {
    const v = createVerifier({ tessera: tesseraUrl, audience: PARTNERS, issuer: env.config.publicUrl, now: env.clock.now });
    verifiers.push(v);
    const refusal = await v.verify({ headers: { authorization: basic('acme', acmeKey.api_key) } }).catch((error: unknown) => error as VerificationError);
    expect(refusal).toBeInstanceOf(VerificationError);
    expect(fields(refusal as VerificationError)).toEqual({
      status: 403,
      error: 'access_denied',
      description: `The platform acme may not call the API ${PARTNERS}`,
      headers: {},
    });
  });

  it('follows a key rotation: a token signed by the new key is verified', async () => {
    const v = verifier();
    const before = await tokenFor(acme, ORDERS);
    expect(await v.verify({ headers: { authorization: `Bearer ${before}` } })).toEqual(tokenPrincipal(before));
    const { kid } = await services.signingKeys.rotate();
    // The new key signs two key-ring refresh intervals after the rotation (tokens/key-ring.ts).
    env.clock.advance(2 * KEY_REFRESH_INTERVAL_MS);
    const after = await tokenFor(acme, ORDERS);
    expect(decodeProtectedHeader(after).kid).toBe(kid);
    expect(decodeProtectedHeader(before).kid).not.toBe(kid);
    // The verifier fetched the key set a moment ago: it fetches it again for an unknown kid after 1 s.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await v.verify({ headers: { authorization: `Bearer ${after}` } })).toEqual(tokenPrincipal(after));
    // The old key stays published: its tokens stay good.
    expect(await v.verify({ headers: { authorization: `Bearer ${before}` } })).toEqual(tokenPrincipal(before));
  });

  it('refuses a revoked token within 2 s (statusTtlMs 1000)', async () => {
    const v = verifier();
    const token = await tokenFor(acme, ORDERS);
    expect(await v.verify({ headers: { authorization: `Bearer ${token}` } })).toEqual(tokenPrincipal(token));
    const revoked = await postForm(tessera, '/oauth/revoke', form({ token }), { authorization: basic(acme.client_id, acme.client_secret) });
    expect(revoked.statusCode, revoked.body).toBe(200);
    const { ms, refusal } = await refusedWithin(v, `Bearer ${token}`);
    expect(ms).toBeLessThan(2_000);
    expect({ status: refusal.status, error: refusal.error }).toEqual({ status: 401, error: 'invalid_token' });
  });

  it("refuses a deactivated client's token and a deactivated API key within 2 s", async () => {
    const v = verifier();
    const client = await createTestClient(services, 'acme', 'deactivated later');
    const token = await tokenFor(client, ORDERS);
    const key = await createApiKey(services, 'acme');
    const keyBasic = basic('acme', key.api_key);
    expect((await v.verify({ headers: { authorization: `Bearer ${token}` } })).credentialId).toBe(client.client_id);
    expect((await v.verify({ headers: { authorization: keyBasic } })).credentialId).toBe(key.id);

    await setClientStatus(services, client.client_id, 'inactive');
    const clientRefused = await refusedWithin(v, `Bearer ${token}`);
    expect(clientRefused.ms).toBeLessThan(2_000);
    expect(fields(clientRefused.refusal)).toEqual({
      status: 401,
      error: 'invalid_token',
      description: "The token's client credential is no longer active",
      headers: { 'WWW-Authenticate': `Bearer realm="${ORDERS}", error="invalid_token", error_description="The token's client credential is no longer active"` },
    });

    await setApiKeyStatus(services, key.id, 'inactive');
    const keyRefused = await refusedWithin(v, keyBasic);
    expect(keyRefused.ms).toBeLessThan(2_000);
    expect({ status: keyRefused.refusal.status, error: keyRefused.refusal.error }).toEqual({ status: 401, error: 'invalid_credentials' });
  });

  it('answers 503 once Tessera is stopped, and never lets a request through', async () => {
    const v = verifier({ statusTtlMs: 0 });
    const token = await tokenFor(acme, ORDERS);
    expect(await v.verify({ headers: { authorization: `Bearer ${token}` } })).toEqual(tokenPrincipal(token));
    await tessera.close();
    const unavailable = (description: string) => ({ status: 503, body: { error: 'temporarily_unavailable', error_description: description }, challenge: undefined });
    const refused = `Tessera could not be reached at ${tesseraUrl} to check the credential (ECONNREFUSED)`;
    await expect(v.verify({ headers: { authorization: `Bearer ${token}` } })).rejects.toMatchObject({ status: 503, description: refused });
    // The routes' verifier has not seen the rotated key that signed this token: the key set cannot be
    // fetched, and an API key cannot be checked. Refused, both.
    expect(await call(`Bearer ${token}`)).toEqual(unavailable(`Tessera's keys could not be fetched from ${tesseraUrl}/.well-known/jwks.json (ECONNREFUSED)`));
    expect(await call(basic('acme', acmeKey.api_key))).toEqual(unavailable(refused));
  });
});
