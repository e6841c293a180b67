import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, setApiKeyStatus } from '../../src/credentials/api-keys.js';
import { setClientStatus } from '../../src/credentials/oauth-clients.js';
import { addApi } from '../../src/credentials/protected-apis.js';
import type { Services } from '../../src/services.js';
import { issueAccessToken } from '../../src/tokens/access-token.js';
import { startDeployment } from './bootstrap.js';
import { freePort } from './listen.js';
import { basic, requestToken, wrongByOneCharacter } from './oauth.js';
import {
  challengesOf,
  identityHeadersOf,
  type Ports,
  type ProxyResponse,
  type RunningProxy,
  type SeenRequest,
  send,
  startUpstream,
} from './proxies.js';
import { HOUR, type TestEnvironment } from './services.js';
import { createTestClient } from './tenants.js';

/** A proxy the suite runs: how to start its documented configuration, and how it passes a refusal on. */
export interface ProxyUnderTest {
  name: string;
  skip: string | false;
  /** Starts the proxy, in `dir` (a temporary folder the suite removes), on `ports.proxy`. */
  start: (ports: Ports, dir: string) => Promise<RunningProxy>;
  /**
   * What the client gets of Tessera's 401: `tessera`, its status, challenges and JSON body as they are
   * (Caddy, HAProxy); `challenges`, its status and challenges under the proxy's own body (nginx:
   * docs/protect-your-api.md, nginx, *The challenge*).
   */
  refusals: 'tessera' | 'challenges';
  /**
   * Whether a client's `X-Tessera-*` header other than the seven Tessera sets is removed too (Caddy,
   * HAProxy) or reaches the upstream (nginx, which overwrites only the seven: the doc says so).
   */
  stripsOtherIdentityHeaders: boolean;
  /** The body of the 429 a client gets once Tessera's failure throttle refuses it (with Tessera's Retry-After). */
  whenThrottled: string;
  /** The proxy's answer when Tessera does not answer at all (the doc's table, *Tessera unreachable*); the body where it is the doc's. */
  whenTesseraIsDown: { status: number; body?: string };
}

const API = 'https://api.example.com/';
const OTHER_API = 'https://other.example.com/';
const HOST = 'api.example.com';
const CREDENTIALS_REQUIRED =
  'Authentication is required: send Authorization: Bearer <access token> or Authorization: Basic base64(platformName:apiKey)';
const ANOTHER_AUDIENCE = `The token is for another audience, not this API's: ask for a token for ${API}`;
const BEARER_CHALLENGE = `Bearer realm="${API}"`;
const BASIC_CHALLENGE = `Basic realm="${API}", charset="UTF-8"`;
/** Tessera's own 429 body (credentials/failure-throttle.ts), for proxies that pass it on. */
export const THROTTLED_BY_TESSERA = JSON.stringify({ error: 'too_many_failures', error_description: 'Too many failed authentication attempts from this address' });
/** Failed authentications per address (TESSERA_AUTH_FAILURE_LIMIT) in this suite: above what the other tests fail. */
const FAILURE_LIMIT = 40;
const bearerError = (description: string) => `${BEARER_CHALLENGE}, error="invalid_token", error_description="${description}"`;

/** The seven identity headers, as a client trying to pass as someone else sends them: every casing, one twice. */
const SPOOFED: Array<[string, string]> = [
  ['X-Tessera-Platform', 'evil'],
  ['x-tessera-platform', 'evil-again'],
  ['X-TESSERA-PLATFORM-ID', 'evil'],
  ['x-Tessera-Credential-Kind', 'evil'],
  ['X-Tessera-Credential-Id', 'evil'],
  ['x-tessera-scope', 'evil'],
  ['X-Tessera-Audience', 'evil'],
  ['X-Tessera-Token-Id', 'evil'],
];
/** A header under Tessera's prefix that Tessera never sets. */
const SPOOFED_OTHER: [string, string] = ['X-Tessera-Role', 'admin'];

/** Claims of a token, read without verifying it (it came from the token endpoint). */
function jtiOf(token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti;
}

/**
 * Tessera on a real port, the documented proxy configuration and a stand-in upstream (test/support/proxies.ts):
 * what docs/protect-your-api.md promises of forward auth, through `proxy` (issue 23, *Done means*).
 */
