import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { createApiKey } from '../../src/credentials/api-keys.js';
import type { Services } from '../../src/services.js';
import { newestMailTo, signUpToken } from './mail.js';
import { basic } from './oauth.js';

export const PASSWORD = 'correct horse battery staple';

/** The Set-Cookie lines of a response, as a list. */
export function setCookies(response: LightMyRequestResponse): string[] {
  const header = response.headers['set-cookie'];
  return header === undefined ? [] : Array.isArray(header) ? header : [header];
}

/**
 * A browser of the portal over inject: it keeps the session cookie it is given, sends it back, and
 * sends the session's CSRF token on unsafe requests, as the SPA does.
 */
export class PortalBrowser {
  cookie: string | undefined;
  csrfToken: string | undefined;

  /** `defaults`: headers of every request, e.g. the `host` of a public URL other than loopback (portal/this-server.ts). */
  constructor(
    readonly app: FastifyInstance,
    readonly cookieName = 'tessera_session',
    readonly defaults: Record<string, string> = {},
  ) {}

  async request(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const sent: Record<string, string> = { 'user-agent': 'portal-test', ...this.defaults, ...headers };
    if (this.cookie) sent.cookie = `${this.cookieName}=${this.cookie}`;
    if (method !== 'GET' && this.csrfToken && !('x-csrf-token' in headers)) sent['x-csrf-token'] = this.csrfToken;
    if (body !== undefined) sent['content-type'] ??= 'application/json';
    const response = await this.app.inject({ method, url: `/portal/api${url}`, headers: sent, payload: body === undefined ? undefined : JSON.stringify(body) });
    for (const line of setCookies(response)) {
      const [pair] = line.split(';');
      const [name, value] = pair!.split('=');
      if (name === this.cookieName) this.cookie = value === '' ? undefined : value;
    }
    const json = String(response.headers['content-type'] ?? '').startsWith('application/json') ? (response.json() as { csrfToken?: unknown }) : undefined;
    if (json && typeof json.csrfToken === 'string') this.csrfToken = json.csrfToken;
    return response;
  }

  get = (url: string, headers?: Record<string, string>) => this.request('GET', url, undefined, headers);
  post = (url: string, body?: unknown, headers?: Record<string, string>) => this.request('POST', url, body, headers);
  put = (url: string, body?: unknown, headers?: Record<string, string>) => this.request('PUT', url, body, headers);
  delete = (url: string, headers?: Record<string, string>) => this.request('DELETE', url, undefined, headers);

  /**
   * Signs up as a person does on the server's TESSERA_PORTAL_SIGNUP: when `verified` (202), reads the
   * mailed link and finishes with the password (the finish's answer: 201 and a session); a sign-up whose
   * mail has no link (the address has an account), or any other answer, is returned as it came.
   */
  async signUp(email: string, platformName: string, password = PASSWORD): Promise<LightMyRequestResponse> {
    const requested = await this.post('/signup', { email, password, platformName });
    if (requested.statusCode !== 202) return requested;
    const token = signUpToken(await newestMailTo(this.app, email));
    return token === undefined ? requested : this.post('/signup/finish', { token, password });
  }

  async signIn(email: string, password = PASSWORD): Promise<LightMyRequestResponse> {
    return this.post('/signin', { email, password });
  }
}

/** A client credential as the portal shows it once (camelCase), named as the token endpoint takes it (RFC 6749 §2.3.1). */
export function oauthCredentials(created: { clientId: string; clientSecret: string }): { client_id: string; client_secret: string } {
  return { client_id: created.clientId, client_secret: created.clientSecret };
}

/** A browser signed up as the first admin of a new platform `platformName`; the sign-up must succeed. */
export async function signedUpAdmin(app: FastifyInstance, email: string, platformName: string): Promise<PortalBrowser> {
  const browser = new PortalBrowser(app);
  expect((await browser.signUp(email, platformName)).statusCode).toBe(201);
  return browser;
}

/** Two teams for the portal's per-platform tests: ann (admin) and bob (member) of `acme`, zed (admin) of `globex`, and an API key of each as a Basic header. */
export async function acmeAndGlobex(
  app: FastifyInstance,
  services: Services,
): Promise<{ ann: PortalBrowser; bob: PortalBrowser; zed: PortalBrowser; acmeBasic: string; globexBasic: string }> {
  const ann = await signedUpAdmin(app, 'ann@acme.example', 'acme');
  const link = (await ann.post('/invitations', { email: 'bob@acme.example', role: 'member' })).json().link as string;
  const bob = new PortalBrowser(app);
  expect((await bob.post('/invitations/accept', { token: link.split('/').at(-1), password: PASSWORD })).statusCode).toBe(201);
  const zed = await signedUpAdmin(app, 'zed@globex.example', 'globex');
  const acmeBasic = basic('acme', (await createApiKey(services, 'acme')).api_key);
  const globexBasic = basic('globex', (await createApiKey(services, 'globex')).api_key);
  return { ann, bob, zed, acmeBasic, globexBasic };
}
