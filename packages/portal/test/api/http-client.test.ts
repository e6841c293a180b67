import { describe, expect, test, vi } from 'vitest';
import { ApiError } from '../../src/api/api-error';
import { HttpClient } from '../../src/api/http-client';
import { PortalApi } from '../../src/api/portal-api';
import { fakeFetch, json } from '../support/fake-fetch';
import { adminSession } from '../support/fixtures';

describe('HttpClient', () => {
  test('sends JSON with same-origin cookies, and the CSRF token on unsafe methods only', async () => {
    const fake = fakeFetch({
      'GET /portal/api/users': json(200, { users: [], invitations: [] }),
      'POST /portal/api/invitations': json(201, { ok: true }),
      'DELETE /portal/api/users/usr_1': json(204),
    });
    const http = new HttpClient({ fetch: fake.fetch });
    http.setCsrfToken('csrf-abc');

    await expect(http.request('GET', '/portal/api/users')).resolves.toEqual({ users: [], invitations: [] });
    await expect(http.request('POST', '/portal/api/invitations', { email: 'a@b.example', role: 'member' })).resolves.toEqual({ ok: true });
    await expect(http.request('DELETE', '/portal/api/users/usr_1')).resolves.toBeUndefined();

    expect(fake.calls).toEqual([
      { method: 'GET', url: '/portal/api/users', headers: { accept: 'application/json' }, body: undefined, credentials: 'same-origin' },
      {
        method: 'POST',
        url: '/portal/api/invitations',
        headers: { accept: 'application/json', 'content-type': 'application/json', 'x-csrf-token': 'csrf-abc' },
        body: { email: 'a@b.example', role: 'member' },
        credentials: 'same-origin',
      },
      {
        method: 'DELETE',
        url: '/portal/api/users/usr_1',
        headers: { accept: 'application/json', 'x-csrf-token': 'csrf-abc' },
        body: undefined,
        credentials: 'same-origin',
      },
    ]);
  });

  test('maps {error, message} to an ApiError with the status, code, message and Retry-After', async () => {
    const fake = fakeFetch({
      'POST /portal/api/signin': json(429, { error: 'too_many_attempts', message: 'Too many attempts. Try again in 30 seconds.' }, { 'retry-after': '30' }),
      'DELETE /portal/api/oauth-clients/cli_1': json(409, { error: 'conflict', message: 'Deactivate the client before deleting it' }),
    });
    const http = new HttpClient({ fetch: fake.fetch });

    const throttled = await http.request('POST', '/portal/api/signin', {}).catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(ApiError);
    expect(throttled).toMatchObject({ status: 429, code: 'too_many_attempts', message: 'Too many attempts. Try again in 30 seconds.', retryAfter: 30 });

    const conflict = await http.request('DELETE', '/portal/api/oauth-clients/cli_1').catch((e: unknown) => e);
    expect(conflict).toMatchObject({ status: 409, code: 'conflict', message: 'Deactivate the client before deleting it', retryAfter: null });
  });

  test('an answer that is not JSON, or no answer at all, still becomes a readable ApiError', async () => {
    const http = new HttpClient({ fetch: async () => new Response('<html>Bad gateway</html>', { status: 502 }) });
    await expect(http.request('GET', '/portal/api/users')).rejects.toMatchObject({
      status: 502,
      code: 'http_502',
      message: 'The server answered 502. Try again.',
    });

    const offline = new HttpClient({ fetch: () => Promise.reject(new TypeError('Failed to fetch')) });
    await expect(offline.request('GET', '/portal/api/users')).rejects.toMatchObject({
      status: 0,
      code: 'network',
      message: 'The server could not be reached. Check your connection and try again.',
    });
  });

  test('401 unauthenticated tells the listeners and forgets the CSRF token; 401 invalid_credentials does not', async () => {
    const fake = fakeFetch({
      'POST /portal/api/session/reauth': json(401, { error: 'invalid_credentials', message: 'The email or password is not correct' }),
      'GET /portal/api/users': json(401, { error: 'unauthenticated', message: 'Sign in to continue' }),
      'POST /portal/api/api-keys': json(401, { error: 'unauthenticated', message: 'Sign in to continue' }),
    });
    const http = new HttpClient({ fetch: fake.fetch });
    const listener = vi.fn();
    http.onUnauthenticated(listener);
    http.setCsrfToken('csrf-abc');

    await expect(http.request('POST', '/portal/api/session/reauth', { password: 'x' })).rejects.toMatchObject({ code: 'invalid_credentials' });
    expect(listener).not.toHaveBeenCalled();

    await expect(http.request('GET', '/portal/api/users')).rejects.toMatchObject({ status: 401, code: 'unauthenticated' });
    expect(listener).toHaveBeenCalledTimes(1);
    await http.request('POST', '/portal/api/api-keys').catch(() => undefined);
    expect(fake.calls[2]?.headers['x-csrf-token']).toBeUndefined();
  });
});