export function describeForwardAuthThrough(proxy: ProxyUnderTest): void {
  describe.skipIf(proxy.skip)(`forward auth through ${proxy.name}, as docs/protect-your-api.md configures it`, () => {
    let env: TestEnvironment | undefined;
    let app: FastifyInstance;
    let services: Services;
    let upstream: Awaited<ReturnType<typeof startUpstream>> | undefined;
    let running: RunningProxy | undefined;
    let dir: string | undefined;
    let ports: Ports;
    let platformId: string;
    let clientId: string;
    let token: string;
    let otherApiToken: string;
    let key: { id: string; api_key: string };

    beforeAll(async () => {
      const tesseraPort = await freePort();
      // The proxy sends the client's address in X-Forwarded-For (the doc's TESSERA_TRUST_PROXY).
      ({ env, app, services } = await startDeployment({ config: { publicUrl: `http://127.0.0.1:${tesseraPort}`, trustProxy: ['127.0.0.1'], authFailureLimit: FAILURE_LIMIT } }));
      await app.listen({ host: '127.0.0.1', port: tesseraPort });
      upstream = await startUpstream();
      ports = { tessera: tesseraPort, upstream: upstream.port, proxy: await freePort() };
      dir = await mkdtemp(path.join(tmpdir(), `tessera-${proxy.name.toLowerCase()}-`));
      running = await proxy.start(ports, dir);

      await addApi(services, API, { host: HOST, pathPrefix: '/v1' });
      await addApi(services, OTHER_API, { pathPrefix: '/other' });
      const client = await createTestClient(services, 'acme');
      clientId = client.client_id;
      platformId = (await services.platforms.findByName('acme'))!.id;
      token = await tokenFor(client, API);
      otherApiToken = await tokenFor(await createTestClient(services, 'globex'), OTHER_API);
      key = await createApiKey(services, 'acme');
    });
    afterAll(async () => {
      await running?.stop();
      await upstream?.close();
      await env?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    async function tokenFor(client: { client_id: string; client_secret: string }, audience: string): Promise<string> {
      const granted = await requestToken(app, client, { audience });
      expect(granted.statusCode, granted.body).toBe(200);
      return granted.json<{ access_token: string }>().access_token;
    }

    /** GET /v1/orders through the proxy, as a client of api.example.com. */
    const call = (authorization?: string, extra: Array<[string, string]> = [], target = '/v1/orders') =>
      send(ports.proxy, { path: target, headers: [['Host', HOST], ...(authorization ? ([['Authorization', authorization]] as Array<[string, string]>) : []), ...extra] });

    /** Sends `request` and asserts the upstream never heard of it. */
    async function refusedBeforeUpstream(request: () => Promise<ProxyResponse>): Promise<ProxyResponse> {
      const before = upstream!.seen.length;
      const response = await request();
      expect(upstream!.seen.slice(before)).toStrictEqual([]);
      return response;
    }

    /** The 401 the client gets for Tessera's `error`, `description` and `challenges`, as this proxy passes it on. */
    function expectUnauthorized(response: ProxyResponse, error: string, description: string, challenges: string[]): void {
      expect(response.status, response.body).toBe(401);
      expect(challengesOf(response)).toStrictEqual(challenges);
      if (proxy.refusals === 'tessera') {
        expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(JSON.parse(response.body)).toStrictEqual({ error, error_description: description });
      }
      expect(Object.keys(response.headers).filter((name) => name.startsWith('x-tessera-'))).toStrictEqual([]);
    }

    const lastSeen = (): SeenRequest => upstream!.seen.at(-1)!;

    it('passes a Bearer token for the API, with the original method, path and query and the caller’s identity', async () => {
      const response = await send(ports.proxy, {
        method: 'DELETE',
        path: '/v1/orders/42?expand=items&force=1',
        headers: [['Host', HOST], ['Authorization', `Bearer ${token}`]],
      });
      expect(response.status, response.body).toBe(200);
      expect(response.body).toBe('{"ok":true}');
      expect(lastSeen()).toMatchObject({ method: 'DELETE', url: '/v1/orders/42?expand=items&force=1' });
      expect(identityHeadersOf(lastSeen())).toStrictEqual({
        'x-tessera-platform': 'acme',
        'x-tessera-platform-id': platformId,
        'x-tessera-credential-kind': 'oauth_client',
        'x-tessera-credential-id': clientId,
        'x-tessera-scope': 'raas.all',
        'x-tessera-audience': API,
        'x-tessera-token-id': jtiOf(token),
      });
    });

    it('passes an API key (Basic platformName:apiKey), with no token id', async () => {
      const response = await send(ports.proxy, { method: 'PUT', path: '/v1/orders/7?dry_run=true', headers: [['Host', HOST], ['Authorization', basic('acme', key.api_key)]], body: '' });
      expect(response.status, response.body).toBe(200);
      expect(lastSeen()).toMatchObject({ method: 'PUT', url: '/v1/orders/7?dry_run=true' });
      expect(identityHeadersOf(lastSeen())).toStrictEqual({
        'x-tessera-platform': 'acme',
        'x-tessera-platform-id': platformId,
        'x-tessera-credential-kind': 'api_key',
        'x-tessera-credential-id': key.id,
        'x-tessera-scope': 'raas.all',
        'x-tessera-audience': API,
      });
    });

    it('passes a POST body to the upstream intact (the check never reads it)', async () => {
      // Larger than nginx's in-memory client body buffer (16 KiB on 64-bit), smaller than its 1 MiB limit.
      const body = JSON.stringify({ note: randomBytes(150_000).toString('base64') });
      const response = await send(ports.proxy, {
        method: 'POST',
        path: '/v1/orders?idempotency=abc',
        headers: [['Host', HOST], ['Authorization', `Bearer ${token}`], ['Content-Type', 'application/json']],
        body,
      });
      expect(response.status, response.body).toBe(200);
      expect(lastSeen()).toMatchObject({ method: 'POST', url: '/v1/orders?idempotency=abc', body });
      expect(lastSeen().headers['content-type']).toBe('application/json');
    });

    it('refuses a request without credentials with 401 and the challenges, and never calls the upstream', async () => {
      expectUnauthorized(await refusedBeforeUpstream(() => call()), 'credentials_required', CREDENTIALS_REQUIRED, [BEARER_CHALLENGE, BASIC_CHALLENGE]);
    });

    it('refuses a wrong key, a wrong token, an expired token and a token for another API, never calling the upstream', async () => {
      expectUnauthorized(
        await refusedBeforeUpstream(() => call(basic('acme', wrongByOneCharacter(key.api_key)))),
        'invalid_credentials',
        'The platform name or API key is not valid',
        [BASIC_CHALLENGE],
      );
      expectUnauthorized(await refusedBeforeUpstream(() => call(`Bearer ${wrongByOneCharacter(token)}`)), 'invalid_token', 'The token is not valid', [
        bearerError('The token is not valid'),
      ]);
      const { token: expired } = await issueAccessToken(services.signingKeys, {
        issuer: services.config.publicUrl,
        audience: API,
        clientId,
        platform: 'acme',
        scope: 'raas.all',
        ttlSeconds: 60,
        now: services.now() - HOUR,
      });
      expectUnauthorized(await refusedBeforeUpstream(() => call(`Bearer ${expired}`)), 'invalid_token', 'The token has expired', [
        bearerError('The token has expired'),
      ]);
      expectUnauthorized(await refusedBeforeUpstream(() => call(`Bearer ${otherApiToken}`)), 'invalid_token', ANOTHER_AUDIENCE, [bearerError(ANOTHER_AUDIENCE)]);
      // The client cannot pick the API its credential is checked for: not with ?audience=, nor with forwarding headers of its own.
      expectUnauthorized(
        await refusedBeforeUpstream(() =>
          call(
            `Bearer ${otherApiToken}`,
            [
              ['X-Forwarded-Uri', '/other/orders'],
              ['X-Original-URI', '/other/orders'],
              ['X-Forwarded-Host', 'other.example.com'],
              ['X-Original-Host', 'other.example.com'],
            ],
            `/v1/orders?audience=${encodeURIComponent(OTHER_API)}`,
          ),
        ),
        'invalid_token',
        ANOTHER_AUDIENCE,
        [bearerError(ANOTHER_AUDIENCE)],
      );
    });

    it('refuses a deactivated key and a deactivated client’s token within a second, never calling the upstream', async () => {
      const client = await createTestClient(services, 'hooli');
      const deactivated = await createApiKey(services, 'hooli');
      const clientToken = await tokenFor(client, API);
      for (const [authorization, deactivate, error, description, challenge] of [
        [basic('hooli', deactivated.api_key), () => setApiKeyStatus(services, deactivated.id, 'inactive'), 'invalid_credentials', 'The platform name or API key is not valid', BASIC_CHALLENGE],
        [
          `Bearer ${clientToken}`,
          () => setClientStatus(services, client.client_id, 'inactive'),
          'invalid_token',
          "The token's client credential is no longer active",
          bearerError("The token's client credential is no longer active"),
        ],
      ] as const) {
        expect((await call(authorization)).status).toBe(200);
        const started = Date.now();
        await deactivate();
        let response = await call(authorization);
        while (response.status === 200 && Date.now() - started < 1_000) response = await call(authorization);
        const elapsed = Date.now() - started;
        expect(elapsed).toBeLessThan(1_000);
        expectUnauthorized(await refusedBeforeUpstream(() => call(authorization)), error, description, [challenge]);
        expectUnauthorized(response, error, description, [challenge]);
      }
    });

    it('never lets a client’s identity headers through: the upstream sees Tessera’s values only', async () => {
      for (const [authorization, identity] of [
        [basic('acme', key.api_key), { 'x-tessera-credential-kind': 'api_key', 'x-tessera-credential-id': key.id }],
        [`Bearer ${token}`, { 'x-tessera-credential-kind': 'oauth_client', 'x-tessera-credential-id': clientId, 'x-tessera-token-id': jtiOf(token) }],
      ] as const) {
        const response = await call(authorization, [...SPOOFED, SPOOFED_OTHER]);
        expect(response.status, response.body).toBe(200);
        expect(identityHeadersOf(lastSeen())).toStrictEqual({
          'x-tessera-platform': 'acme',
          'x-tessera-platform-id': platformId,
          'x-tessera-scope': 'raas.all',
          'x-tessera-audience': API,
          ...identity,
          ...(proxy.stripsOtherIdentityHeaders ? {} : { 'x-tessera-role': 'admin' }),
        });
        expect(lastSeen().rawHeaders.filter((value) => value.startsWith('evil'))).toStrictEqual([]);
      }
    });

    it('never lets a request with spoofed identity headers and no or wrong credentials reach the upstream', async () => {
      expectUnauthorized(await refusedBeforeUpstream(() => call(undefined, [...SPOOFED, SPOOFED_OTHER])), 'credentials_required', CREDENTIALS_REQUIRED, [
        BEARER_CHALLENGE,
        BASIC_CHALLENGE,
      ]);
      expectUnauthorized(
        await refusedBeforeUpstream(() => call(basic('acme', wrongByOneCharacter(key.api_key)), [...SPOOFED, SPOOFED_OTHER])),
        'invalid_credentials',
        'The platform name or API key is not valid',
        [BASIC_CHALLENGE],
      );
    });

    // Next to last: every address the proxy may report for the test (the client's X-Forwarded-For, which
    // nginx appends to, or 127.0.0.1) is throttled from here on (the clock is frozen).
    it('answers 429 with Tessera’s Retry-After once a client has failed too often, never calling the upstream', async () => {
      const wrong = basic('acme', wrongByOneCharacter(key.api_key));
      const attempt = () => refusedBeforeUpstream(() => call(wrong, [['X-Forwarded-For', '192.0.2.7']]));
      let response = await attempt();
      for (let i = 0; i < FAILURE_LIMIT && response.status === 401; i++) response = await attempt();
      expect(response.status, response.body).toBe(429);
      expect(response.headers['retry-after']).toMatch(/^[1-9][0-9]*$/);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body).toBe(proxy.whenThrottled);
    });

    // Last: Tessera stops listening for the rest of the file.
    it('refuses every request, and never calls the upstream, once Tessera does not answer', async () => {
      await new Promise<void>((resolve) => {
        app.server.close(() => resolve());
        app.server.closeAllConnections();
      });
      const response = await refusedBeforeUpstream(() => call(basic('acme', key.api_key)));
      const { status, body } = proxy.whenTesseraIsDown;
      expect(response.status, response.body).toBe(status);
      if (body !== undefined) expect(response.body).toBe(body);
      expect(Object.keys(response.headers).filter((name) => name.startsWith('x-tessera-'))).toStrictEqual([]);
    });
  });
}
