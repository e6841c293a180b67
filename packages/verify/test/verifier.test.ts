import { generateKeyPair } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createVerifier, type TesseraPrincipal, VerificationError, type Verifier, type VerifierOptions } from '../src/index.js';
import { AUDIENCE, BASIC_CHALLENGES, FakeTessera, keyAllow, refusal, tokenAllow } from './support/fake-tessera.js';

const BASIC = `Basic ${Buffer.from('acme:tk_secret-api-key-value').toString('base64')}`;

const TOKEN_PRINCIPAL: TesseraPrincipal = {
  platform: 'acme',
  platformId: 'plt_1',
  credentialKind: 'oauth_client',
  credentialId: 'cli_1',
  scope: ['raas.all', 'orders.read'],
  audience: AUDIENCE,
  tokenId: 'tok-1',
};

const KEY_PRINCIPAL: TesseraPrincipal = {
  platform: 'acme',
  platformId: 'plt_1',
  credentialKind: 'api_key',
  credentialId: 'key_1',
  scope: ['raas.all'],
  audience: AUDIENCE,
};

let tessera: FakeTessera;
const verifiers: Verifier[] = [];

function verifier(options: Partial<VerifierOptions> = {}): Verifier {
  const made = createVerifier({ tessera: tessera.url, audience: AUDIENCE, ...options });
  verifiers.push(made);
  return made;
}

function headers(authorization?: string): { headers: Record<string, string> } {
  return { headers: authorization === undefined ? {} : { authorization } };
}

