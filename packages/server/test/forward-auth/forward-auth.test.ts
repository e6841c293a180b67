import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, setApiKeyStatus } from '../../src/credentials/api-keys.js';
import { setClientStatus } from '../../src/credentials/oauth-clients.js';
import { addApi, removeApi } from '../../src/credentials/protected-apis.js';
import type { Services } from '../../src/services.js';
import { FLEET_DEPLOYMENTS, startFleet } from '../support/bootstrap.js';
import { basic, form, postForm, requestToken } from '../support/oauth.js';
import type { TestEnvironment } from '../support/services.js';
import { createTestClient, type TestClient } from '../support/tenants.js';

const ORDERS = 'https://orders.example/api';
const BILLING = 'https://billing.example/api';
const PARTNERS = 'https://partners.example/api';

/** Asks forward auth about a request to `host` + `uri`, as Traefik and Caddy do (X-Forwarded-*). */
function check(app: FastifyInstance, host: string, uri: string, authorization?: string, extra: Record<string, string> = {}) {
  return app.inject({
    method: 'GET',
    url: '/forward-auth',
    headers: { 'x-forwarded-method': 'GET', 'x-forwarded-host': host, 'x-forwarded-uri': uri, ...(authorization ? { authorization } : {}), ...extra },
  });
}

function expectRefused(response: LightMyRequestResponse, status: number, body: { error: string; error_description: string }, challenge?: string[]): void {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.json()).toStrictEqual(body);
  expect(response.headers['cache-control']).toBe('no-store');
  expect(Object.keys(response.headers).filter((name) => name.startsWith('x-tessera-'))).toStrictEqual([]);
  if (challenge) expect([response.headers['www-authenticate']].flat()).toStrictEqual(challenge);
}

