import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  InvalidArgumentError,
  InvalidClientError,
  InvalidResponseError,
  LockTimeoutError,
  MemoryTokenStore,
  NetworkError,
  OriginNotAllowedError,
  RateLimitedError,
  TANGO_SANDBOX,
  tokenCacheKey,
  TokenError,
  TokenManager,
  TokenRequestError,
  type TokenManagerOptions,
  type TokenRecord,
} from '../src/index.js';
import { issueTokens, ScriptedServer, type Reply } from './helpers/token-server.js';
import { TestStore } from './helpers/stores.js';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const HOUR = 3_600_000;
const SECRET = 'tsc_secret_do-not-leak-0123456789';

let server: ScriptedServer;
let clock: number;
let warnings: string[];

beforeEach(async () => {
  server = await ScriptedServer.start();
  clock = T0;
  warnings = [];
});

afterEach(async () => {
  await server.close();
});

function manager(overrides: Partial<TokenManagerOptions> = {}): TokenManager {
  return new TokenManager({
    tokenUrl: server.tokenUrl,
    clientId: 'cli_test',
    clientSecret: SECRET,
    now: () => clock,
    logger: { warn: (message) => warnings.push(message) },
    storeRetryMs: 0,
    ...overrides,
  });
}

async function rejection(promise: Promise<unknown>): Promise<TokenError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(TokenError);
    return err as TokenError;
  }
  throw new Error('expected a rejection');
}

function record(accessToken: string, obtainedAt: number, lifetimeMs = 24 * HOUR): TokenRecord {
  return { accessToken, tokenType: 'Bearer', scope: 'raas.all', obtainedAt, expiresAt: obtainedAt + lifetimeMs };
}

describe('the token request', () => {
  it('POSTs a client credentials grant with the form fields Tango documents', async () => {
    const tokens = manager({ audience: 'https://api.tangocard.com/' });
    expect(await tokens.getToken()).toBe('tok-1');
    expect(server.tokenRequests).toHaveLength(1);
    const [request] = server.tokenRequests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/oauth/token');
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request!.headers.accept).toBe('application/json');
    expect(request!.headers.authorization).toBeUndefined();
    expect(request!.body).toBe(
      `grant_type=client_credentials&client_id=cli_test&client_secret=${SECRET}&audience=https%3A%2F%2Fapi.tangocard.com%2F&scope=raas.all`,
    );
  });

  it('omits audience when none is set and sends the scope asked for', async () => {
    await manager().getToken();
    await manager({ scope: 'raas.read raas.write' }).getToken();
    expect(server.tokenRequests.map((r) => r.form)).toEqual([
      { grant_type: 'client_credentials', client_id: 'cli_test', client_secret: SECRET, scope: 'raas.all' },
      { grant_type: 'client_credentials', client_id: 'cli_test', client_secret: SECRET, scope: 'raas.read raas.write' },
    ]);
  });

  it('computes expiry from expires_in and the arrival of the response, not from the JWT exp', async () => {
    // A JWT that claims it expired in 2001: irrelevant, only expires_in counts.
    const jwt = `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify({ exp: 1_000_000_000 })).toString('base64url')}.`;
    server.tokenHandler = () => {
      clock += 5_000; // the response arrives 5 s after the request was sent
      return { json: { access_token: jwt, token_type: 'Bearer', expires_in: 86_400, scope: 'raas.all' } };
    };
    const tokens = manager();
    expect(await tokens.getTokenInfo()).toEqual({
      accessToken: jwt,
      tokenType: 'Bearer',
      scope: 'raas.all',
      obtainedAt: T0 + 5_000,
      expiresAt: T0 + 5_000 + 86_400_000,
    });
  });

  it.each([
    ['no expires_in', { access_token: 'tok', token_type: 'Bearer' }, 'Token response has no valid expires_in'],
    ['expires_in 0', { access_token: 'tok', token_type: 'Bearer', expires_in: 0 }, 'Token response has no valid expires_in'],
    ['no access_token', { token_type: 'Bearer', expires_in: 86_400 }, 'Token response has no access_token'],
    ['a MAC token', { access_token: 'tok', token_type: 'mac', expires_in: 86_400 }, 'Token response has a token_type other than Bearer'],
    ['not JSON', 'tok', 'Token response is not a JSON object'],
  ])('refuses a response with %s (invalid_response)', async (_what, body, message) => {
    server.tokenHandler = () => (typeof body === 'string' ? { body } : { json: body });
    const err = await rejection(manager().getToken());
    expect(err).toBeInstanceOf(InvalidResponseError);
    expect(err.code).toBe('invalid_response');
    expect(err.message).toBe(message);
  });

  it('reports rejected credentials as invalid_client, without the secret even if the server echoes it', async () => {
    server.tokenHandler = () => ({ status: 401, json: { error: 'invalid_client', error_description: `bad secret ${SECRET}` } });
    const err = await rejection(manager().getToken());
    expect(err).toBeInstanceOf(InvalidClientError);
    expect(err).toMatchObject({ code: 'invalid_client', status: 401 });
    expect(err.message).toBe('Token endpoint rejected the client credentials (HTTP 401 invalid_client: bad secret [redacted])');
    expect(JSON.stringify(err) + String(err.stack)).not.toContain(SECRET);
  });

  it('reports other OAuth errors and 5xx as token_request_failed', async () => {
    server.tokenHandler = () => ({ status: 400, json: { error: 'invalid_scope', error_description: 'no such scope' } });
    const scoped = await rejection(manager().getToken());
    expect(scoped).toBeInstanceOf(TokenRequestError);
    expect(scoped).toMatchObject({ code: 'token_request_failed', status: 400, oauthError: 'invalid_scope' });
    expect(scoped.message).toBe('Token request failed (HTTP 400 invalid_scope: no such scope)');

    server.tokenHandler = () => ({ status: 503, body: 'down for maintenance' });
    const down = await rejection(manager().getToken());
    expect(down).toMatchObject({ code: 'token_request_failed', status: 503, oauthError: undefined });
  });

  it('does not follow a redirect (it would carry the secret elsewhere)', async () => {
    server.tokenHandler = () => ({ status: 307, headers: { location: `${server.origin}/elsewhere` } });
    const err = await rejection(manager().getToken());
    expect(err).toMatchObject({ code: 'token_request_failed', status: 307 });
    expect(server.apiRequests).toHaveLength(0);
  });

  it('reports an unreachable endpoint and a timeout as network_error', async () => {
    const closed = await ScriptedServer.start();
    const url = closed.tokenUrl;
    await closed.close();
    const refused = await rejection(manager({ tokenUrl: url }).getToken());
    expect(refused).toBeInstanceOf(NetworkError);
    expect(refused.code).toBe('network_error');
    expect(refused.message).toMatch(/^Token request to http:\/\/127\.0\.0\.1:\d+\/oauth\/token failed: fetch failed \(ECONNREFUSED\)$/);

    server.tokenHandler = () => ({ delayMs: 500, json: {} });
    const slow = await rejection(manager({ requestTimeoutMs: 100 }).getToken());
    expect(slow.code).toBe('network_error');
    expect(slow.message).toBe(`Token request to ${server.tokenUrl} failed: no answer within 100 ms`);
  });

  it('after a failure, does not ask again before a back-off (1 s, doubling)', async () => {
    server.tokenHandler = () => ({ status: 401, json: { error: 'invalid_client' } });
    const tokens = manager();
    const first = await rejection(tokens.getToken());
    const second = await rejection(tokens.getToken());
    expect(second).toBe(first);
    expect(server.tokenRequests).toHaveLength(1);
    clock += 1_000;
    await rejection(tokens.getToken());
    expect(server.tokenRequests).toHaveLength(2);
    clock += 1_999;
    await rejection(tokens.getToken());
    expect(server.tokenRequests).toHaveLength(2);
    clock += 1;
    await rejection(tokens.getToken());
    expect(server.tokenRequests).toHaveLength(3);
  });
});