/** The refusal verify() threw, as plain data to compare whole. */
async function refusalOf(promise: Promise<unknown>): Promise<{ status: number; error: string; description: string; headers: unknown }> {
  const error = await promise.then(
    () => {
      throw new Error('expected a refusal, got an allow');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VerificationError);
  const { status, error: code, description, headers } = error as VerificationError;
  return { status, error: code, description, headers };
}

function invalidToken(description: string) {
  return {
    status: 401,
    error: 'invalid_token',
    description,
    headers: { 'WWW-Authenticate': `Bearer realm="${AUDIENCE}", error="invalid_token", error_description="${description}"` },
  };
}

beforeAll(async () => {
  tessera = await FakeTessera.start();
});

afterEach(async () => {
  vi.useRealTimers();
  for (const made of verifiers.splice(0)) await made.close();
});

afterAll(async () => {
  await tessera.stop();
});

beforeEach(() => {
  tessera.questions.length = 0;
  tessera.jwksAnswer = undefined;
  tessera.answer = ({ authorization }) =>
    authorization === BASIC
      ? keyAllow()
      : authorization?.startsWith('Bearer ')
        ? tokenAllow()
        : refusal(401, 'invalid_credentials', 'The platform name or API key is not valid', { 'WWW-Authenticate': BASIC_CHALLENGES });
});

describe('createVerifier', () => {
  it('refuses options it cannot work with, saying which', () => {
    expect(() => createVerifier({ tessera: 'not a url', audience: AUDIENCE })).toThrow(
      new TypeError('tessera must be Tessera\'s URL, like https://tessera.example.com: got "not a url"'),
    );
    expect(() => createVerifier({ tessera: 'ftp://tessera', audience: AUDIENCE })).toThrow(new TypeError('tessera must be an http: or https: URL: got ftp:'));
    expect(() => createVerifier({ tessera: 'http://t/?x=1', audience: AUDIENCE })).toThrow(
      new TypeError('tessera must be a base URL without query, fragment or credentials'),
    );
    expect(() => createVerifier({ tessera: 'http://t', audience: '' })).toThrow(
      new TypeError("audience must be the API's audience, as registered with tessera api add"),
    );
    expect(() => createVerifier({ tessera: 'http://t', audience: AUDIENCE, statusTtlMs: -1 })).toThrow(
      new TypeError('statusTtlMs must be an integer of at least 0: got -1'),
    );
    expect(() => createVerifier({ tessera: 'http://t', audience: AUDIENCE, timeoutMs: 0 })).toThrow(new TypeError('timeoutMs must be an integer of at least 1: got 0'));
    expect(() => createVerifier({ tessera: 'http://t', audience: AUDIENCE, maxEntries: 1.5 })).toThrow(
      new TypeError('maxEntries must be an integer of at least 1: got 1.5'),
    );
  });
});

describe('verify: allows', () => {
  it('lets a good Bearer token through with the principal Tessera names, asking forward-auth with the Authorization and the audience', async () => {
    const token = await tessera.token();
    expect(await verifier().verify(headers(`Bearer ${token}`))).toEqual(TOKEN_PRINCIPAL);
    expect(tessera.questions).toEqual([{ authorization: `Bearer ${token}`, audience: AUDIENCE, method: 'GET' }]);
  });

  it('lets a good API key (Basic) through with its principal, without a token id', async () => {
    expect(await verifier().verify(headers(BASIC))).toEqual(KEY_PRINCIPAL);
    expect(tessera.questions).toEqual([{ authorization: BASIC, audience: AUDIENCE, method: 'GET' }]);
  });

  it("reads fetch's Headers as well as Node's", async () => {
    const token = await tessera.token();
    expect(await verifier().verify({ headers: new Headers({ Authorization: `Bearer ${token}` }) })).toEqual(TOKEN_PRINCIPAL);
  });

  it('accepts a tessera URL with a trailing slash (the issuer has none, as TESSERA_PUBLIC_URL)', async () => {
    const token = await tessera.token();
    expect(await verifier({ tessera: `${tessera.url}/` }).verify(headers(`Bearer ${token}`))).toEqual(TOKEN_PRINCIPAL);
  });

  it('hands each caller its own copy of the principal', async () => {
    const v = verifier();
    const first = await v.verify(headers(BASIC));
    first.scope.push('admin');
    first.platform = 'other';
    expect(await v.verify(headers(BASIC))).toEqual(KEY_PRINCIPAL);
  });
});

describe('verify: the status cache', () => {
  it('asks Tessera about a credential once per statusTtlMs, allow and refusal alike', async () => {
    const v = verifier({ statusTtlMs: 300 });
    const token = await tessera.token();
    for (let i = 0; i < 3; i++) {
      await v.verify(headers(`Bearer ${token}`));
      await v.verify(headers(BASIC));
      await refusalOf(v.verify(headers('Basic d3Jvbmc6d3Jvbmc=')));
    }
    expect(tessera.forwardAuthCalls()).toBe(3);
    await new Promise((r) => setTimeout(r, 350));
    await v.verify(headers(`Bearer ${token}`));
    await v.verify(headers(BASIC));
    await refusalOf(v.verify(headers('Basic d3Jvbmc6d3Jvbmc=')));
    expect(tessera.forwardAuthCalls()).toBe(6);
  });

  it('sees a deactivation once the remembered allow is statusTtlMs old, not before', async () => {
    const v = verifier({ statusTtlMs: 400 });
    const askedAt = Date.now();
    expect(await v.verify(headers(BASIC))).toEqual(KEY_PRINCIPAL);
    tessera.answer = () => refusal(401, 'invalid_credentials', 'The platform name or API key is not valid', { 'WWW-Authenticate': BASIC_CHALLENGES[1]! });
    // Remembered: still allowed though Tessera now refuses.
    expect(await v.verify(headers(BASIC))).toEqual(KEY_PRINCIPAL);
    for (;;) {
      const refused = await v.verify(headers(BASIC)).then(
        () => false,
        () => true,
      );
      if (refused) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const elapsed = Date.now() - askedAt;
    expect(elapsed).toBeGreaterThanOrEqual(400);
    // statusTtlMs, and room for a loaded machine's polling; twice statusTtlMs would be a bug.
    expect(elapsed).toBeLessThan(800);
  });

  it('asks every time with statusTtlMs 0', async () => {
    const v = verifier({ statusTtlMs: 0 });
    await v.verify(headers(BASIC));
    await v.verify(headers(BASIC));
    expect(tessera.forwardAuthCalls()).toBe(2);
  });

  it('keeps one question in flight per credential', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    tessera.answer = async () => {
      await released;
      return keyAllow();
    };
    const v = verifier();
    const pending = Array.from({ length: 10 }, () => v.verify(headers(BASIC)));
    await new Promise((r) => setTimeout(r, 50));
    release();
    expect(await Promise.all(pending)).toEqual(Array.from({ length: 10 }, () => KEY_PRINCIPAL));
    expect(tessera.forwardAuthCalls()).toBe(1);
  });

  it('remembers maxEntries credentials at most, dropping the least recently used', async () => {
    const v = verifier({ maxEntries: 2, statusTtlMs: 60_000 });
    const a = 'Basic YTph';
    const b = 'Basic YjpiYg==';
    const c = 'Basic YzpjYw==';
    for (const credential of [a, b, a, c]) await refusalOf(v.verify(headers(credential)));
    expect(tessera.forwardAuthCalls()).toBe(3);
    // c pushed out b (a was used after b): a and c are remembered, b is asked again.
    await refusalOf(v.verify(headers(a)));
    await refusalOf(v.verify(headers(c)));
    expect(tessera.forwardAuthCalls()).toBe(3);
    await refusalOf(v.verify(headers(b)));
    expect(tessera.forwardAuthCalls()).toBe(4);
  });

  it('refuses a remembered allow once its token has expired, without asking Tessera', async () => {
    const v = verifier({ statusTtlMs: 600_000 });
    const exp = Math.floor(Date.now() / 1000) + 60;
    const token = await tessera.token({ exp });
    expect(await v.verify(headers(`Bearer ${token}`))).toEqual(TOKEN_PRINCIPAL);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(exp * 1000 - 1);
    expect(await v.verify(headers(`Bearer ${token}`))).toEqual(TOKEN_PRINCIPAL);
    vi.setSystemTime(exp * 1000);
    expect(await refusalOf(v.verify(headers(`Bearer ${token}`)))).toEqual(invalidToken('The token has expired'));
    expect(tessera.forwardAuthCalls()).toBe(1);
  });
});

describe('verify: refusals', () => {
  it("passes Tessera's refusal on: status, error, description, every challenge", async () => {
    expect(await refusalOf(verifier().verify(headers('Basic d3Jvbmc6d3Jvbmc=')))).toEqual({
      status: 401,
      error: 'invalid_credentials',
      description: 'The platform name or API key is not valid',
      headers: { 'WWW-Authenticate': BASIC_CHALLENGES },
    });
  });

  it('asks Tessera about a request without credentials, and remembers its answer like any other', async () => {
    tessera.answer = ({ authorization }) =>
      authorization === undefined
        ? refusal(401, 'credentials_required', 'Authentication is required', { 'WWW-Authenticate': BASIC_CHALLENGES })
        : keyAllow();
    const v = verifier();
    const expected = { status: 401, error: 'credentials_required', description: 'Authentication is required', headers: { 'WWW-Authenticate': BASIC_CHALLENGES } };
    expect(await refusalOf(v.verify(headers()))).toEqual(expected);
    expect(await refusalOf(v.verify(headers()))).toEqual(expected);
    expect(tessera.questions).toEqual([{ authorization: undefined, audience: AUDIENCE, method: 'GET' }]);
  });

  it("passes a 403 (platform or kind not allowed) and a 429's Retry-After on", async () => {
    tessera.answer = ({ authorization }) =>
      authorization === BASIC
        ? refusal(403, 'access_denied', 'The platform acme may not call this API')
        : refusal(429, 'too_many_failures', 'Too many failed attempts: retry later', { 'Retry-After': '30' });
    const v = verifier();
    expect(await refusalOf(v.verify(headers(BASIC)))).toEqual({
      status: 403,
      error: 'access_denied',
      description: 'The platform acme may not call this API',
      headers: {},
    });
    expect(await refusalOf(v.verify(headers('Basic eDp5')))).toEqual({
      status: 429,
      error: 'too_many_failures',
      description: 'Too many failed attempts: retry later',
      headers: { 'Retry-After': '30' },
    });
  });

  it('refuses a token that is not valid for this API on its own, without asking Tessera', async () => {
    const now = Math.floor(Date.now() / 1000);
    const stranger = (await generateKeyPair('ES256')).privateKey;
    const cases: [string, string][] = [
      [await tessera.token({ exp: now - 1 }), 'The token has expired'],
      [await tessera.token({ aud: 'https://other.example.com/' }), "The token is for another audience, not this API's: ask for a token for https://api.example.com/"],
      [await tessera.token({ iss: 'https://evil.example.com' }), 'The token is not valid'],
      [await tessera.token({}, { typ: 'JWT' }), 'The token is not valid'],
      [await tessera.token({}, { signWith: stranger }), 'The token is not valid'],
      [await tessera.token({}, { kid: 'no-such-key' }), 'The token was not signed by a key of this Tessera'],
      [await tessera.token({ platform: undefined }), 'The token is not valid'],
      ['eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.eyJzdWIiOiJ4In0.', 'The token is not valid'],
      ['not-a-jwt', 'The token is not valid'],
    ];
    const v = verifier();
    for (const [token, description] of cases) {
      expect(await refusalOf(v.verify(headers(`Bearer ${token}`)))).toEqual(invalidToken(description));
    }
    expect(tessera.forwardAuthCalls()).toBe(0);
  });

  it('refuses a malformed Bearer value and two Authorization headers as invalid_request (400)', async () => {
    const v = verifier();
    const malformed = 'The Bearer credentials are malformed: expected Authorization: Bearer <access token>';
    for (const value of ['Bearer', 'Bearer a b', 'bearer é']) {
      expect(await refusalOf(v.verify(headers(value)))).toEqual({
        status: 400,
        error: 'invalid_request',
        description: malformed,
        headers: { 'WWW-Authenticate': `Bearer realm="${AUDIENCE}", error="invalid_request", error_description="${malformed}"` },
      });
    }
    const twice = 'Send credentials once: one Authorization header';
    const expected = {
      status: 400,
      error: 'invalid_request',
      description: twice,
      headers: { 'WWW-Authenticate': `Bearer realm="${AUDIENCE}", error="invalid_request", error_description="${twice}"` },
    };
    expect(await refusalOf(v.verify({ headers: { authorization: BASIC }, rawHeaders: ['Authorization', BASIC, 'authorization', 'Basic eDp5'] }))).toEqual(expected);
    expect(await refusalOf(v.verify({ headers: { authorization: [BASIC, 'Basic eDp5'] } as never }))).toEqual(expected);
    expect(tessera.forwardAuthCalls()).toBe(0);
  });
});

describe('verify: key rotation', () => {
  it('follows a rotation: a token signed by a newly published key is verified after one refetch of the key set', async () => {
    const v = verifier();
    expect(await v.verify(headers(`Bearer ${await tessera.token()}`))).toEqual(TOKEN_PRINCIPAL);
    const fetches = tessera.jwksFetches;
    await tessera.rotate();
    const rotated = await tessera.token();
    // The key set was fetched just now: a made-up kid does not make the verifier fetch it again at once
    // (a second later it may), and the rotated key is in it by the time tokens signed with it exist.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 1_100);
    expect(await v.verify(headers(`Bearer ${rotated}`))).toEqual(TOKEN_PRINCIPAL);
    expect(tessera.jwksFetches).toBe(fetches + 1);
  });
});

describe('verify: Tessera unavailable → 503, never an allow', () => {
  const unavailableRefusal = (description: string) => ({ status: 503, error: 'temporarily_unavailable', description, headers: { 'Retry-After': '1' } });

  it('refuses with 503 when forward-auth answers 5xx, 404, or an allow without identity headers', async () => {
    const v = verifier({ statusTtlMs: 0 });
    tessera.answer = () => refusal(500, 'internal', 'boom');
    expect(await refusalOf(v.verify(headers(BASIC)))).toEqual(unavailableRefusal('Tessera answered 500 to the credential check'));
    tessera.answer = () => ({ status: 404, body: 'Not Found' });
    expect(await refusalOf(v.verify(headers(BASIC)))).toEqual(
      unavailableRefusal(`Tessera at ${tessera.url} has no /forward-auth (it answered 404): check the verifier's tessera URL`),
    );
    tessera.answer = () => ({ status: 200, body: 'OK' });
    expect(await refusalOf(v.verify(headers(BASIC)))).toEqual(
      unavailableRefusal(`Tessera's answer to the credential check has no valid X-Tessera-Platform header: is ${tessera.url} a Tessera with forward-auth?`),
    );
    tessera.answer = () => tokenAllow({ 'X-Tessera-Credential-Kind': 'robot' });
    expect(await refusalOf(v.verify(headers(BASIC)))).toEqual(
      unavailableRefusal(`Tessera's answer to the credential check has no valid X-Tessera-Credential-Kind header: is ${tessera.url} a Tessera with forward-auth?`),
    );
  });

  it('refuses with 503 when forward-auth does not answer within timeoutMs, and does not remember it', async () => {
    tessera.answer = () => 'hang';
    const v = verifier({ timeoutMs: 150 });
    const started = Date.now();
    expect(await refusalOf(v.verify(headers(BASIC)))).toEqual(unavailableRefusal('Tessera did not answer the credential check within 150 ms'));
    expect(Date.now() - started).toBeLessThan(1000);
    tessera.answer = () => keyAllow();
    expect(await v.verify(headers(BASIC))).toEqual(KEY_PRINCIPAL);
  });

  it('refuses with 503 when the key set cannot be fetched', async () => {
    tessera.jwksAnswer = { status: 500, body: 'down' };
    const v = verifier();
    expect(await refusalOf(v.verify(headers(`Bearer ${await tessera.token()}`)))).toEqual(
      unavailableRefusal(`Tessera's keys could not be fetched from ${tessera.url}/.well-known/jwks.json (Expected 200 OK from the JSON Web Key Set HTTP response)`),
    );
    expect(tessera.forwardAuthCalls()).toBe(0);
  });

  it('refuses with 503 once Tessera is down: tokens (keys already fetched or not) and API keys alike', async () => {
    const down = await FakeTessera.start();
    const v = createVerifier({ tessera: down.url, audience: AUDIENCE, statusTtlMs: 100 });
    const fresh = createVerifier({ tessera: down.url, audience: AUDIENCE });
    verifiers.push(v, fresh);
    down.answer = ({ authorization }) => (authorization === BASIC ? keyAllow() : tokenAllow());
    const token = await down.token();
    expect(await v.verify(headers(`Bearer ${token}`))).toEqual(TOKEN_PRINCIPAL);
    await down.stop();
    await new Promise((r) => setTimeout(r, 120));
    const refused = unavailableRefusal(`Tessera could not be reached at ${down.url} to check the credential (ECONNREFUSED)`);
    expect(await refusalOf(v.verify(headers(`Bearer ${token}`)))).toEqual(refused);
    expect(await refusalOf(v.verify(headers(BASIC)))).toEqual(refused);
    expect(await refusalOf(fresh.verify(headers(`Bearer ${token}`)))).toEqual(
      unavailableRefusal(`Tessera's keys could not be fetched from ${down.url}/.well-known/jwks.json (ECONNREFUSED)`),
    );
  });

  it('asks again on a new connection when Tessera closed the kept-alive one as it was reused', async () => {
    const v = verifier({ statusTtlMs: 0 });
    tessera.dropReusedConnections = true;
    try {
      expect(await v.verify(headers(BASIC))).toEqual(KEY_PRINCIPAL);
      expect(await v.verify(headers(BASIC))).toEqual(KEY_PRINCIPAL);
      expect(await v.verify(headers(BASIC))).toEqual(KEY_PRINCIPAL);
      expect(tessera.forwardAuthCalls()).toBe(3);
    } finally {
      tessera.dropReusedConnections = false;
    }
  });

  it('refuses with 503 once closed', async () => {
    const v = verifier();
    await v.close();
    expect(await refusalOf(v.verify(headers(BASIC)))).toEqual(unavailableRefusal('The verifier is closed'));
  });
});

describe('verify: secrets', () => {
  it('never puts the credential in an error: message, description, headers, stack or cause', async () => {
    const token = await tessera.token({ exp: Math.floor(Date.now() / 1000) - 10 });
    const secrets = [token, BASIC.slice('Basic '.length), 'tk_secret-api-key-value'];
    const seen: unknown[] = [];
    const collect = (error: unknown) => {
      let e: unknown = error;
      while (e) {
        const { message, stack } = e as Error;
        seen.push(message, stack, (e as VerificationError).headers, (e as VerificationError).description);
        e = (e as { cause?: unknown }).cause;
      }
    };
    const v = verifier({ statusTtlMs: 0, timeoutMs: 100 });
    await v.verify(headers(`Bearer ${token}`)).catch(collect);
    await v.verify(headers(`Bearer ${token.slice(0, -3)}abc`)).catch(collect);
    for (const answer of [() => refusal(500, 'x', 'y'), () => 'hang' as const, () => refusal(401, 'invalid_credentials', 'no')]) {
      tessera.answer = answer;
      await v.verify(headers(BASIC)).catch(collect);
    }
    expect(seen.length).toBeGreaterThan(10);
    const text = JSON.stringify(seen);
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