describe('PortalApi', () => {
  test('keeps the CSRF token of the session it signs in with, and drops it on sign-out', async () => {
    const fake = fakeFetch({
      'POST /portal/api/signin': json(200, adminSession),
      'POST /portal/api/api-keys/key_1/reveal': json(200, { id: 'key_1', apiKey: 'tsk_secret' }),
      'POST /portal/api/signout': json(204),
      'POST /portal/api/signup': json(403, { error: 'csrf', message: 'Refused' }),
    });
    const api = new PortalApi({ fetch: fake.fetch });

    await api.signIn({ email: 'dana@acme.example', password: 'pw' });
    await api.revealApiKey('key_1');
    await api.signOut();
    await api.signUp({ email: 'a@b.example', password: 'pw', platformName: 'b' }).catch(() => undefined);

    expect(fake.calls.map((c) => [c.method, c.url, c.headers['x-csrf-token'] ?? null])).toEqual([
      ['POST', '/portal/api/signin', null],
      ['POST', '/portal/api/api-keys/key_1/reveal', 'csrf-token-1'],
      ['POST', '/portal/api/signout', 'csrf-token-1'],
      ['POST', '/portal/api/signup', null],
    ]);
    expect(fake.calls[0]?.headers['content-type']).toBe('application/json');
  });

  test('401 unauthenticated takes the person to sign-in, keeping the route they wanted', async () => {
    window.location.hash = '#/team/api-keys';
    const fake = fakeFetch({ 'GET /portal/api/api-keys': json(401, { error: 'unauthenticated', message: 'Sign in to continue' }) });
    const api = new PortalApi({ fetch: fake.fetch });

    await expect(api.apiKeys()).rejects.toMatchObject({ status: 401 });
    expect(window.location.hash).toBe('#/signin?next=%2Fteam%2Fapi-keys');
  });

  test('401 on a signed-out page (sign-up) leaves the person where they are', async () => {
    window.location.hash = '#/signup';
    const fake = fakeFetch({ 'GET /portal/api/session': json(401, { error: 'unauthenticated', message: 'Sign in to continue' }) });
    await new PortalApi({ fetch: fake.fetch }).session().catch(() => undefined);
    expect(window.location.hash).toBe('#/signup');
  });

  test('ids are escaped into paths, and the client name is sent only when given', async () => {
    const fake = fakeFetch({
      'POST /portal/api/oauth-clients/cli%2F..%2Fx/deactivate': json(200, {}),
      'POST /portal/api/oauth-clients': json(201, {}),
    });
    const api = new PortalApi({ fetch: fake.fetch });
    await api.clientAction('cli/../x', 'deactivate');
    await api.createClient('');
    await api.createClient('Staging');
    expect(fake.calls.map((c) => [c.url, c.body])).toEqual([
      ['/portal/api/oauth-clients/cli%2F..%2Fx/deactivate', undefined],
      ['/portal/api/oauth-clients', {}],
      ['/portal/api/oauth-clients', { name: 'Staging' }],
    ]);
  });
});
