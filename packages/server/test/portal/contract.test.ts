import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance, type LightMyRequestResponse, type RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/credentials/api-keys.js';
import { PORTAL_API_PREFIX, portalApi } from '../../src/portal/portal-api.js';
import type { Services } from '../../src/services.js';
import { startDeployment } from '../support/bootstrap.js';
import { newestMailTo, signUpToken } from '../support/mail.js';
import { PASSWORD, PortalBrowser } from '../support/portal.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';
import { basic, placeTestOrder } from '../support/tenants.js';

/*
 * Issue 21, point 7: the portal API's bodies are written once, as TypeBox schemas in the server's contract
 * (src/portal/contract/), in one casing (camelCase); the routes answer through them and the portal imports
 * their types.
 */

const ROOT = path.resolve(import.meta.dirname, '../../../..');
const CONTRACT = path.join(ROOT, 'packages/server/src/portal/contract');

/** Every key of every object in `value`, however deep, with where it was. */
function keysOf(value: unknown, at = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => keysOf(item, `${at}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => [`${at}.${key}`, ...keysOf(inner, `${at}.${key}`)]);
}

/** A portal browser that keeps every JSON answer it reads, with its request. */
class RecordingBrowser extends PortalBrowser {
  static readonly answers: Array<{ request: string; body: unknown }> = [];

  override async request(method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse> {
    const response = await super.request(method, url, body, headers);
    if (String(response.headers['content-type'] ?? '').startsWith('application/json')) RecordingBrowser.answers.push({ request: `${method} ${url} ${response.statusCode}`, body: response.json() });
    return response;
  }
}

describe('the portal API contract', () => {
  it('gives every /portal/api route a response schema for its success status', async () => {
    const { env, services } = await startDeployment();
    try {
      const routes: RouteOptions[] = [];
      const app = Fastify({ logger: false });
      app.addHook('onRoute', (route) => {
        routes.push(route);
      });
      await app.register(fastifyCookie);
      await app.register(portalApi, { deps: services, prefix: PORTAL_API_PREFIX });
      await app.ready();
      await app.close();

      const portalRoutes = routes.filter((route) => route.url.startsWith(`${PORTAL_API_PREFIX}/`) && route.method !== 'HEAD');
      expect(portalRoutes.length).toBeGreaterThan(30);
      const without = portalRoutes
        .filter((route) => !Object.keys((route.schema?.response ?? {}) as object).some((status) => /^2\d\d$/.test(status)))
        .map((route) => `${String(route.method)} ${route.url}`);
      expect(without).toStrictEqual([]);
    } finally {
      await env.close();
    }
  });

  it('is TypeBox alone: its files import typebox and each other, nothing of the server', async () => {
    const files = (await readdir(CONTRACT)).filter((name) => name.endsWith('.ts'));
    expect(files).toContain('index.ts');
    for (const file of files) {
      const text = await readFile(path.join(CONTRACT, file), 'utf8');
      const imported = [...text.matchAll(/\bfrom\s+'([^']+)'/g)].map((match) => match[1]);
      expect({ file, imported: imported.filter((name) => name !== 'typebox' && !/^\.\/[a-z-]+\.js$/.test(name!)) }).toStrictEqual({ file, imported: [] });
    }
  });

  it('is where the portal takes its API types from: types.ts re-exports them and declares none by hand', async () => {
    const text = await readFile(path.join(ROOT, 'packages/portal/src/api/types.ts'), 'utf8');
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '').trim();
    expect(code).toMatch(/^export type \{[\w\s,]+\} from '@tessera\/portal-contract';$/);
  });
});

describe.each(STORE_KINDS)('the portal API on %s', (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;

  beforeAll(async () => {
    ({ env, app, services } = await startDeployment({ store }));
  });
  afterAll(async () => env?.close());

  it('answers camelCase keys only, through sign-up, credentials, the team, the audit log, accounts and orders', async () => {
    const ann = new RecordingBrowser(app);
    expect((await ann.get('/signup')).json()).toStrictEqual({ mode: 'verified' });
    const requested = await ann.post('/signup', { email: 'camel@example.com', platformName: 'camels' });
    expect(requested.json()).toStrictEqual({ status: 'link_sent', expiresIn: 3600, outbox: true });
    const token = signUpToken(await newestMailTo(app, 'camel@example.com'))!;
    expect((await ann.post('/signup/preview', { token })).json()).toStrictEqual({ platform: 'camels', email: 'camel@example.com' });
    expect((await ann.post('/signup/finish', { token, password: PASSWORD })).statusCode).toBe(201);
    await ann.get('/session');
    await ann.post('/session/reauth', { password: PASSWORD });

    const client = (await ann.post('/oauth-clients', { name: 'Camel' })).json();
    await ann.get('/oauth-clients');
    await ann.post(`/oauth-clients/${client.clientId}/reset-quota`);
    await ann.post(`/oauth-clients/${client.clientId}/deactivate`);
    await ann.post(`/oauth-clients/${client.clientId}/activate`);

    const key = (await ann.post('/api-keys')).json();
    await ann.get('/api-keys');
    await ann.post(`/api-keys/${key.id}/reveal`);
    await ann.post(`/api-keys/${key.id}/copy`);
    await ann.post(`/api-keys/${key.id}/deactivate`);

    const { link } = (await ann.post('/invitations', { email: 'dromedary@example.com', role: 'member' })).json();
    const invitationToken = link.split('/').at(-1);
    await ann.post('/invitations/preview', { token: invitationToken });
    expect((await new RecordingBrowser(app).post('/invitations/accept', { token: invitationToken, password: PASSWORD })).statusCode).toBe(201);
    await ann.post('/invitations', { email: 'bactrian@example.com', role: 'admin' });
    await ann.get('/users');

    const order = await placeTestOrder(app, basic('camels', (await createApiKey(services, 'camels')).api_key));
    await ann.get('/accounts');
    const card = (await ann.post('/accounts/acct-1/cards', { label: 'Camel card', cardNumber: '4111111111111111', expiration: '2030-12', securityCode: '123' })).json();
    await ann.post('/accounts/acct-1/deposits', { creditCardToken: card.token, amountCents: 1000 });
    await ann.post(`/accounts/acct-1/cards/${card.token}/unregister`);
    await ann.get('/accounts/acct-1');
    await ann.get('/orders');
    await ann.get(`/orders/${order}`);
    await ann.post(`/orders/${order}/reward/reveal`);
    await ann.post(`/orders/${order}/resends`, {});
    await ann.get('/audit?limit=5');

    const answers = RecordingBrowser.answers.splice(0);
    const failed = answers.filter((answer) => !/ 20\d$/.test(answer.request));
    expect(failed).toStrictEqual([]);
    expect(answers.length).toBe(31);
    const snakeCase = answers.flatMap(({ request, body }) => keysOf(body).filter((key) => key.includes('_')).map((key) => `${request}: ${key}`));
    expect(snakeCase).toStrictEqual([]);
  });
});
