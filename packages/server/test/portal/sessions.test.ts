import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digest } from '../../src/crypto/secrets.js';
import type { Services } from '../../src/services.js';
import { newestMailTo, signUpToken } from '../support/mail.js';
import { PortalBrowser, setCookies } from '../support/portal.js';
import { startDeployment } from '../support/bootstrap.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';

const MINUTE = 60_000;
const UNAUTHENTICATED = { error: 'unauthenticated', message: 'Sign in to continue' };
const REAUTH = { error: 'reauthentication_required', message: 'Enter your password again to continue' };

describe('the session cookie', () => {
  let env: TestEnvironment;
  beforeAll(async () => ({ env } = await startDeployment()));
  afterAll(async () => env?.close());

  it('is HttpOnly, SameSite=Lax, Path=/ and not Secure when the public URL is http', async () => {
    const { app } = await env.app({ publicUrl: 'http://portal.example' });
    const response = await new PortalBrowser(app, undefined, { host: 'portal.example' }).signUp('http@example.com', 'http-platform');
    expect(setCookies(response)).toEqual([expect.stringMatching(/^tessera_session=tss_[0-9A-Za-z]{43}; Path=\/; HttpOnly; SameSite=Lax$/)]);
  });

  it('is __Host-tessera_session and Secure when the public URL is https', async () => {
    const { app } = await env.app({ publicUrl: 'https://portal.example' });
    const browser = new PortalBrowser(app, '__Host-tessera_session', { host: 'portal.example' });
    const response = await browser.signUp('https@example.com', 'https-platform');
    expect(setCookies(response)).toEqual([expect.stringMatching(/^__Host-tessera_session=tss_[0-9A-Za-z]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax$/)]);
    expect((await browser.get('/session')).statusCode).toBe(200);
    // The http name means nothing there.
    expect((await app.inject({ method: 'GET', url: '/portal/api/session', headers: { host: 'portal.example', cookie: `tessera_session=${browser.cookie}` } })).statusCode).toBe(401);
    const signedOut = await browser.post('/signout');
    expect(setCookies(signedOut)).toEqual([expect.stringMatching(/^__Host-tessera_session=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax$/)]);
  });
});