describe('caching and the refresh window', () => {
  it('serves a warm token with no I/O at all: no request, no store call', async () => {
    const store = new TestStore();
    const tokens = manager({ store });
    expect(await tokens.getToken()).toBe('tok-1');
    // (The second read, once per process, is the audience-less key of earlier versions.)
    expect(store.calls).toEqual(['read', 'read', 'lock', 'read', 'write', 'release']);
    for (let i = 0; i < 1000; i++) expect(await tokens.getToken()).toBe('tok-1');
    clock = T0 + 20 * HOUR - 1; // the last millisecond outside the 4-hour window
    expect(await tokens.getToken()).toBe('tok-1');
    expect(store.calls).toEqual(['read', 'read', 'lock', 'read', 'write', 'release']);
    expect(server.tokenRequests).toHaveLength(1);
  });

  it('makes one request for many concurrent callers in a process', async () => {
    server.tokenHandler = (_r, i) => ({ delayMs: 50, json: { access_token: `tok-${i + 1}`, expires_in: 86_400 } });
    const tokens = manager();
    const all = await Promise.all(Array.from({ length: 25 }, () => tokens.getToken()));
    expect(new Set(all)).toEqual(new Set(['tok-1']));
    expect(server.tokenRequests).toHaveLength(1);
  });

  it('takes a token from the store with one read, no lock and no request', async () => {
    const store = new TestStore();
    await manager({ store }).getToken();
    store.calls.length = 0;
    const restarted = manager({ store });
    expect(await restarted.getToken()).toBe('tok-1');
    expect(store.calls).toEqual(['read']);
    expect(server.tokenRequests).toHaveLength(1);
  });

  it('inside the window, keeps serving the valid token and refreshes once in the background', async () => {
    const store = new TestStore();
    const tokens = manager({ store });
    await tokens.getToken();
    store.calls.length = 0;
    clock = T0 + 20 * HOUR; // exactly 4 hours before expiry
    const during = await Promise.all([tokens.getToken(), tokens.getToken(), tokens.getToken()]);
    expect(during).toEqual(['tok-1', 'tok-1', 'tok-1']);
    await tokens.settled();
    expect(server.tokenRequests).toHaveLength(2);
    expect(store.calls).toEqual(['read', 'lock', 'read', 'write', 'release']);
    expect(await tokens.getTokenInfo()).toEqual(record('tok-2', T0 + 20 * HOUR));
    expect((await store.read(tokens.key)).token).toEqual(record('tok-2', T0 + 20 * HOUR));
  });

  it('on a cold start, uses a token from the store that is inside the window at once and renews it in the background', async () => {
    const store = new MemoryTokenStore();
    await manager({ store }).getToken();
    clock = T0 + 21 * HOUR;
    server.tokenHandler = (_r, i) => ({ delayMs: 200, json: { access_token: `tok-${i + 1}`, token_type: 'Bearer', expires_in: 86_400 } });
    const cold = manager({ store });
    const started = Date.now();
    expect(await cold.getToken()).toBe('tok-1');
    expect(Date.now() - started).toBeLessThan(150);
    await cold.settled();
    expect(await cold.getToken()).toBe('tok-2');
    expect(server.tokenRequests).toHaveLength(2);
  });

  it('waits for a new token once the old one has expired', async () => {
    const tokens = manager();
    await tokens.getToken();
    clock = T0 + 24 * HOUR;
    expect(await tokens.getToken()).toBe('tok-2');
    expect(server.tokenRequests).toHaveLength(2);
  });

  it('caps the window at half the lifetime for short-lived tokens', async () => {
    server.tokenHandler = (_r, i) => ({ json: { access_token: `tok-${i + 1}`, token_type: 'Bearer', expires_in: 3_600 } });
    const tokens = manager();
    await tokens.getToken();
    clock = T0 + 30 * 60_000 - 1;
    await tokens.getToken();
    await tokens.settled();
    expect(server.tokenRequests).toHaveLength(1);
    clock = T0 + 30 * 60_000;
    await tokens.getToken();
    await tokens.settled();
    expect(server.tokenRequests).toHaveLength(2);
  });

  it('keeps clients with a different audience or scope apart in a shared store', async () => {
    const store = new MemoryTokenStore();
    const a = manager({ store });
    const b = manager({ store, scope: 'raas.read' });
    const c = manager({ store, audience: 'https://api.tangocard.com/' });
    expect([await a.getToken(), await b.getToken(), await c.getToken()]).toEqual(['tok-1', 'tok-2', 'tok-3']);
    expect(new Set([a.key, b.key, c.key]).size).toBe(3);
  });

  it('stores the token record and nothing else: never the secret', async () => {
    const store = new MemoryTokenStore();
    const tokens = manager({ store });
    await tokens.getToken();
    const { token } = await store.read(tokens.key);
    expect(token).toEqual(record('tok-1', T0));
    expect(JSON.stringify(token)).not.toContain(SECRET);
  });

  it('lets one manager of a shared store fetch while the other waits for it', async () => {
    server.tokenHandler = (_r, i) => ({ delayMs: 100, json: { access_token: `tok-${i + 1}`, expires_in: 86_400 } });
    const store = new MemoryTokenStore();
    const [a, b] = await Promise.all([manager({ store }).getToken(), manager({ store }).getToken()]);
    expect([a, b]).toEqual(['tok-1', 'tok-1']);
    expect(server.tokenRequests).toHaveLength(1);
  });

  it('gives up waiting for another holder of the lock after waitTimeoutMs (lock_timeout)', async () => {
    const store = new MemoryTokenStore();
    const tokens = manager({ store, waitTimeoutMs: 200 });
    const held = await store.lock(tokens.key, 60_000);
    expect(held).not.toBeNull();
    const started = Date.now();
    const err = await rejection(tokens.getToken());
    expect(err).toBeInstanceOf(LockTimeoutError);
    expect(err.code).toBe('lock_timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(server.tokenRequests).toHaveLength(0);
  });

  it('measures that wait on the injected clock: a clock moved past waitTimeoutMs ends it', async () => {
    const store = new MemoryTokenStore();
    const tokens = manager({ store, waitTimeoutMs: 60_000 });
    await store.lock(tokens.key, 600_000);
    const started = Date.now();
    const pending = rejection(tokens.getToken());
    setTimeout(() => (clock += 60_000), 100);
    const err = await pending;
    expect(err).toBeInstanceOf(LockTimeoutError);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(server.tokenRequests).toHaveLength(0);
  });

  it('takes over when the lock of a crashed holder expires', async () => {
    const store = new MemoryTokenStore();
    const tokens = manager({ store, waitTimeoutMs: 2_000 });
    await store.lock(tokens.key, 150); // never released
    expect(await tokens.getToken()).toBe('tok-1');
    expect(server.tokenRequests).toHaveLength(1);
  });
});

describe('the audience', () => {
  it("shares one token between a manager without audience and one with the server's default audience", async () => {
    const sent: (string | undefined)[] = [];
    for (const order of [['omitted', 'default'], ['default', 'omitted']]) {
      server.tokenRequests.length = 0;
      const store = new MemoryTokenStore();
      const make = (which: string) => manager({ store, ...(which === 'default' ? { audience: `${server.origin}/raas/v2` } : {}) });
      const [first, second] = order.map(make);
      expect(await first!.getToken()).toBe('tok-1');
      expect(await second!.getToken()).toBe('tok-1');
      expect(server.tokenRequests).toHaveLength(1);
      expect(first!.key).toBe(second!.key);
      sent.push(server.tokenRequests[0]!.form.audience);
    }
    // Without an audience none is sent: the server applies its own default.
    expect(sent).toEqual([undefined, `${server.origin}/raas/v2`]);
  });

  it('still keeps an omitted audience apart from another audience', async () => {
    const store = new MemoryTokenStore();
    expect(await manager({ store }).getToken()).toBe('tok-1');
    expect(await manager({ store, audience: 'https://api.tangocard.com/' }).getToken()).toBe('tok-2');
  });

  it('names the default audience with defaultAudience, e.g. for a server with TESSERA_AUDIENCE set', async () => {
    const store = new MemoryTokenStore();
    const omitted = manager({ store, defaultAudience: 'https://api.tangocard.com/' });
    const explicit = manager({ store, audience: 'https://api.tangocard.com/' });
    expect([await omitted.getToken(), await explicit.getToken()]).toEqual(['tok-1', 'tok-1']);
    expect(server.tokenRequests.map((r) => r.form.audience)).toEqual([undefined]);
  });

  it("sends Tango's documented audience to Tango's token endpoint when none is set, and shares the preset's token", async () => {
    const store = new MemoryTokenStore();
    // Tango's token URL, answered by the scripted server.
    const toServer: typeof fetch = (_url, init) => fetch(server.tokenUrl, init);
    const bare = manager({ store, tokenUrl: TANGO_SANDBOX.tokenUrl, fetch: toServer });
    const preset = manager({ store, ...TANGO_SANDBOX, fetch: toServer });
    expect([await bare.getToken(), await preset.getToken()]).toEqual(['tok-1', 'tok-1']);
    expect(server.tokenRequests.map((r) => r.form.audience)).toEqual(['https://api.tangocard.com/']);
    expect(bare.key).toBe(preset.key);
  });

  it("never sends defaultAudience, not even to Tango's token endpoint: it only names the stored token", async () => {
    const toServer: typeof fetch = (_url, init) => fetch(server.tokenUrl, init);
    const tokens = manager({ tokenUrl: TANGO_SANDBOX.tokenUrl, defaultAudience: 'https://elsewhere.example/', fetch: toServer });
    expect(await tokens.getToken()).toBe('tok-1');
    expect(server.tokenRequests.map((r) => r.form.audience)).toEqual(['https://api.tangocard.com/']);
  });

  it('adopts a token stored by an earlier version under the audience-less key, and moves it to the new key', async () => {
    const store = new MemoryTokenStore();
    const legacyKey = tokenCacheKey({ tokenUrl: server.tokenUrl, clientId: 'cli_test', scope: 'raas.all' });
    await store.write(legacyKey, record('tok-old', T0 - HOUR), 23 * HOUR);
    const tokens = manager({ store });
    expect(tokens.key).not.toBe(legacyKey);
    expect(await tokens.getToken()).toBe('tok-old');
    expect(server.tokenRequests).toHaveLength(0);
    expect((await store.read(tokens.key)).token).toEqual(record('tok-old', T0 - HOUR));
    // A manager with the default audience given now finds it too.
    expect(await manager({ store, audience: `${server.origin}/raas/v2` }).getToken()).toBe('tok-old');
    expect(server.tokenRequests).toHaveLength(0);
  });
});

describe('the quota', () => {
  const quota = (retryAfter: string | undefined, status = 400) => (): Reply => ({
    status,
    headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter },
    json: { error: 'rate_limit_exceeded', error_description: 'Client acme-client cli_test has exceeded the daily rate limit' },
  });

  it('is invisible while the token is valid, and no request is made before Retry-After', async () => {
    const store = new MemoryTokenStore();
    const tokens = manager({ store });
    await tokens.getToken();
    server.tokenHandler = quota('3600');
    clock = T0 + 21 * HOUR;
    expect(await tokens.getToken()).toBe('tok-1');
    await tokens.settled();
    expect(server.tokenRequests).toHaveLength(2);
    expect(await store.read(tokens.key)).toEqual({ token: record('tok-1', T0), retryAt: T0 + 22 * HOUR });

    clock = T0 + 22 * HOUR - 1;
    expect(await tokens.getToken()).toBe('tok-1');
    await tokens.settled();
    expect(server.tokenRequests).toHaveLength(2);
    expect(warnings).toEqual([]);

    server.tokenHandler = (_r, i) => ({ json: { access_token: `tok-${i + 1}`, token_type: 'Bearer', expires_in: 86_400 } });
    clock = T0 + 22 * HOUR;
    expect(await tokens.getToken()).toBe('tok-1');
    await tokens.settled();
    expect(server.tokenRequests).toHaveLength(3);
    expect(await tokens.getToken()).toBe('tok-3');
  });

  it('throws rate_limited with retryAt when no valid token is left', async () => {
    server.tokenHandler = quota('120', 429);
    const tokens = manager();
    const err = await rejection(tokens.getToken());
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err).toMatchObject({ code: 'rate_limited', retryAt: T0 + 120_000, status: 429 });
    expect(err.message).toBe(
      'Token quota exceeded (HTTP 429 rate_limit_exceeded: Client acme-client cli_test has exceeded the daily rate limit)',
    );
    clock = T0 + 119_999;
    expect(await rejection(tokens.getToken())).toMatchObject({ code: 'rate_limited', retryAt: T0 + 120_000 });
    expect(server.tokenRequests).toHaveLength(1);
  });

  it('shares Retry-After with the fleet through the store', async () => {
    server.tokenHandler = quota('600');
    const store = new MemoryTokenStore();
    await rejection(manager({ store }).getToken());
    const other = await rejection(manager({ store }).getToken());
    expect(other).toMatchObject({ code: 'rate_limited', retryAt: T0 + 600_000 });
    expect(server.tokenRequests).toHaveLength(1);
  });

  it("recognises Tango's 400 by its message, and waits 5 minutes without Retry-After", async () => {
    server.tokenHandler = () => ({ status: 400, json: { message: 'Client acme 123 has exceeded the daily rate limit' } });
    expect(await rejection(manager().getToken())).toMatchObject({ code: 'rate_limited', retryAt: T0 + 300_000, status: 400 });
  });

  it('accepts an HTTP-date Retry-After, read against the injected clock', async () => {
    // The manager's clock says 2030; the HTTP-date is an hour after that, whatever the real time is.
    server.tokenHandler = quota(new Date(T0 + 3_600_000).toUTCString());
    const err = (await rejection(manager().getToken())) as RateLimitedError;
    expect(err.retryAt).toBe(T0 + 3_600_000);
    // A date in the past (on the injected clock) means now.
    server.tokenHandler = quota(new Date(T0 - 60_000).toUTCString());
    expect(((await rejection(manager().getToken())) as RateLimitedError).retryAt).toBe(T0);
  });
});

