import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src/services.js';
import { PASSWORD, PortalBrowser } from '../support/portal.js';
import { startDeployment } from '../support/bootstrap.js';
import type { TestEnvironment } from '../support/services.js';

const misdirected = (origin: string) => ({
  error: 'misdirected_request',
  message: `The portal answers at ${origin} only: open it there, or set TESSERA_PUBLIC_URL to the address you use`,
});
const csrf = (origin: string) => ({ error: 'csrf', message: `Requests must come from ${origin}` });

describe('the portal answers only under its own names (DNS rebinding)', () => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;

  // The default public URL, http://127.0.0.1:8080: what a newcomer's `npm start` serves.
  beforeAll(async () => {
    ({ env, app, services } = await startDeployment());
  });
  afterAll(async () => env?.close());

  it('refuses a rebinding page: its Host and Origin agree, but name another server', async () => {
    expect(services.config.publicUrl).toBe('http://127.0.0.1:8080');
    const rebinding = { host: 'evil.example', origin: 'http://evil.example' };
    const signUp = await new PortalBrowser(app).post('/signup', { email: 'victim@example.com', password: PASSWORD, platformName: 'rebound' }, rebinding);
    expect({ status: signUp.statusCode, body: signUp.json() }).toStrictEqual({ status: 421, body: misdirected('http://127.0.0.1:8080') });
    expect(await services.platforms.findByName('rebound')).toBeUndefined();
    // On the server's port too, and for every portal route, safe or not, public or not.
    for (const host of ['evil.example:8080', 'evil.example', '127.0.0.1.evil.example:8080', 'localhost.:8080', 'localhost@evil.example']) {
      for (const [method, url] of [
        ['POST', '/signin'],
        ['POST', '/invitations/accept'],
        ['GET', '/session'],
        ['GET', '/oauth-clients'],
      ] as const) {
        const response = await new PortalBrowser(app).request(method, url, method === 'POST' ? { email: 'victim@example.com', password: PASSWORD } : undefined, { host, origin: `http://${host}` });
        expect({ host, url, status: response.statusCode, body: response.json() }).toStrictEqual({ host, url, status: 421, body: misdirected('http://127.0.0.1:8080') });
      }
    }
    // The public URL's origin with another Host is no better: the Host is what a rebinding page cannot hide.
    const mixed = await new PortalBrowser(app).post('/signup', { email: 'victim@example.com', password: PASSWORD, platformName: 'rebound' }, { host: 'evil.example:8080', origin: 'http://127.0.0.1:8080' });
    expect(mixed.statusCode).toBe(421);
  });

  it('serves a newcomer at http://localhost:8080, 127.0.0.1 and [::1] on the public URL port, and no other origin', async () => {
    for (const [name, email] of [
      ['localhost', 'newcomer@example.com'],
      ['127.0.0.1', 'newcomer2@example.com'],
      ['[::1]', 'newcomer3@example.com'],
    ] as const) {
      const page = { host: `${name}:8080`, origin: `http://${name}:8080`, 'sec-fetch-site': 'same-origin' };
      const browser = new PortalBrowser(app, undefined, page);
      const signedUp = await browser.signUp(email, `newcomer-${email.split('@')[0]}`);
      expect({ name, status: signedUp.statusCode }).toStrictEqual({ name, status: 201 });
      expect((await browser.post('/oauth-clients', { name: 'first' })).statusCode).toBe(201);
      expect((await browser.get('/session')).statusCode).toBe(200);
    }
    // Another service of this machine (another port) is another origin: the CSRF check refuses it.
    const otherPort = await new PortalBrowser(app).post('/signup', { email: 'port@example.com', password: PASSWORD, platformName: 'other-port' }, { host: 'localhost:8080', origin: 'http://localhost:3000' });
    expect({ status: otherPort.statusCode, body: otherPort.json() }).toStrictEqual({ status: 403, body: csrf('http://127.0.0.1:8080') });
    // A loopback Host with a foreign Origin: a cross-site page, refused as before.
    const crossSite = await new PortalBrowser(app).post('/signup', { email: 'port@example.com', password: PASSWORD, platformName: 'other-port' }, { host: 'localhost:8080', origin: 'http://evil.example' });
    expect({ status: crossSite.statusCode, body: crossSite.json() }).toStrictEqual({ status: 403, body: csrf('http://127.0.0.1:8080') });
    expect(await services.platforms.findByName('other-port')).toBeUndefined();
  });

  it('takes only the public name when the public URL is not on this machine', async () => {
    const { app: deployed, services: deployedServices } = await env.app({ publicUrl: 'https://portal.example' });
    const body = { email: 'deployed@example.com', password: PASSWORD, platformName: 'deployed' };
    const local = await new PortalBrowser(deployed, '__Host-tessera_session').post('/signup', body, { host: 'localhost:8080', origin: 'http://localhost:8080' });
    expect({ status: local.statusCode, body: local.json() }).toStrictEqual({ status: 421, body: misdirected('https://portal.example') });
    const forged = await new PortalBrowser(deployed, '__Host-tessera_session').post('/signup', body, { host: 'portal.example', origin: 'https://evil.example' });
    expect({ status: forged.statusCode, body: forged.json() }).toStrictEqual({ status: 403, body: csrf('https://portal.example') });
    expect(await deployedServices.platforms.findByName('deployed')).toBeUndefined();
    // Host names are case-insensitive (RFC 9110 §4.2.3); the default port may be written.
    const ok = await new PortalBrowser(deployed, '__Host-tessera_session').post('/signup', body, { host: 'Portal.Example:443', origin: 'https://portal.example' });
    // Through the gate: verified sign-up (the default) mails the link.
    expect(ok.statusCode, ok.body).toBe(202);
  });

  it("reads the host a trusted proxy forwards (X-Forwarded-Host), and only that proxy's", async () => {
    const body = { email: 'proxied@example.com', password: PASSWORD, platformName: 'proxied' };
    // nginx's default: the upstream's name as Host, the browser's in X-Forwarded-Host.
    const upstream = { host: 'tessera-1:8080', 'x-forwarded-host': 'portal.example', origin: 'https://portal.example' };
    const { app: untrusting } = await env.app({ publicUrl: 'https://portal.example' });
    const refused = await new PortalBrowser(untrusting, '__Host-tessera_session').post('/signup', body, upstream);
    expect({ status: refused.statusCode, body: refused.json() }).toStrictEqual({ status: 421, body: misdirected('https://portal.example') });
    const { app: proxied } = await env.app({ publicUrl: 'https://portal.example', trustProxy: ['127.0.0.1'] });
    expect((await new PortalBrowser(proxied, '__Host-tessera_session').post('/signup', body, upstream)).statusCode).toBe(202);
    const rebound = await new PortalBrowser(proxied, '__Host-tessera_session').post('/signup', body, { ...upstream, 'x-forwarded-host': 'evil.example', origin: 'https://evil.example' });
    expect(rebound.statusCode).toBe(421);
  });
});