describe.each(STORE_KINDS)('portal sessions on %s', (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;

  beforeAll(async () => {
    ({ env, app, services } = await startDeployment({ store }));
  });
  afterAll(async () => env?.close());

  it('keeps only the digest of the session id, and gives a new id at every sign-in', async () => {
    const browser = new PortalBrowser(app);
    await browser.signUp('ids@example.com', 'ids');
    const first = browser.cookie!;
    const firstCsrf = browser.csrfToken!;
    expect(await services.sessions.find(digest(first))).toBeDefined();
    const rows = await services.database.db.selectFrom('sessions').select('id_digest').execute();
    expect(JSON.stringify(rows)).not.toContain(first);

    // Signing in again while signed in: a new id, and the one presented is ended.
    await browser.signIn('ids@example.com');
    expect(browser.cookie).not.toBe(first);
    expect(browser.csrfToken).not.toBe(firstCsrf);
    expect(await services.sessions.find(digest(first))).toBeUndefined();
    const replay = await app.inject({ method: 'GET', url: '/portal/api/session', headers: { cookie: `tessera_session=${first}` } });
    expect(replay.statusCode).toBe(401);
    expect(replay.json()).toStrictEqual(UNAUTHENTICATED);
    // A cookie that opens nothing is cleared.
    expect(setCookies(replay)).toEqual([expect.stringMatching(/^tessera_session=; Max-Age=0;/)]);

    // A cookie planted before the sign-in (session fixation) is never promoted.
    const planted = 'tss_plantedplantedplantedplantedplantedplant';
    const fixed = new PortalBrowser(app);
    fixed.cookie = planted;
    await fixed.signIn('ids@example.com');
    expect(fixed.cookie).not.toBe(planted);
  });

  it('ends a session idle for 30 minutes, writing its last use at most once a minute', async () => {
    const browser = new PortalBrowser(app);
    await browser.signUp('idle@example.com', 'idle');
    const idDigest = digest(browser.cookie!);
    const lastSeen = async () => (await services.sessions.find(idDigest))!.last_seen_at;
    const start = env.clock.now();
    env.clock.advance(59_000);
    expect((await browser.get('/session')).json().expiresAt).toBe(new Date(start + 30 * MINUTE).toISOString());
    expect(await lastSeen()).toBe(start);
    env.clock.advance(1000);
    expect((await browser.get('/session')).json().expiresAt).toBe(new Date(start + 31 * MINUTE).toISOString());
    expect(await lastSeen()).toBe(start + MINUTE);
    env.clock.advance(30 * MINUTE - 1);
    expect((await browser.get('/session')).statusCode).toBe(200);
    env.clock.advance(30 * MINUTE);
    const expired = await browser.get('/session');
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toStrictEqual(UNAUTHENTICATED);
    expect(await services.sessions.find(idDigest)).toBeUndefined();
  });

  it('holds a 1-minute idle timeout: a session used every 15 s lives on, one idle for 61 s ends', async () => {
    const { app: short } = await env.app({ sessionIdleMinutes: 1 });
    const busy = new PortalBrowser(short);
    await busy.signUp('short-busy@example.com', 'short-busy');
    const start = env.clock.now();
    // Its last use is written at least every 15 s (a quarter of the timeout), so it never lags a whole minute.
    for (let elapsed = 15_000; elapsed <= 5 * MINUTE; elapsed += 15_000) {
      env.clock.current = start + elapsed;
      const response = await busy.get('/session');
      expect({ elapsed, status: response.statusCode, expiresAt: response.json().expiresAt }).toStrictEqual({
        elapsed,
        status: 200,
        expiresAt: new Date(start + elapsed + MINUTE).toISOString(),
      });
    }
    env.clock.advance(61_000);
    expect((await busy.get('/session')).json()).toStrictEqual(UNAUTHENTICATED);

    const idle = new PortalBrowser(short);
    await idle.signUp('short-idle@example.com', 'short-idle');
    env.clock.advance(MINUTE - 1);
    expect((await idle.get('/session')).statusCode).toBe(200);
    env.clock.advance(61_000);
    expect((await idle.get('/session')).json()).toStrictEqual(UNAUTHENTICATED);
  });

  it('ends a session 12 hours after sign-in however busy it is', async () => {
    const browser = new PortalBrowser(app);
    await browser.signUp('busy@example.com', 'busy');
    const start = env.clock.now();
    for (let elapsed = 0; elapsed < 12 * 60 * MINUTE - 20 * MINUTE; elapsed += 20 * MINUTE) {
      env.clock.advance(20 * MINUTE);
      expect((await browser.get('/session')).statusCode).toBe(200);
    }
    expect((await browser.get('/session')).json().expiresAt).toBe(new Date(start + 12 * 60 * MINUTE).toISOString());
    env.clock.current = start + 12 * 60 * MINUTE;
    expect((await browser.get('/session')).statusCode).toBe(401);
  });

  it('purges expired sessions of everyone at the next sign-in', async () => {
    const old = new PortalBrowser(app);
    await old.signUp('old@example.com', 'old-platform');
    const oldDigest = digest(old.cookie!);
    env.clock.advance(31 * MINUTE);
    await new PortalBrowser(app).signUp('new@example.com', 'new-platform');
    expect(await services.sessions.find(oldDigest)).toBeUndefined();
  });

  it('kills the session on sign-out: the old cookie, replayed, is refused', async () => {
    const browser = new PortalBrowser(app);
    await browser.signUp('out@example.com', 'out');
    const cookie = browser.cookie!;
    const csrfToken = browser.csrfToken!;
    const signedOut = await browser.post('/signout');
    expect(signedOut.statusCode).toBe(204);
    expect(signedOut.body).toBe('');
    expect(await services.sessions.find(digest(cookie))).toBeUndefined();
    for (const [method, url] of [
      ['GET', '/portal/api/session'],
      ['GET', '/portal/api/oauth-clients'],
      ['POST', '/portal/api/api-keys'],
      ['POST', '/portal/api/signout'],
    ] as const) {
      const replay = await app.inject({ method, url, headers: { cookie: `tessera_session=${cookie}`, 'x-csrf-token': csrfToken } });
      expect({ status: replay.statusCode, body: replay.json() }).toStrictEqual({ status: 401, body: UNAUTHENTICATED });
    }
    expect((await app.inject({ method: 'GET', url: '/portal/api/users' })).json()).toStrictEqual(UNAUTHENTICATED);
  });

  it('refuses a change without the CSRF token, with a wrong one, and from another origin', async () => {
    const browser = new PortalBrowser(app);
    await browser.signUp('csrf@example.com', 'csrf');
    const origin = new URL(services.config.publicUrl).origin;
    const refusals: Array<[Record<string, string>, string]> = [
      [{ 'x-csrf-token': '' }, 'The X-CSRF-Token header is missing or does not match the session'],
      [{ 'x-csrf-token': '0'.repeat(64) }, 'The X-CSRF-Token header is missing or does not match the session'],
      [{ 'x-csrf-token': `${browser.csrfToken!.slice(0, -1)}x` }, 'The X-CSRF-Token header is missing or does not match the session'],
      [{ origin: 'https://evil.example' }, `Requests must come from ${origin}`],
      [{ origin: 'null' }, `Requests must come from ${origin}`],
      [{ 'sec-fetch-site': 'cross-site' }, `Requests must come from ${origin}`],
      [{ 'sec-fetch-site': 'same-site' }, `Requests must come from ${origin}`],
    ];
    for (const [headers, message] of refusals) {
      for (const response of [await browser.post('/oauth-clients', {}, headers), await browser.post('/signout', undefined, headers)]) {
        expect({ headers, status: response.statusCode, body: response.json() }).toStrictEqual({ headers, status: 403, body: { error: 'csrf', message } });
      }
    }
    // No token at all.
    const csrfToken = browser.csrfToken;
    browser.csrfToken = undefined;
    expect((await browser.post('/oauth-clients', {})).json()).toStrictEqual({ error: 'csrf', message: 'The X-CSRF-Token header is missing or does not match the session' });
    browser.csrfToken = csrfToken;
    expect((await browser.get('/oauth-clients')).json().clients).toEqual([]);
    // The right token from this origin passes.
    expect((await browser.post('/oauth-clients', {}, { origin, 'sec-fetch-site': 'same-origin' })).statusCode).toBe(201);
  });

  it("takes the loopback names on the public URL's port as this server too (localhost for 127.0.0.1), and no other origin", async () => {
    const browser = new PortalBrowser(app);
    await browser.signUp('host@example.com', 'host-origin');
    const other = await browser.post('/oauth-clients', {}, { host: 'localhost:8080', origin: 'http://localhost:9090' });
    expect({ status: other.statusCode, body: other.json() }).toStrictEqual({
      status: 403,
      body: { error: 'csrf', message: `Requests must come from ${new URL(services.config.publicUrl).origin}` },
    });
    const same = await browser.post('/oauth-clients', {}, { host: 'localhost:8080', origin: 'http://localhost:8080', 'sec-fetch-site': 'same-origin' });
    expect(same.statusCode).toBe(201);
    // Sign-up from a browser that names the server by another name than the public URL's.
    const signUp = await new PortalBrowser(app).post('/signup', { email: 'alias@example.com', platformName: 'alias' }, { host: 'localhost:8080', origin: 'http://localhost:8080' });
    expect(signUp.statusCode).toBe(202);
    const token = signUpToken(await newestMailTo(app, 'alias@example.com'));
    const finished = await new PortalBrowser(app).post('/signup/finish', { token, password: 'correct horse battery staple' }, { host: 'localhost:8080', origin: 'http://localhost:8080' });
    expect(finished.statusCode).toBe(201);
  });

  it('refuses sign-up, sign-in and invitation acceptance from another origin or not as JSON', async () => {
    await new PortalBrowser(app).signUp('form@example.com', 'form');
    const body = 'email=form%40example.com&password=correct+horse+battery+staple';
    for (const url of ['/portal/api/signin', '/portal/api/signup', '/portal/api/signup/preview', '/portal/api/signup/finish', '/portal/api/invitations/accept']) {
      for (const contentType of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x']) {
        const response = await app.inject({ method: 'POST', url, headers: { 'content-type': contentType }, payload: body });
        expect({ url, status: response.statusCode, body: response.json() }).toStrictEqual({
          url,
          status: 403,
          body: { error: 'csrf', message: 'Send the request body as application/json' },
        });
      }
      const crossSite = await new PortalBrowser(app).post(url.replace('/portal/api', ''), { email: 'form@example.com', password: 'correct horse battery staple' }, { origin: 'https://evil.example' });
      expect(crossSite.statusCode).toBe(403);
      expect(crossSite.json().error).toBe('csrf');
    }
  });

  it('asks for the password again 5 minutes after sign-in to generate or reveal, and never lets those answers be cached', async () => {
    const browser = new PortalBrowser(app);
    await browser.signUp('reauth@example.com', 'reauth');
    const key = (await browser.post('/api-keys')).json();
    env.clock.advance(5 * MINUTE - 1);
    expect((await browser.post(`/api-keys/${key.id}/reveal`)).statusCode).toBe(200);
    env.clock.advance(1);
    for (const response of [await browser.post('/oauth-clients', {}), await browser.post('/api-keys'), await browser.post(`/api-keys/${key.id}/reveal`)]) {
      expect({ status: response.statusCode, body: response.json(), cache: response.headers['cache-control'] }).toStrictEqual({ status: 403, body: REAUTH, cache: 'no-store' });
    }
    // Other changes need no fresh sign-in.
    expect((await browser.post(`/api-keys/${key.id}/deactivate`)).statusCode).toBe(200);

    const wrong = await browser.post('/session/reauth', { password: 'not the password at all' });
    expect({ status: wrong.statusCode, body: wrong.json() }).toStrictEqual({ status: 401, body: { error: 'invalid_credentials', message: 'The password is not correct' } });
    const reauth = await browser.post('/session/reauth', { password: 'correct horse battery staple' });
    expect(reauth.statusCode).toBe(200);
    expect(reauth.json().authenticatedAt).toBe(new Date(env.clock.now()).toISOString());
    for (const response of [await browser.post(`/api-keys/${key.id}/reveal`), await browser.post('/api-keys'), await browser.post('/oauth-clients', {})]) {
      expect(response.statusCode).toBeLessThan(300);
      expect(response.headers['cache-control']).toBe('no-store');
    }
  });
});