describe('a refusal after the quota was reset', () => {
  const refuse = (): Reply => ({
    status: 400,
    headers: { 'retry-after': '72000' },
    json: { error: 'rate_limit_exceeded', error_description: 'Client acme-client cli_test has exceeded the daily rate limit' },
  });
  const MINUTE = 60_000;

  it('is re-checked by one manager of those sharing a store after refusalRecheckIntervalMs, not before', async () => {
    server.tokenHandler = refuse;
    const store = new TestStore();
    const fleet = [manager({ store }), manager({ store }), manager({ store })];
    expect(await rejection(fleet[0]!.getToken())).toMatchObject({ code: 'rate_limited', retryAt: T0 + 20 * HOUR });
    expect(server.tokenRequests).toHaveLength(1);

    clock = T0 + 15 * MINUTE - 1; // the default interval, less 1 ms
    for (const tokens of fleet) expect(await rejection(tokens.getToken())).toMatchObject({ code: 'rate_limited', retryAt: T0 + 20 * HOUR });
    expect(server.tokenRequests).toHaveLength(1);

    clock = T0 + 15 * MINUTE; // still refused: one manager asks, the others see its answer
    for (const tokens of fleet) expect(await rejection(tokens.getToken())).toMatchObject({ code: 'rate_limited' });
    expect(server.tokenRequests).toHaveLength(2);

    server.tokenHandler = issueTokens; // `tessera client reset-quota`
    clock = T0 + 30 * MINUTE - 1;
    for (const tokens of fleet) await rejection(tokens.getToken());
    expect(server.tokenRequests).toHaveLength(2);
    clock = T0 + 30 * MINUTE;
    expect(await Promise.all(fleet.map((tokens) => tokens.getToken()))).toEqual(['tok-3', 'tok-3', 'tok-3']);
    expect(server.tokenRequests).toHaveLength(3);
    // The refusal is gone from the store: a new manager takes the token, nothing is in the way.
    expect(await store.inner.read(fleet[0]!.key)).toEqual({ token: record('tok-3', T0 + 30 * MINUTE), retryAt: null });
  });

  it('is not re-checked while a valid token is left, and the interval is an option (0: never)', async () => {
    const store = new MemoryTokenStore();
    const tokens = manager({ store, refusalRecheckIntervalMs: 5 * MINUTE });
    await tokens.getToken();
    server.tokenHandler = refuse;
    clock = T0 + 21 * HOUR; // inside the window: refused, quietly
    expect(await tokens.getToken()).toBe('tok-1');
    await tokens.settled();
    clock = T0 + 23 * HOUR;
    expect(await tokens.getToken()).toBe('tok-1');
    await tokens.settled();
    expect(server.tokenRequests).toHaveLength(2);
    // Expired: now the refusal is re-checked, every 5 minutes.
    clock = T0 + 24 * HOUR;
    await rejection(tokens.getToken());
    expect(server.tokenRequests).toHaveLength(3);
    clock = T0 + 24 * HOUR + 5 * MINUTE - 1;
    await rejection(tokens.getToken());
    expect(server.tokenRequests).toHaveLength(3);
    clock = T0 + 24 * HOUR + 5 * MINUTE;
    await rejection(tokens.getToken());
    expect(server.tokenRequests).toHaveLength(4);

    const never = manager({ store: new MemoryTokenStore(), refusalRecheckIntervalMs: 0 });
    await rejection(never.getToken());
    clock += 19 * HOUR;
    await rejection(never.getToken());
    expect(server.tokenRequests).toHaveLength(5);
  });

  it('is cleared at once, fleet-wide, by clearRefusal', async () => {
    server.tokenHandler = refuse;
    const store = new MemoryTokenStore();
    const tokens = manager({ store });
    await rejection(tokens.getToken());
    server.tokenHandler = issueTokens;
    clock = T0 + MINUTE;
    await rejection(manager({ store }).getToken()); // the fleet still refuses locally
    expect(server.tokenRequests).toHaveLength(1);
    await tokens.clearRefusal();
    expect((await store.read(tokens.key)).retryAt).toBeNull();
    expect(server.tokenRequests).toHaveLength(1);
    expect(await tokens.getToken()).toBe('tok-2');
    expect(await manager({ store }).getToken()).toBe('tok-2');
    expect(server.tokenRequests).toHaveLength(2);
  });
});

