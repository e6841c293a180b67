import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPortalDist } from '../../src/portal/portal-dist.js';
import { PortalBrowser } from '../support/portal.js';
import { startDeployment } from '../support/bootstrap.js';
import type { TestEnvironment } from '../support/services.js';

const CSP = "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;connect-src 'self';frame-ancestors 'none';base-uri 'none';form-action 'self';object-src 'none'";

function expectSecurityHeaders(response: LightMyRequestResponse): void {
  expect(response.headers).toMatchObject({
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  });
}

describe('the portal site', () => {
  let env: TestEnvironment;
  let dist: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    // A stand-in for the SPA's build, in a folder of the test's own (packages/portal belongs to the SPA).
    dist = await mkdtemp(path.join(tmpdir(), 'tessera-portal-dist-'));
    await mkdir(path.join(dist, 'assets'));
    await writeFile(path.join(dist, 'index.html'), '<!doctype html><title>Tessera</title><script type="module" src="/assets/index-abc123.js"></script>');
    await writeFile(path.join(dist, 'assets', 'index-abc123.js'), 'console.log("portal")');
    ({ env, app } = await startDeployment({ appOptions: { portalDist: dist } }));
  });
  afterAll(async () => {
    await env?.close();
    await rm(dist, { recursive: true, force: true });
  });

  it('serves index.html at / uncached, with the security headers', async () => {
    for (const url of ['/', '/index.html']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.body).toContain('<title>Tessera</title>');
      expectSecurityHeaders(response);
    }
    expect((await app.inject({ method: 'HEAD', url: '/' })).statusCode).toBe(200);
  });

  it('serves hashed assets for a year, with the security headers', async () => {
    const response = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.body).toBe('console.log("portal")');
    expectSecurityHeaders(response);
  });

  it('puts the security headers and no-store on every answer of the portal API, errors included', async () => {
    const browser = new PortalBrowser(app);
    for (const response of [
      await browser.signUp('headers@example.com', 'headers'),
      await browser.get('/session'),
      await app.inject({ method: 'GET', url: '/portal/api/session' }),
      await app.inject({ method: 'GET', url: '/portal/api/no-such-route' }),
      await app.inject({ method: 'POST', url: '/portal/api/signin', headers: { 'content-type': 'text/plain' }, payload: 'x' }),
    ]) {
      expectSecurityHeaders(response);
      expect(response.headers['cache-control']).toBe('no-store');
    }
    expect((await app.inject({ method: 'GET', url: '/portal/api/no-such-route' })).json()).toStrictEqual({ error: 'not_found', message: 'No route GET /portal/api/no-such-route' });
  });

  it('leaves the other paths as they were: no catch-all, and the APIs without the portal headers', async () => {
    const missing = await app.inject({ method: 'GET', url: '/no-such-page' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toStrictEqual({ error: 'not_found', message: 'No route GET /no-such-page' });
    const raas = await app.inject({ method: 'GET', url: '/raas/v2/no-such-resource' });
    expect(raas.statusCode).toBe(404);
    expect(raas.json()).toMatchObject({ httpCode: 404, i18nKey: 'error.notFound' });
    for (const url of ['/healthz', '/raas/v2/status', '/.well-known/jwks.json']) {
      expect((await app.inject({ method: 'GET', url })).headers['content-security-policy'], url).toBeUndefined();
    }
  });

  it('answers / with 503 saying how to build the portal when it is not built, and still serves the API', async () => {
    const { app: unbuilt } = await env.app({}, { portalDist: path.join(dist, 'missing') });
    const response = await unbuilt.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toStrictEqual({
      error: 'portal_not_built',
      message: `The portal is not built: there is no ${path.join(dist, 'missing', 'index.html')}. Run "npm run build" in the project folder (or "npm install", which builds it), then restart Tessera.`,
    });
    expectSecurityHeaders(response);
    expect((await unbuilt.inject({ method: 'GET', url: '/portal/api/session' })).statusCode).toBe(401);
  });

  it('finds packages/portal/dist from the server package, wherever its code runs', () => {
    expect(defaultPortalDist()).toBe(path.resolve(new URL('../../../portal/dist', import.meta.url).pathname));
  });
});
