import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPortalDist } from '../../src/portal/portal-dist.js';
import { freePort } from '../support/listen.js';
import { startServer, tessera, tesseraJson } from '../support/processes.js';
import { PASSWORD, PortalBrowser } from '../support/portal.js';
import { createTestEnvironment, type TestEnvironment } from '../support/services.js';

/** `tessera user …` in its own process; the link it prints is accepted by the portal of a server on the same store. */
describe('tessera user', () => {
  let env: TestEnvironment;
  let cliEnv: Record<string, string>;

  beforeAll(async () => {
    env = await createTestEnvironment();
    cliEnv = {
      TESSERA_DATA_DIR: env.config.dataDir,
      TESSERA_MASTER_KEY: env.config.masterKey!,
      TESSERA_PUBLIC_URL: 'https://portal.example',
      DATABASE_URL: '',
      REDIS_URL: '',
      LOG_LEVEL: 'warn',
    };
  });
  afterAll(async () => env?.close());

  const SLOW = 90_000;

  it('invites by a one-time link (never a password in argv), lists, and removes', { timeout: SLOW }, async () => {
    expect((await tessera(['platform', 'create', 'acme'], cliEnv)).code).toBe(0);
    const created = await tesseraJson(['user', 'create', '--platform', 'acme', '--email', 'Ann@Example.com', '--role', 'admin'], cliEnv);
    expect(created.code).toBe(0);
    expect(created.json).toStrictEqual({
      invitation: { id: expect.stringMatching(/^inv_/), email: 'ann@example.com', role: 'admin', created_at: expect.any(String), expires_at: expect.any(String) },
      link: expect.stringMatching(/^https:\/\/portal\.example\/#\/invitation\/tsi_[0-9A-Za-z]{43}$/),
    });

    const { app } = await env.app();
    const ann = new PortalBrowser(app);
    const joined = await ann.post('/invitations/accept', { token: (created.json.link as string).split('/').at(-1), password: PASSWORD });
    expect(joined.statusCode, joined.body).toBe(201);
    expect(joined.json()).toMatchObject({ user: { email: 'ann@example.com', role: 'admin' }, platform: { name: 'acme' } });
    const bobLink = (await ann.post('/invitations', { email: 'bob@example.com', role: 'member' })).json().link as string;
    await new PortalBrowser(app).post('/invitations/accept', { token: bobLink.split('/').at(-1), password: PASSWORD });

    const listed = await tessera(['user', 'list', '--platform', 'acme'], cliEnv);
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n')[0]).toMatch(/^id\s+email\s+role\s+created_at$/);
    expect(listed.stdout).toContain('ann@example.com');
    expect(listed.stdout).toContain('bob@example.com');

    expect(await tesseraJson(['user', 'remove', 'ann@example.com', '--platform', 'acme'], cliEnv)).toStrictEqual({
      code: 1,
      json: { error: { code: 'conflict', message: "ann@example.com is the platform's last admin: make another admin first" } },
    });
    const removed = await tessera(['user', 'remove', 'BOB@example.com', '--platform', 'acme'], cliEnv);
    expect(removed).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Removed bob@example\.com \(usr_[0-9A-Za-z]{22}\) from acme\n$/) });
    expect((await tessera(['user', 'create', '--platform', 'acme', '--email', 'x@example.com', '--role', 'owner'], cliEnv)).code).not.toBe(0);
  });

  it('serves the portal from the bundled `tessera serve`: sign-up over a real port sets the session cookie', { timeout: SLOW }, async () => {
    const port = await freePort();
    const server = await startServer({ ...cliEnv, PORT: String(port), TESSERA_PUBLIC_URL: `http://127.0.0.1:${port}` });
    try {
      const signedUp = await fetch(`${server.url}/portal/api/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: server.url, 'sec-fetch-site': 'same-origin' },
        body: JSON.stringify({ email: 'real@example.com', password: PASSWORD, platformName: 'real-port' }),
      });
      expect(signedUp.status).toBe(201);
      const cookie = signedUp.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^tessera_session=tss_\w{43}; Path=\/; HttpOnly; SameSite=Lax$/);
      const session = await fetch(`${server.url}/portal/api/session`, { headers: { cookie: cookie.split(';')[0]! } });
      expect(await session.json()).toMatchObject({ user: { email: 'real@example.com', role: 'admin' }, platform: { name: 'real-port' } });
      const home = await fetch(`${server.url}/`);
      expect(home.headers.get('x-frame-options')).toBe('DENY');
      // The SPA's build is another package's: served when it is there, a 503 saying so when not.
      expect(home.status).toBe(existsSync(path.join(defaultPortalDist(), 'index.html')) ? 200 : 503);
    } finally {
      await server.stop();
    }
  });
});