describe('when the store fails', () => {
  it('works from the in-process token, warns once, and asks the server only once', async () => {
    const store = new TestStore();
    store.down = true;
    const tokens = manager({ store });
    expect(await tokens.getToken()).toBe('tok-1');
    for (let i = 0; i < 20; i++) expect(await tokens.getToken()).toBe('tok-1');
    await tokens.settled();
    expect(server.tokenRequests).toHaveLength(1);
    expect(warnings).toEqual([
      '[@tessera/client] token store unavailable (connect ECONNREFUSED 127.0.0.1:6379); using the in-process token, which is written back when the store returns',
    ]);
  });

  it('with no token, gives a failing store storeRetryMs to come back before asking the server alone', async () => {
    const store = new TestStore();
    await manager({ store }).getToken(); // the fleet's token
    store.down = true;
    setTimeout(() => (store.down = false), 150); // a failover
    const started = Date.now();
    expect(await manager({ store, storeRetryMs: 2_000 }).getToken()).toBe('tok-1');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(server.tokenRequests).toHaveLength(1);

    store.down = true;
    const alone = manager({ store, storeRetryMs: 200 });
    expect(await alone.getToken()).toBe('tok-2');
    expect(Date.now() - started).toBeGreaterThanOrEqual(340);
    expect(server.tokenRequests).toHaveLength(2);
  });

  it('puts the token back when the store reconnects', async () => {
    const store = new TestStore();
    store.down = true;
    const tokens = manager({ store });
    await tokens.getToken();
    store.reconnect();
    await tokens.settled();
    expect((await store.inner.read(tokens.key)).token).toEqual(record('tok-1', T0));
    // Back to the warm path: no I/O.
    store.calls.length = 0;
    await tokens.getToken();
    expect(store.calls).toEqual([]);
  });

  it('puts the token back, throttled, with a store that cannot tell it reconnected', async () => {
    const store = new TestStore(new MemoryTokenStore(), false);
    store.down = true;
    const tokens = manager({ store });
    await tokens.getToken();
    await tokens.getToken(); // a write-back attempt, which fails: the next one waits 1 s
    await tokens.settled();
    store.down = false;
    clock += 999;
    await tokens.getToken();
    await tokens.settled();
    expect((await store.inner.read(tokens.key)).token).toBeNull();
    clock += 1;
    await tokens.getToken();
    await tokens.settled();
    expect((await store.inner.read(tokens.key)).token).toEqual(record('tok-1', T0));
    // Back to the warm path: no I/O.
    store.calls.length = 0;
    await tokens.getToken();
    expect(store.calls).toEqual([]);
    expect(server.tokenRequests).toHaveLength(1);
  });

  it('never asks more than once per quota window because of it', async () => {
    const store = new TestStore();
    store.down = true;
    const tokens = manager({ store });
    await tokens.getToken();
    // The API rejects the token, and the store is still down: no second request within 20 hours.
    await tokens.invalidate('tok-1');
    clock = T0 + HOUR;
    expect(await rejection(tokens.getToken())).toMatchObject({ code: 'rate_limited', retryAt: T0 + 20 * HOUR });
    expect(server.tokenRequests).toHaveLength(1);
  });

  it('refreshes once inside the window while the store is down, and writes the new token back later', async () => {
    const store = new TestStore();
    const tokens = manager({ store });
    await tokens.getToken();
    store.down = true;
    clock = T0 + 21 * HOUR;
    expect(await tokens.getToken()).toBe('tok-1');
    await tokens.settled();
    for (let i = 0; i < 5; i++) {
      expect(await tokens.getToken()).toBe('tok-2');
      await tokens.settled();
      clock += 10 * 60_000;
    }
    expect(server.tokenRequests).toHaveLength(2);
    expect(warnings).toHaveLength(1);
    store.reconnect();
    await tokens.settled();
    expect((await store.inner.read(tokens.key)).token).toEqual(record('tok-2', T0 + 21 * HOUR));
  });

  it('checks the store in the background and puts the token back after a flush without a disconnect', async () => {
    const store = new TestStore();
    const tokens = manager({ store, storeCheckIntervalMs: 20 });
    await tokens.getToken();
    await store.inner.delete(tokens.key, 'tok-1'); // FLUSHALL: no reconnect, and the warm path does no I/O
    await vi.waitFor(async () => expect((await store.inner.read(tokens.key)).token).toEqual(record('tok-1', T0)), { timeout: 5_000 });
    // A new process on the store takes that token: no request.
    expect(await manager({ store, storeCheckIntervalMs: 0 }).getToken()).toBe('tok-1');
    expect(server.tokenRequests).toHaveLength(1);
    expect(warnings).toEqual([]);

    // close() stops the check.
    await tokens.close();
    await store.inner.delete(tokens.key, 'tok-1');
    store.calls.length = 0;
    await new Promise((r) => setTimeout(r, 100));
    expect(store.calls).toEqual([]);
    expect((await store.inner.read(tokens.key)).token).toBeNull();
  });

  it('keeps the store check off the getToken path, and never starts it without a token', async () => {
    const store = new TestStore();
    server.tokenHandler = () => ({ status: 500, json: {} });
    const failing = manager({ store, storeCheckIntervalMs: 20 });
    await rejection(failing.getToken());
    store.calls.length = 0;
    await new Promise((r) => setTimeout(r, 100));
    expect(store.calls).toEqual([]);

    server.tokenHandler = issueTokens;
    const tokens = manager({ store, storeCheckIntervalMs: 60_000 });
    await tokens.getToken();
    store.calls.length = 0;
    for (let i = 0; i < 10; i++) await tokens.getToken();
    expect(store.calls).toEqual([]);
    await tokens.close();
    await failing.close();
  });

  it('puts the token back when it finds the store flushed', async () => {
    const store = new TestStore();
    const tokens = manager({ store });
    await tokens.getToken();
    await store.inner.delete(tokens.key, 'tok-1'); // FLUSHALL
    server.tokenHandler = () => ({ status: 400, headers: { 'retry-after': '3600' }, json: { error: 'rate_limit_exceeded' } });
    clock = T0 + 21 * HOUR;
    await tokens.getToken();
    await tokens.settled();
    expect((await store.inner.read(tokens.key)).token).toEqual(record('tok-1', T0));
  });
});

