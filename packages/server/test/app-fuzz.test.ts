import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDeployment } from './support/bootstrap.js';
import { STORE_KINDS, type TestEnvironment } from './support/services.js';
import { respellings, type Tenant } from './support/tenants.js';

/** A seeded generator (mulberry32): the same requests on every run, so a failure can be replayed. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PATHS = [
  '/oauth/token',
  '/oauth/introspect',
  '/oauth/revoke',
  '/raas/v2/customers',
  '/raas/v2/customers/c1',
  '/raas/v2/customers/c1/accounts',
  '/raas/v2/accounts',
  '/raas/v2/accounts/a1',
  '/.well-known/jwks.json',
  '/.well-known/oauth-authorization-server',
];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'] as const;
const CONTENT_TYPES = ['application/json', 'application/x-www-form-urlencoded', 'text/plain', 'application/json; charset=utf-16', 'multipart/form-data', ''];
const REQUESTS = 2000;

/** Every bad input gets a 4xx (an OAuth one with a §5.2-clean description), never a 5xx: random methods, paths, headers and bodies, valid credentials among them. */
describe.each(STORE_KINDS)('random requests (%s)', (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let tenant: Tenant;

  beforeAll(async () => {
    ({ env, app, tenants: { fuzzco: tenant } } = await startDeployment({ store, config: { quotaIntervalSeconds: 0 }, tenants: ['fuzzco'] }));
  });
  afterAll(async () => env?.close());

  it(`answers ${REQUESTS} of them without a server error`, async () => {
    const random = seeded(20261129);
    const pieces = ['', ' ', ':', '%', '%00', '\u0000', '\ud800', '"', '\\', '{', '}', '=', '&', '+', 'Basic', 'Bearer', 'a'.repeat(300)];
    pieces.push(tenant.clientId, tenant.clientSecret, tenant.platformName, tenant.apiKey, tenant.token, 'client_credentials', 'raas.all', '__proto__', '..', '/', '?', '\r\n', 'é', '🎉');
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
    const garbage = () => Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(pieces)).join('');
    const wellFormed = (text: string) => text.replace(/[\ud800-\udfff]/g, '');
    /** A valid set of fields with one of them replaced by garbage, or left out. */
    const mutate = (fields: Record<string, string>) => {
      const name = pick(Object.keys(fields));
      const copy: Record<string, string> = { ...fields };
      if (random() < 0.2) delete copy[name];
      else copy[name] = garbage();
      return copy;
    };
    const body = (fields: Record<string, string>, json: boolean) =>
      json
        ? { type: 'application/json', payload: JSON.stringify(fields) }
        : { type: 'application/x-www-form-urlencoded', payload: new URLSearchParams(Object.entries(fields).map(([k, v]): [string, string] => [k, wellFormed(v)])).toString() };
    const tokenFields = { grant_type: 'client_credentials', client_id: tenant.clientId, client_secret: tenant.clientSecret, audience: env.config.audience, scope: 'raas.all' };
    const clientBasic = `Basic ${Buffer.from(`${tenant.clientId}:${tenant.clientSecret}`).toString('base64')}`;

    const tokenSpellings = respellings(tenant.token);
    /** A JSON value that JSON.parse would drop: the credentials hidden in nested arrays and objects. */
    const hiding = (depth: number): string => {
      const inner = `"client_id","${tenant.clientId}","client_secret","${tenant.clientSecret}","grant_type","client_credentials"`;
      if (depth === 0) return random() < 0.5 ? `[${inner}]` : `{"a":[${inner}]}`;
      return random() < 0.5 ? `[${hiding(depth - 1)}]` : `{"x":${hiding(depth - 1)}}`;
    };

    /**
     * Requests shaped like real ones, one part wrong; requests with nothing right; and the hostile shapes
     * of the adversarial review, which must be refused exactly (`expect`).
     */
    type Shape = { method: string; url: string; headers: Record<string, string | string[]>; payload?: string; expect?: { status: number; body?: unknown } };
    const shapes: Array<() => Shape> = [
      () => {
        const { type, payload } = body(mutate(tokenFields), random() < 0.5);
        return { method: 'POST', url: '/oauth/token', headers: { 'content-type': type }, payload };
      },
      () => {
        const { type, payload } = body(mutate({ token: tenant.token, token_type_hint: 'access_token' }), random() < 0.5);
        return { method: 'POST', url: pick(['/oauth/introspect', '/oauth/revoke']), headers: { 'content-type': type, authorization: clientBasic }, payload };
      },
      () => ({
        method: 'POST',
        url: '/raas/v2/customers',
        headers: { 'content-type': 'application/json', authorization: pick([tenant.basic, tenant.bearer]) },
        payload: JSON.stringify(mutate({ customerIdentifier: `c${Math.floor(random() * 1e9)}`, displayName: 'Customer' })),
      }),
      () => ({
        method: 'POST',
        url: '/raas/v2/customers/c1/accounts',
        headers: { 'content-type': 'application/json', authorization: pick([tenant.basic, tenant.bearer]) },
        payload: JSON.stringify(mutate({ accountIdentifier: `a${Math.floor(random() * 1e9)}`, displayName: 'Account', contactEmail: 'a@example.com' })),
      }),
      () => ({
        method: 'GET',
        url: `${pick(['/raas/v2/customers/', '/raas/v2/accounts/'])}${encodeURIComponent(wellFormed(garbage())).slice(0, 120)}${pick(['', '/accounts', '/%Z'])}`,
        headers: { authorization: pick([tenant.basic, tenant.bearer]) },
      }),
      () => {
        const credentials = random() < 0.5 ? Buffer.from(garbage()).toString('base64') : garbage().replace(/[^\x20-\x7e]/g, '');
        return { method: 'GET', url: pick(PATHS), headers: { authorization: `${pick(['Basic', 'Bearer', 'bearer', 'Digest'])} ${credentials}` } };
      },
      () => ({
        method: pick(METHODS),
        url: pick(PATHS) + (random() < 0.3 ? encodeURIComponent(wellFormed(garbage())).slice(0, 60) : ''),
        headers: { 'content-type': pick(CONTENT_TYPES), authorization: pick([tenant.basic, tenant.bearer, clientBasic, garbage().replace(/[^\x20-\x7e]/g, '')]) },
        payload: garbage(),
      }),
      // Two Authorization headers on /oauth/*: refused whatever they hold (RFC 9110: not a list).
      () => {
        const { type, payload } = body(random() < 0.5 ? tokenFields : { token: tenant.token }, random() < 0.5);
        const authorization = [pick([clientBasic, tenant.basic, tenant.bearer, garbage().replace(/[^\x20-\x7e]/g, '')]), pick([clientBasic, tenant.basic, 'Basic '])];
        const expected = { status: 400, body: { error: 'invalid_request', error_description: 'Send credentials once: one Authorization header' } };
        return { method: 'POST', url: pick(['/oauth/token', '/oauth/introspect', '/oauth/revoke']), headers: { 'content-type': type, authorization }, payload, expect: expected };
      },
      // A JSON name given twice, one of them hiding credentials where JSON.parse drops them.
      () => {
        const name = pick(['p', 'grant_type', 'client_id', 'client_secret', 'scope', '__proto__']);
        const members = [`"${name}":${hiding(Math.floor(random() * 3))}`, `"${name}":"s"`];
        if (random() < 0.5) members.reverse();
        const payload = `{${members.join(',')}}`;
        const expected = { status: 400, body: { error: 'invalid_request', error_description: `The ${name} parameter is given more than once` } };
        return { method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/json' }, payload, expect: expected };
      },
      // Another spelling of a valid token: never accepted, never the same token.
      () => {
        const spelling = pick(tokenSpellings);
        if (random() < 0.5) {
          const { type, payload } = body({ token: spelling }, random() < 0.5);
          return { method: 'POST', url: '/oauth/introspect', headers: { 'content-type': type, authorization: clientBasic }, payload, expect: { status: 200, body: { active: false } } };
        }
        return { method: 'GET', url: '/raas/v2/whoami', headers: { authorization: `Bearer ${spelling}` }, expect: { status: /=[^=]/.test(spelling) ? 400 : 401 } };
      },
    ];

    const statuses = new Map<number, number>();
    const unexpected: string[] = [];
    const serverErrors: string[] = [];
    const badDescriptions: string[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const { method, url, headers, payload, expect: expected } = pick(shapes)();
      if (headers['content-type'] === '') delete headers['content-type'];
      const response = await app.inject({ method: method as 'GET', url, headers, payload: method === 'GET' || method === 'HEAD' ? undefined : payload });
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      // The failure throttle may answer first (429): that too refuses the request.
      if (expected && response.statusCode !== 429 && (response.statusCode !== expected.status || (expected.body !== undefined && JSON.stringify(response.json()) !== JSON.stringify(expected.body)))) {
        unexpected.push(`${method} ${url} ${JSON.stringify(headers)} ${payload} -> ${response.statusCode} ${response.body}`);
      }
      if (response.statusCode >= 500) serverErrors.push(`${response.statusCode} ${method} ${url} ${JSON.stringify(headers)} ${payload} -> ${response.body}`);
      // RFC 6749 §5.2: whatever the request quoted, an error_description keeps to its characters.
      if (url.startsWith('/oauth/') && response.statusCode >= 400 && method !== 'HEAD') {
        const description = response.json<{ error_description?: string }>().error_description ?? '';
        if (!/^[\x20\x21\x23-\x5b\x5d-\x7e]*$/.test(description)) badDescriptions.push(description);
      }
      // Keep the failure throttle's window moving, so that later requests still reach the handlers.
      if (i % 200 === 199) env.clock.advance(61_000);
    }

    expect(serverErrors).toEqual([]);
    expect(unexpected).toEqual([]);
    expect(badDescriptions).toEqual([]);
    // The run reached the handlers, not only the refusals at the door.
    for (const status of [200, 201, 400, 401, 404]) expect(statuses.get(status) ?? 0, `status ${status}`).toBeGreaterThan(0);
    // A few seconds alone; minutes on a busy CI machine with PostgreSQL.
  }, 240_000);
});