/** Polls until `probe` answers `status` (a change reaching another instance through Redis takes a moment). */
async function statusWithin(probe: () => Promise<LightMyRequestResponse>, status: number, deadlineMs: number): Promise<LightMyRequestResponse> {
  const started = Date.now();
  for (;;) {
    const response = await probe();
    if (response.statusCode === status) return response;
    if (Date.now() - started > deadlineMs) throw new Error(`still ${response.statusCode} ${response.body} after ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each(FLEET_DEPLOYMENTS)('forward auth for the operator’s APIs ($name)', (deployment) => {
  let env: TestEnvironment;
  let first: FastifyInstance;
  let last: FastifyInstance;
  let services: Services;
  let acme: TestClient;
  let acmeKey: { id: string; api_key: string };
  let ordersToken: string;

  beforeAll(async () => {
    if (deployment.skip) return;
    let apps: FastifyInstance[];
    let all: Services[];
    ({ env, apps, services: all } = await startFleet(deployment));
    [first, last] = [apps[0]!, apps.at(-1)!];
    services = all[0]!;
    acme = await createTestClient(services, 'acme');
    await createTestClient(services, 'globex');
    acmeKey = await createApiKey(services, 'acme');
    await addApi(services, ORDERS, { host: 'api.example.com', pathPrefix: '/orders' });
    await addApi(services, BILLING, { host: 'api.example.com', pathPrefix: '/billing', credentialKinds: ['oauth_client'] });
    await addApi(services, PARTNERS, { pathPrefix: '/partners', platforms: ['globex'] });
    const granted = await requestToken(first, acme, { audience: ORDERS });
    expect(granted.statusCode, granted.body).toBe(200);
    ordersToken = granted.json<{ access_token: string }>().access_token;
  });
  afterAll(async () => env?.close());

  it.skipIf(deployment.skip)('allows a token for the API, with the caller’s identity in headers for the proxy and no body', async () => {
    const response = await check(last, 'api.example.com', '/orders/42?expand=items', `Bearer ${ordersToken}`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.body).toBe('');
    const jti = JSON.parse(Buffer.from(ordersToken.split('.')[1]!, 'base64url').toString()).jti as string;
    const platform = await services.platforms.findByName('acme');
    expect(response.headers).toMatchObject({
      'cache-control': 'no-store',
      'x-tessera-platform': 'acme',
      'x-tessera-platform-id': platform!.id,
      'x-tessera-credential-kind': 'oauth_client',
      'x-tessera-credential-id': acme.client_id,
      'x-tessera-scope': 'raas.all',
      'x-tessera-audience': ORDERS,
      'x-tessera-token-id': jti,
    });
  });

  it.skipIf(deployment.skip)('allows an API key (Basic platformName:apiKey), which holds every scope and has no token id', async () => {
    const response = await check(first, 'api.example.com', '/orders', basic('acme', acmeKey.api_key));
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers).toMatchObject({
      'x-tessera-platform': 'acme',
      'x-tessera-credential-kind': 'api_key',
      'x-tessera-credential-id': acmeKey.id,
      'x-tessera-scope': 'raas.all',
      'x-tessera-audience': ORDERS,
    });
    expect(response.headers['x-tessera-token-id']).toBeUndefined();
  });

  it.skipIf(deployment.skip)('reads the forwarded request as nginx (X-Original-*) and Envoy (the path after /forward-auth, the Host) send it', async () => {
    const nginx = await first.inject({
      method: 'GET',
      url: '/forward-auth',
      headers: { 'x-original-method': 'DELETE', 'x-original-host': 'API.Example.com', 'x-original-uri': '/orders/7', authorization: `Bearer ${ordersToken}` },
    });
    expect(nginx.statusCode, nginx.body).toBe(200);
    expect(nginx.headers['x-tessera-audience']).toBe(ORDERS);
    // Envoy ext_authz: the original method, Host and query; its path appended to /forward-auth.
    const envoy = await first.inject({
      method: 'POST',
      url: '/forward-auth/orders/7?audience=https://partners.example/api',
      headers: { host: 'api.example.com', authorization: `Bearer ${ordersToken}`, 'content-type': 'application/x-protobuf' },
      payload: Buffer.from([1, 2, 3]),
    });
    expect(envoy.statusCode, envoy.body).toBe(200);
    expect(envoy.headers['x-tessera-audience']).toBe(ORDERS);
  });

  it.skipIf(deployment.skip)('lets no client choose the API it is checked against: a forwarded URI outranks ?audience=, the Envoy path outranks headers', async () => {
    const forAnotherApi = {
      error: 'invalid_token',
      error_description: `The token is for another audience, not this API's: ask for a token for ${BILLING}`,
    };
    // Caddy's `uri /forward-auth` appends the client's query: `?audience=` of the client is not read when the URI is forwarded.
    expectRefused(
      await first.inject({
        method: 'GET',
        url: `/forward-auth?audience=${encodeURIComponent(ORDERS)}`,
        headers: { 'x-forwarded-host': 'api.example.com', 'x-forwarded-uri': '/billing/1', authorization: `Bearer ${ordersToken}` },
      }),
      401,
      forAnotherApi,
    );
    // Under /forward-auth/<path> (Envoy), a client's X-Forwarded-Uri or X-Forwarded-Host is not read.
    expectRefused(
      await first.inject({
        method: 'GET',
        url: '/forward-auth/billing/1',
        headers: { host: 'api.example.com', 'x-forwarded-host': 'elsewhere.example', 'x-forwarded-uri': '/orders/1', authorization: `Bearer ${ordersToken}` },
      }),
      401,
      forAnotherApi,
    );
  });

  it.skipIf(deployment.skip)('matches the path as the upstream routes it: dot segments resolved, percent-encoded ones too, prefixes on a segment boundary', async () => {
    const billing = `Bearer ${ordersToken}`;
    // /orders/../billing is billing's, so the orders token is for another API.
    expectRefused(
      await check(first, 'api.example.com', '/orders/%2e%2e/billing/x', billing),
      401,
      { error: 'invalid_token', error_description: `The token is for another audience, not this API's: ask for a token for ${BILLING}` },
      [`Bearer realm="${BILLING}", error="invalid_token", error_description="The token is for another audience, not this API's: ask for a token for ${BILLING}"`],
    );
    expectRefused(await check(first, 'api.example.com', '/ordersx', billing), 403, {
      error: 'unknown_api',
      error_description: 'No protected API is registered for host api.example.com and path /ordersx: register it with tessera api add',
    });
    expectRefused(await check(first, 'other.example.com', '/orders', billing), 403, {
      error: 'unknown_api',
      error_description: 'No protected API is registered for host other.example.com and path /orders: register it with tessera api add',
    });
    expectRefused(await check(first, 'api.example.com', 'http://evil.example/orders', billing), 400, {
      error: 'invalid_input',
      error_description: 'The forwarded URI must be an absolute path (origin-form, RFC 9112 §3.2.1), starting with /',
    });
  });

  it.skipIf(deployment.skip)('refuses without credentials, with wrong ones, and with a token for another audience, in the API’s realm', async () => {
    expectRefused(
      await check(first, 'api.example.com', '/orders', undefined),
      401,
      {
        error: 'credentials_required',
        error_description: 'Authentication is required: send Authorization: Bearer <access token> or Authorization: Basic base64(platformName:apiKey)',
      },
      [`Bearer realm="${ORDERS}"`, `Basic realm="${ORDERS}", charset="UTF-8"`],
    );
    expectRefused(
      await check(first, 'api.example.com', '/orders', basic('acme', 'not-the-key')),
      401,
      { error: 'invalid_credentials', error_description: 'The platform name or API key is not valid' },
      [`Basic realm="${ORDERS}", charset="UTF-8"`],
    );
    // A token for the default audience (/raas/v2's) is no token for this API.
    const raasToken = (await requestToken(first, await createTestClient(services, 'initech'))).json<{ access_token: string }>().access_token;
    expectRefused(await check(first, 'api.example.com', '/orders', `Bearer ${raasToken}`), 401, {
      error: 'invalid_token',
      error_description: `The token is for another audience, not this API's: ask for a token for ${ORDERS}`,
    });
    expectRefused(await check(first, 'api.example.com', '/orders', `Bearer ${ordersToken.slice(0, -2)}xx`), 401, {
      error: 'invalid_token',
      error_description: 'The token is not valid',
    });
  });

  it.skipIf(deployment.skip)('refuses a credential kind or a platform the API does not take (403)', async () => {
    expectRefused(await check(first, 'api.example.com', '/billing', basic('acme', acmeKey.api_key)), 403, {
      error: 'access_denied',
      error_description: `The API ${BILLING} does not accept API keys`,
    });
    expectRefused(await check(first, 'partners.example', '/partners/1', basic('acme', acmeKey.api_key)), 403, {
      error: 'access_denied',
      error_description: `The platform acme may not call the API ${PARTNERS}`,
    });
  });

  it.skipIf(deployment.skip)('never takes identity headers from the request it is asked about', async () => {
    const response = await check(first, 'api.example.com', '/orders', basic('acme', acmeKey.api_key), {
      'x-tessera-platform': 'globex',
      'x-tessera-credential-id': 'key_forged',
    });
    expect(response.headers['x-tessera-platform']).toBe('acme');
    expect(response.headers['x-tessera-credential-id']).toBe(acmeKey.id);
    expectRefused(await check(first, 'api.example.com', '/orders', undefined, { 'x-tessera-platform': 'acme' }), 401, {
      error: 'credentials_required',
      error_description: 'Authentication is required: send Authorization: Bearer <access token> or Authorization: Basic base64(platformName:apiKey)',
    });
  });

  it.skipIf(deployment.skip)('refuses a revoked token, a deactivated client and a deactivated key on every instance at once', async () => {
    const bob = await createTestClient(services, 'hooli', 'Bob');
    const token = (await requestToken(first, bob, { audience: ORDERS })).json<{ access_token: string }>().access_token;
    expect((await check(last, 'api.example.com', '/orders', `Bearer ${token}`)).statusCode).toBe(200);
    expect((await postForm(first, '/oauth/revoke', form({ token }), { authorization: basic(bob.client_id, bob.client_secret) })).statusCode).toBe(200);
    expectRefused(await statusWithin(() => check(last, 'api.example.com', '/orders', `Bearer ${token}`), 401, 1000), 401, {
      error: 'invalid_token',
      error_description: 'The token has been revoked',
    });

    const carol = await createTestClient(services, 'hooli', 'Carol');
    const carolToken = (await requestToken(first, carol, { audience: ORDERS })).json<{ access_token: string }>().access_token;
    expect((await check(last, 'api.example.com', '/orders', `Bearer ${carolToken}`)).statusCode).toBe(200);
    await setClientStatus(services, carol.client_id, 'inactive');
    expectRefused(await statusWithin(() => check(last, 'api.example.com', '/orders', `Bearer ${carolToken}`), 401, 1000), 401, {
      error: 'invalid_token',
      error_description: "The token's client credential is no longer active",
    });

    const key = await createApiKey(services, 'acme');
    expect((await check(last, 'api.example.com', '/orders', basic('acme', key.api_key))).statusCode).toBe(200);
    await setApiKeyStatus(services, key.id, 'inactive');
    expectRefused(await statusWithin(() => check(last, 'api.example.com', '/orders', basic('acme', key.api_key)), 401, 1000), 401, {
      error: 'invalid_credentials',
      error_description: 'The platform name or API key is not valid',
    });
  });

  it.skipIf(deployment.skip)('names the API with ?audience= (the verification library), and forgets a removed API on every instance', async () => {
    const TEMPORARY = 'https://temporary.example/api';
    await addApi(services, TEMPORARY, { pathPrefix: '/temporary' });
    const token = (await requestToken(first, await createTestClient(services, 'umbrella'), { audience: TEMPORARY })).json<{ access_token: string }>().access_token;
    const named = () => last.inject({ method: 'GET', url: `/forward-auth?audience=${encodeURIComponent(TEMPORARY)}`, headers: { authorization: `Bearer ${token}` } });
    expect((await statusWithin(named, 200, 1000)).headers['x-tessera-audience']).toBe(TEMPORARY);
    await removeApi(services, TEMPORARY);
    expectRefused(await statusWithin(named, 403, 1000), 403, {
      error: 'unknown_api',
      error_description: `No protected API is registered with the audience ${TEMPORARY}: register it with tessera api add`,
    });
  });
});