describe('fetch', () => {
  const INVALID_TOKEN = { 'www-authenticate': 'Bearer realm="api", error="invalid_token", error_description="The access token expired"' };

  it('sends the bearer token, replacing any Authorization header, and passes the request through', async () => {
    const tokens = manager();
    const res = await tokens.fetch(`${server.origin}/raas/v2/customers`, {
      method: 'POST',
      headers: { authorization: 'Basic xyz', 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, authorization: 'Bearer tok-1' });
    const [seen] = server.apiRequests;
    expect(seen).toMatchObject({ method: 'POST', path: '/raas/v2/customers', body: '{"a":1}' });
    expect(seen!.headers['content-type']).toBe('application/json');
  });

  it('on a 401, drops the token that failed (memory and store) and retries once with a new one', async () => {
    const store = new MemoryTokenStore();
    const tokens = manager({ store });
    server.apiHandler = (request) =>
      request.headers.authorization === 'Bearer tok-1'
        ? { status: 401, headers: INVALID_TOKEN, json: { error: 'invalid_token' } }
        : { json: { body: request.body } };
    const res = await tokens.fetch(new Request(`${server.origin}/raas/v2/orders`, { method: 'PUT', body: 'payload' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ body: 'payload' });
    expect(server.apiRequests.map((r) => [r.headers.authorization, r.body])).toEqual([
      ['Bearer tok-1', 'payload'],
      ['Bearer tok-2', 'payload'],
    ]);
    expect((await store.read(tokens.key)).token?.accessToken).toBe('tok-2');
  });

  it('re-sends a streamed body on the retry', async () => {
    const tokens = manager();
    server.apiHandler = (request) =>
      request.headers.authorization === 'Bearer tok-1'
        ? { status: 401, headers: { 'www-authenticate': 'Bearer realm="api"' }, json: {} }
        : { json: { body: request.body } };
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed '));
        controller.enqueue(new TextEncoder().encode('payload'));
        controller.close();
      },
    });
    const res = await tokens.fetch(`${server.origin}/raas/v2/orders`, { method: 'POST', body, duplex: 'half' } as RequestInit);
    expect(await res.json()).toEqual({ body: 'streamed payload' });
    expect(server.apiRequests.map((r) => r.body)).toEqual(['streamed payload', 'streamed payload']);
  });

  it('retries only once', async () => {
    const tokens = manager();
    server.apiHandler = () => ({ status: 401, headers: INVALID_TOKEN, json: { error: 'invalid_token' } });
    const res = await tokens.fetch(`${server.origin}/raas/v2/accounts`);
    expect(res.status).toBe(401);
    expect(server.apiRequests).toHaveLength(2);
    expect(server.tokenRequests).toHaveLength(2);
  });

  it('keeps a newer token another process stored (compare-and-delete) and uses it', async () => {
    const store = new MemoryTokenStore();
    const tokens = manager({ store });
    await tokens.getToken();
    // Another process refreshed meanwhile: the store holds a later token.
    await store.write(tokens.key, record('tok-other', T0 + HOUR), 24 * HOUR);
    server.apiHandler = (request) =>
      request.headers.authorization === 'Bearer tok-1' ? { status: 401, headers: INVALID_TOKEN, json: {} } : { json: { ok: true } };
    const res = await tokens.fetch(`${server.origin}/raas/v2/accounts`);
    expect(res.status).toBe(200);
    expect(server.apiRequests.map((r) => r.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-other']);
    expect(server.tokenRequests).toHaveLength(1);
    expect((await store.read(tokens.key)).token?.accessToken).toBe('tok-other');
  });

  it('returns the original 401 if the failed token cannot be replaced because of the quota', async () => {
    const tokens = manager();
    await tokens.getToken();
    server.tokenHandler = () => ({ status: 400, headers: { 'retry-after': '60' }, json: { error: 'rate_limit_exceeded' } });
    server.apiHandler = () => ({ status: 401, headers: INVALID_TOKEN, json: { error: 'invalid_token', from: 'api' } });
    const res = await tokens.fetch(`${server.origin}/raas/v2/accounts`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(INVALID_TOKEN['www-authenticate']);
    expect(await res.json()).toEqual({ error: 'invalid_token', from: 'api' });
    expect(server.apiRequests).toHaveLength(1);
    expect(server.tokenRequests).toHaveLength(2);
    // The token really was rejected: getToken now reports the quota.
    expect(await rejection(tokens.getToken())).toMatchObject({ code: 'rate_limited', retryAt: T0 + 60_000 });
  });

  it.each([
    ['a Basic challenge', { 'www-authenticate': 'Basic realm="x"' }],
    ['Bearer insufficient_scope', { 'www-authenticate': 'Bearer realm="api", error="insufficient_scope", scope="raas.write"' }],
    ['Bearer invalid_request', { 'www-authenticate': 'Bearer error="invalid_request"' }],
    ['another scheme', { 'www-authenticate': 'Negotiate abc123==' }],
    ['invalid_token only inside a quoted Basic realm', { 'www-authenticate': 'Basic realm="Bearer error=invalid_token, x"' }],
  ])('returns a 401 with %s untouched, keeps the token and asks for no new one', async (_what, headers) => {
    const store = new MemoryTokenStore();
    const tokens = manager({ store });
    server.apiHandler = (request) =>
      request.path === '/elsewhere' ? { status: 401, headers, json: { error: 'unauthorized' } } : { json: { authorization: request.headers.authorization } };
    const res = await tokens.fetch(`${server.origin}/elsewhere`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(headers['www-authenticate']);
    expect(await res.json()).toEqual({ error: 'unauthorized' });
    // The token is still cached and served, in memory and in the store, with no new token request.
    expect(await tokens.getToken()).toBe('tok-1');
    expect((await store.read(tokens.key)).token?.accessToken).toBe('tok-1');
    expect(await manager({ store }).getToken()).toBe('tok-1');
    expect(await (await tokens.fetch(`${server.origin}/raas/v2/accounts`)).json()).toEqual({ authorization: 'Bearer tok-1' });
    expect(server.tokenRequests).toHaveLength(1);
    expect(server.apiRequests).toHaveLength(2);
    expect((await store.read(tokens.key)).retryAt).toBeNull();
  });

  it.each([
    ['Bearer error="invalid_token"', 'Bearer error="invalid_token"'],
    ['a bare Bearer challenge', 'Bearer'],
    ['Tessera\'s Bearer and Basic challenges', 'Bearer realm="https://t.example", error="invalid_token", error_description="expired, or revoked", Basic realm="https://t.example"'],
    ['Basic before Bearer, unquoted error', 'Basic realm="x", charset="UTF-8", Bearer realm="x", error=invalid_token'],
    ['a lower-case scheme', 'bearer error="invalid_token"'],
    ['no challenge at all (against RFC 9110, but it may mean the token)', undefined],
  ])('retries a 401 with %s', async (_what, challenge) => {
    const tokens = manager();
    server.apiHandler = (request) =>
      request.headers.authorization === 'Bearer tok-1'
        ? { status: 401, headers: challenge === undefined ? undefined : { 'www-authenticate': challenge }, json: {} }
        : { json: { ok: true } };
    const res = await tokens.fetch(`${server.origin}/raas/v2/accounts`);
    expect(res.status).toBe(200);
    expect(server.apiRequests.map((r) => r.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-2']);
  });
});

describe('fetch sends the token to the API origins only', () => {
  const INVALID_TOKEN = { 'www-authenticate': 'Bearer error="invalid_token"' };
  let foreign: ScriptedServer;

  beforeEach(async () => {
    foreign = await ScriptedServer.start();
    foreign.apiHandler = () => ({ status: 401, headers: INVALID_TOKEN, json: { error: 'invalid_token' } });
  });

  afterEach(async () => {
    await foreign.close();
  });

  it('refuses another origin before sending anything, and keeps the token (no quota spent)', async () => {
    const store = new MemoryTokenStore();
    const tokens = manager({ store });
    expect(await tokens.getToken()).toBe('tok-1');
    const err = await rejection(tokens.fetch(`${foreign.origin}/raas/v2/accounts`, { headers: { authorization: 'Basic keep-me-out' } }));
    expect(err).toBeInstanceOf(OriginNotAllowedError);
    expect(err).toMatchObject({ code: 'origin_not_allowed', origin: foreign.origin });
    expect(err.message).toBe(
      `Refused to send the access token: ${foreign.origin}/raas/v2/accounts is not on an API origin (apiOrigins: ${server.origin})`,
    );
    expect(foreign.apiRequests).toEqual([]);
    expect(foreign.tokenRequests).toEqual([]);
    expect(await tokens.getToken()).toBe('tok-1');
    expect((await store.read(tokens.key)).token?.accessToken).toBe('tok-1');
    expect(server.tokenRequests).toHaveLength(1);
  });

  it('refuses before asking for a token', async () => {
    const err = await rejection(manager().fetch(new Request(`${foreign.origin}/x`)));
    expect(err.code).toBe('origin_not_allowed');
    expect(server.tokenRequests).toHaveLength(0);
  });

  it('does not follow a redirect to another origin', async () => {
    const tokens = manager();
    server.apiHandler = () => ({ status: 302, headers: { location: `${foreign.origin}/steal` } });
    const err = await rejection(tokens.fetch(`${server.origin}/raas/v2/accounts`));
    expect(err).toMatchObject({ code: 'origin_not_allowed', origin: foreign.origin });
    expect(err.message).toBe(
      `Refused to send the access token: ${server.origin}/raas/v2/accounts redirected to ${foreign.origin}, which is not an API origin (apiOrigins: ${server.origin})`,
    );
    expect(foreign.apiRequests).toEqual([]);
    expect(server.apiRequests).toHaveLength(1);
    expect(await tokens.getToken()).toBe('tok-1');
  });

  it('follows redirects on an API origin with the token, as fetch would (307 keeps the body, 303 becomes a GET)', async () => {
    const tokens = manager();
    server.apiHandler = (request) => {
      if (request.path === '/a') return { status: 307, headers: { location: '/b' } };
      if (request.path === '/b') return { status: 303, headers: { location: `${server.origin}/c` } };
      return { json: { method: request.method, authorization: request.headers.authorization, body: request.body } };
    };
    const res = await tokens.fetch(`${server.origin}/a`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'payload' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ method: 'GET', authorization: 'Bearer tok-1', body: '' });
    expect(server.apiRequests.map((r) => [r.method, r.path, r.headers.authorization, r.body, r.headers['content-type']])).toEqual([
      ['POST', '/a', 'Bearer tok-1', 'payload', 'text/plain'],
      ['POST', '/b', 'Bearer tok-1', 'payload', 'text/plain'],
      ['GET', '/c', 'Bearer tok-1', '', undefined],
    ]);
  });

  it("returns a redirect untouched with redirect: 'manual'", async () => {
    server.apiHandler = () => ({ status: 302, headers: { location: `${foreign.origin}/steal` } });
    const res = await manager().fetch(`${server.origin}/raas/v2/accounts`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${foreign.origin}/steal`);
    expect(foreign.apiRequests).toEqual([]);
  });

  it('sends the token to every origin in apiOrigins, and renews once on their invalid_token 401', async () => {
    const tokens = manager({ apiOrigins: [server.origin, `${foreign.origin}/`] });
    foreign.apiHandler = (request) =>
      request.headers.authorization === 'Bearer tok-1' ? { status: 401, headers: INVALID_TOKEN, json: {} } : { json: { ok: true } };
    const res = await tokens.fetch(`${foreign.origin}/raas/v2/accounts`);
    expect(res.status).toBe(200);
    expect(foreign.apiRequests.map((r) => r.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-2']);
    expect(server.tokenRequests).toHaveLength(2);
    expect(await (await tokens.fetch(`${server.origin}/raas/v2/accounts`)).json()).toEqual({ ok: true, authorization: 'Bearer tok-2' });
    // The token endpoint's origin is allowed by default only, not when apiOrigins is given without it.
    expect((await rejection(manager({ apiOrigins: [foreign.origin] }).fetch(`${server.origin}/x`))).code).toBe('origin_not_allowed');
  });

  it("sends the token to Tango's API origin with the Tango presets, and by default for Tango's token endpoint", async () => {
    const sent: string[] = [];
    const stub: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      if (request.url === TANGO_SANDBOX.tokenUrl) return Response.json({ access_token: 'tango-tok', token_type: 'Bearer', expires_in: 86_400 });
      sent.push(`${request.url} ${request.headers.get('authorization')}`);
      return Response.json({});
    };
    for (const tokens of [manager({ ...TANGO_SANDBOX, fetch: stub }), manager({ tokenUrl: TANGO_SANDBOX.tokenUrl, fetch: stub })]) {
      await tokens.fetch(`${TANGO_SANDBOX.apiBaseUrl}/catalogs`);
      expect((await rejection(tokens.fetch('https://sandbox-auth.tangocard.com/raas/v2/catalogs'))).code).toBe('origin_not_allowed');
    }
    expect(sent).toEqual([
      'https://integration-api.tangocard.com/raas/v2/catalogs Bearer tango-tok',
      'https://integration-api.tangocard.com/raas/v2/catalogs Bearer tango-tok',
    ]);
  });
});

describe('options', () => {
  it.each([
    [{ tokenUrl: 'not a url' }, 'tokenUrl must be an absolute URL'],
    [{ tokenUrl: 'ftp://example.com/token' }, 'tokenUrl must be an http(s) URL'],
    [{ clientId: '' }, 'clientId must be a non-empty string'],
    [{ clientSecret: undefined as unknown as string }, 'clientSecret must be a non-empty string'],
    [{ refreshWindowMs: -1 }, 'refreshWindowMs must be a non-negative number of milliseconds'],
    [{ apiOrigins: [] }, 'apiOrigins must list at least one origin'],
    [{ apiOrigins: ['https://api.example.com/raas/v2'] }, 'apiOrigins entries must be origins such as https://api.example.com, not "https://api.example.com/raas/v2"'],
    [{ apiOrigins: ['api.example.com'] }, 'apiOrigins entries must be origins such as https://api.example.com, not "api.example.com"'],
  ])('refuses %j', (overrides, message) => {
    let thrown: unknown;
    try {
      manager(overrides);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InvalidArgumentError);
    expect(thrown).toMatchObject({ code: 'invalid_argument', message });
  });
});
