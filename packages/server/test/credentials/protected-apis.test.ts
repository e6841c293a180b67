import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudienceRegistry, type ProtectedApi } from '../../src/credentials/audience-registry.js';
import { addAudience, AUDIENCE_RECHECK_MS } from '../../src/credentials/audiences.js';
import { createPlatform } from '../../src/credentials/platforms.js';
import { addApi, assertPathPrefix, listApis, normaliseCredentialKinds, normaliseHost, removeApi } from '../../src/credentials/protected-apis.js';
import type { Services } from '../../src/services.js';
import type { Audience } from '../../src/store/audiences.js';
import { FLEET_DEPLOYMENTS, startFleet } from '../support/bootstrap.js';
import { type TestEnvironment, TestClock } from '../support/services.js';

const DEFAULT = 'https://raas.example/';

/** A stored row: a plain audience unless `api` is given. */
function row(url: string, api?: Partial<Pick<Audience, 'match_host' | 'match_path_prefix' | 'allowed_platforms' | 'allowed_credential_kinds'>>): Audience {
  return {
    url,
    ttl_seconds: 300,
    created_at: 0,
    updated_at: 0,
    api: api ? 1 : 0,
    match_host: api?.match_host ?? null,
    match_path_prefix: api?.match_path_prefix ?? '/',
    allowed_platforms: api?.allowed_platforms ?? null,
    allowed_credential_kinds: api?.allowed_credential_kinds ?? null,
  };
}

/** A registry over `rows` (changed in place by the test), with a clock, an announcement to send and a count of reads. */
function registryOver(rows: Audience[]) {
  const clock = new TestClock();
  let announce: () => void = () => {};
  const reads = { count: 0 };
  const store = {
    list: async () => {
      reads.count += 1;
      return rows.map((r) => ({ ...r }));
    },
  };
  const cache = {
    subscribe: async (_channel: string, listener: (message: string) => void) => {
      announce = () => listener('changed');
      return () => {};
    },
  };
  const registry = new AudienceRegistry(store, { watchChangesElsewhere: () => () => false }, cache, { audience: DEFAULT, tokenTtlSeconds: 86_400 }, clock.now);
  return { registry, clock, reads, announce: () => announce() };
}

describe('AudienceRegistry: the protected APIs', () => {
  const rows = [
    row('https://plain.example/'),
    row('https://any-root.example/', {}),
    row('https://any-v1.example/', { match_path_prefix: '/v1' }),
    row('https://host-root.example/', { match_host: 'api.example.com' }),
    row('https://host-v1.example/', { match_host: 'api.example.com', match_path_prefix: '/v1' }),
    row('https://host-port.example/', { match_host: 'api.example.com:8443' }),
    row('https://limited.example/', {
      match_host: 'limited.example.com',
      allowed_platforms: '["acme","beta"]',
      allowed_credential_kinds: '["api_key"]',
    }),
    row('https://damaged.example/', { match_host: 'damaged.example.com', allowed_platforms: '{"acme":1}', allowed_credential_kinds: 'not json' }),
    // The default audience's URL registered under another TESSERA_AUDIENCE: shadowed, never an API.
    row(DEFAULT, { match_host: 'raas.example' }),
  ];

  it('api(audience): an API by its audience, as stored; a plain audience, an unknown one and the default are none', async () => {
    const { registry } = registryOver(rows);
    expect(await registry.api('https://limited.example/')).toStrictEqual({
      audience: 'https://limited.example/',
      host: 'limited.example.com',
      pathPrefix: '/',
      platforms: ['acme', 'beta'],
      credentialKinds: ['api_key'],
    } satisfies ProtectedApi);
    expect(await registry.api('https://any-v1.example/')).toStrictEqual({ audience: 'https://any-v1.example/', host: null, pathPrefix: '/v1', platforms: null, credentialKinds: null });
    for (const none of ['https://plain.example/', 'https://never.example/', DEFAULT, 'https://LIMITED.example/']) expect(await registry.api(none), none).toBeUndefined();
    // Tokens may still be asked for every one of them but the unknown.
    expect(await registry.resolve('https://plain.example/')).toStrictEqual({ audience: 'https://plain.example/', ttlSeconds: 300 });
    expect(await registry.resolve('https://host-v1.example/')).toStrictEqual({ audience: 'https://host-v1.example/', ttlSeconds: 300 });
  });

  it('a damaged list in the store allows nothing rather than everything', async () => {
    const { registry } = registryOver(rows);
    expect(await registry.api('https://damaged.example/')).toMatchObject({ platforms: [], credentialKinds: [] });
  });

  it('apiFor(host, path): the host first (host and port, then host name, then any), then the longest prefix on a segment boundary', async () => {
    const { registry } = registryOver(rows);
    const cases: Array<[host: string, path: string, audience: string | undefined]> = [
      ['api.example.com', '/v1', 'https://host-v1.example/'],
      ['API.Example.COM', '/v1/orders', 'https://host-v1.example/'],
      ['api.example.com', '/v1x', 'https://host-root.example/'],
      ['api.example.com', '/v2/orders', 'https://host-root.example/'],
      ['api.example.com', '/', 'https://host-root.example/'],
      // A host name without a port answers on every port, but one registered with the port beats it.
      ['api.example.com:9000', '/v1/x', 'https://host-v1.example/'],
      ['api.example.com:8443', '/v1/x', 'https://host-port.example/'],
      ['api.example.com:8443', '/', 'https://host-port.example/'],
      // An exact host beats any host, even with a shorter prefix.
      ['other.example.com', '/v1/x', 'https://any-v1.example/'],
      ['other.example.com', '/v1', 'https://any-v1.example/'],
      ['other.example.com', '/v10', 'https://any-root.example/'],
      ['other.example.com', '/', 'https://any-root.example/'],
      ['limited.example.com', '/v1', 'https://limited.example/'],
      // The default audience's row is no API: the request falls to any host.
      ['raas.example', '/raas/v2/whoami', 'https://any-root.example/'],
    ];
    for (const [host, path, audience] of cases) expect((await registry.apiFor(host, path))?.audience, `${host} ${path}`).toBe(audience);
  });

  it('apiFor: none when no API matches the host and path', async () => {
    const { registry } = registryOver([row('https://a.example/', { match_host: 'a.example.com', match_path_prefix: '/v1' }), row('https://any.example/', { match_path_prefix: '/api' })]);
    expect(await registry.apiFor('a.example.com', '/v2')).toBeUndefined();
    expect(await registry.apiFor('b.example.com', '/v1')).toBeUndefined();
    expect(await registry.apiFor('b.example.com', '/apis')).toBeUndefined();
    expect((await registry.apiFor('[::1]:8080', '/api/x'))?.audience).toBe('https://any.example/');
  });

  it('reads the store again at once on an announcement, else after the recheck interval, and not in between', async () => {
    const held = [row('https://a.example/', { match_path_prefix: '/a' })];
    const { registry, clock, reads, announce } = registryOver(held);
    await registry.start();
    expect((await registry.apiFor('x', '/a'))?.audience).toBe('https://a.example/');
    held[0] = row('https://a.example/', { match_path_prefix: '/b' });
    clock.advance(AUDIENCE_RECHECK_MS - 1);
    expect((await registry.apiFor('x', '/a'))?.audience).toBe('https://a.example/');
    expect(reads.count).toBe(1);
    announce();
    expect(await registry.apiFor('x', '/a')).toBeUndefined();
    expect((await registry.api('https://a.example/'))?.pathPrefix).toBe('/b');
    expect(reads.count).toBe(2);
    held.length = 0;
    clock.advance(AUDIENCE_RECHECK_MS);
    expect(await registry.api('https://a.example/')).toBeUndefined();
    expect(reads.count).toBe(3);
    registry.stop();
  });
});

describe('the rules of a protected API', () => {
  it('a host: hostname[:port], lowercased; no scheme, path, user, bad port or a form the URL parser rewrites', () => {
    expect(normaliseHost('API.Example.com')).toBe('api.example.com');
    expect(normaliseHost('api.example.com:8443')).toBe('api.example.com:8443');
    expect(normaliseHost('127.0.0.1:80')).toBe('127.0.0.1:80');
    expect(normaliseHost('[::1]:8080')).toBe('[::1]:8080');
    expect(normaliseHost('localhost')).toBe('localhost');
    const refusals: Array<[string, string]> = [
      ['https://api.example.com', 'give the host alone, without a scheme, e.g. api.example.com or api.example.com:8443'],
      ['api.example.com/v1', 'give the host alone, without a path, e.g. api.example.com (the path goes in --path-prefix)'],
      ['user@api.example.com', 'give the host alone, without user information'],
      ['api.example.com:0', 'the port is a number from 1 to 65535'],
      ['api.example.com:65536', 'the port is a number from 1 to 65535'],
      ['api.example.com:', 'the port is a number from 1 to 65535'],
      ['api.example.com.', 'use a host name of letters, digits, hyphens and dots (e.g. api.example.com), or an IP address'],
      ['api_x.example.com', 'use a host name of letters, digits, hyphens and dots (e.g. api.example.com), or an IP address'],
      ['', 'use a host name of letters, digits, hyphens and dots (e.g. api.example.com), or an IP address'],
      ['0x7f.1', 'the URL parser reads it as 127.0.0.1: register it in that form'],
      ['[::0001]', 'the URL parser reads it as [::1]: register it in that form'],
    ];
    for (const [host, why] of refusals) expect(() => normaliseHost(host), host).toThrow(`Invalid host ${JSON.stringify(host)}: ${why}`);
  });

  it('a path prefix: from /, no query, fragment or trailing /, in the form the URL parser gives it', () => {
    for (const prefix of ['/', '/v1', '/v1/orders', '/a%20b', '/~user']) expect(() => assertPathPrefix(prefix), prefix).not.toThrow();
    const refusals: Array<[string, string]> = [
      ['v1', "start it with '/', e.g. /v1"],
      ['', "start it with '/', e.g. /v1"],
      ['/v1?x=1', 'a path prefix has no query or fragment'],
      ['/v1#top', 'a path prefix has no query or fragment'],
      ['/v1/', "leave out the trailing '/': /v1 matches it and everything under it"],
      ['/a/../b', 'the URL parser reads it as "/b": register the path as requests carry it'],
      ['/a/%2e%2e/b', 'the URL parser reads it as "/b": register the path as requests carry it'],
      ['/a b', 'the URL parser reads it as "/a%20b": register the path as requests carry it'],
      ['/a\\b', 'the URL parser reads it as "/a/b": register the path as requests carry it'],
      ['//evil.example', 'the URL parser reads it as "/": register the path as requests carry it'],
      [`/${'a'.repeat(512)}`, 'use at most 512 characters'],
    ];
    for (const [prefix, why] of refusals) expect(() => assertPathPrefix(prefix), prefix).toThrow(`Invalid path prefix ${JSON.stringify(prefix)}: ${why}`);
  });

  it('credential kinds: a subset of oauth_client and api_key, each once; both is every kind (null)', () => {
    expect(normaliseCredentialKinds(['api_key'])).toStrictEqual(['api_key']);
    expect(normaliseCredentialKinds(['api_key', 'api_key'])).toStrictEqual(['api_key']);
    expect(normaliseCredentialKinds(['api_key', 'oauth_client'])).toBeNull();
    expect(() => normaliseCredentialKinds([])).toThrow('Invalid credential kinds (none given): use oauth_client, api_key, or both separated by a comma');
    expect(() => normaliseCredentialKinds(['token', 'api_key', 'Basic'])).toThrow('Invalid credential kinds (unknown "token", "Basic"): use oauth_client, api_key, or both separated by a comma');
  });
});

/** Until every instance's registry answers `expected` for the API of `audience`: Redis delivers an announcement a moment later. */
async function everyInstanceSees(services: Services[], audience: string, expected: Partial<ProtectedApi> | undefined): Promise<void> {
  for (const instance of services) {
    const started = Date.now();
    for (;;) {
      const api = await instance.audienceRegistry.api(audience);
      const matches = expected === undefined ? api === undefined : api !== undefined && Object.entries(expected).every(([k, v]) => JSON.stringify(api[k as keyof ProtectedApi]) === JSON.stringify(v));
      if (matches) break;
      if (Date.now() - started > 2_000) throw new Error(`still ${JSON.stringify(api)} after 2 s`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

describe.each(FLEET_DEPLOYMENTS)('protected APIs in the store ($name)', (deployment) => {
  let env: TestEnvironment;
  let services: Services[];
  let first: Services;

  beforeAll(async () => {
    if (deployment.skip) return;
    ({ env, services } = await startFleet(deployment));
    first = services[0]!;
    for (const name of ['acme', 'beta']) await createPlatform(first, name);
  });
  afterAll(async () => env?.close());

  it.skipIf(deployment.skip)('adds, changes and removes an API, which every instance serves at once, the clock frozen', async () => {
    const url = 'https://orders.example/';
    for (const instance of services) expect(await instance.audienceRegistry.api(url)).toBeUndefined();
    const created = new Date(env.clock.now()).toISOString();
    expect(await addApi(first, url, { host: 'Orders.Example.com', pathPrefix: '/v1', platforms: ['beta', 'acme', 'beta'], credentialKinds: ['oauth_client'] })).toStrictEqual({
      audience: url,
      ttl_seconds: env.config.tokenTtlSeconds,
      host: 'orders.example.com',
      path_prefix: '/v1',
      platforms: ['beta', 'acme'],
      credential_kinds: ['oauth_client'],
      created_at: created,
    });
    await everyInstanceSees(services, url, { host: 'orders.example.com', pathPrefix: '/v1', platforms: ['beta', 'acme'], credentialKinds: ['oauth_client'] });
    for (const instance of services) {
      expect((await instance.audienceRegistry.apiFor('orders.example.com', '/v1/list'))?.audience).toBe(url);
      expect(await instance.audienceRegistry.resolve(url)).toStrictEqual({ audience: url, ttlSeconds: env.config.tokenTtlSeconds });
    }

    // Again without --update: a conflict naming where it answers.
    await expect(addApi(first, url, { pathPrefix: '/v2' })).rejects.toMatchObject({
      code: 'conflict',
      message: `API ${url} already exists (host orders.example.com, path /v1): add --update to change it`,
    });
    // --update changes what it gives; the rest stays.
    expect(await addApi(first, url, { ttlSeconds: 600, pathPrefix: '/v2', credentialKinds: ['oauth_client', 'api_key'] }, { update: true })).toMatchObject({
      ttl_seconds: 600,
      host: 'orders.example.com',
      path_prefix: '/v2',
      platforms: ['beta', 'acme'],
      credential_kinds: null,
    });
    await everyInstanceSees(services, url, { pathPrefix: '/v2', credentialKinds: null });
    // `tessera audience add --update` sets the TTL, and leaves the routing alone.
    await addAudience(first, url, 900, { update: true });
    expect(await listApis(first)).toStrictEqual([
      { audience: url, ttl_seconds: 900, host: 'orders.example.com', path_prefix: '/v2', platforms: ['beta', 'acme'], credential_kinds: null, created_at: created },
    ]);
    // --any-host and --every-platform: null again.
    expect(await addApi(first, url, { host: null, platforms: null }, { update: true })).toMatchObject({ host: null, platforms: null, path_prefix: '/v2' });
    await everyInstanceSees(services, url, { host: null, platforms: null });

    await removeApi(first, url);
    await everyInstanceSees(services, url, undefined);
    for (const instance of services) {
      expect(await instance.audienceRegistry.apiFor('orders.example.com', '/v2')).toBeUndefined();
      expect(await instance.audienceRegistry.resolve(url)).toBeUndefined();
    }
    expect(await listApis(first)).toStrictEqual([]);
  });

  it.skipIf(deployment.skip)('makes a registered audience an API, keeping its TTL; removing it as an API needs an API', async () => {
    const url = 'https://plain-then-api.example/';
    await addAudience(first, url, 120);
    await expect(removeApi(first, url)).rejects.toMatchObject({
      code: 'conflict',
      message: `Audience ${url} is not a protected API: remove it with tessera audience remove`,
    });
    expect(await addApi(first, url, { pathPrefix: '/plain' })).toMatchObject({ audience: url, ttl_seconds: 120, host: null, path_prefix: '/plain' });
    await everyInstanceSees(services, url, { pathPrefix: '/plain' });
    await removeApi(first, url);
    await expect(removeApi(first, url)).rejects.toMatchObject({ code: 'not_found', message: `API ${url} is not registered` });
  });

  it.skipIf(deployment.skip)('refuses two APIs on one host and prefix, the default audience, an unknown platform, and says which', async () => {
    await addApi(first, 'https://one.example/', { host: 'shared.example.com', pathPrefix: '/v1' });
    await addApi(first, 'https://any-one.example/', { pathPrefix: '/v1' });
    await addApi(first, 'https://two.example/', { pathPrefix: '/v2' });
    const conflicts: Array<[string, Parameters<typeof addApi>[2], boolean, string]> = [
      ['https://two.example/', { host: 'SHARED.example.com', pathPrefix: '/v1' }, true, 'API https://one.example/ already answers on host shared.example.com, path /v1: give this API another --host or --path-prefix'],
      ['https://new.example/', { host: 'shared.example.com', pathPrefix: '/v1' }, false, 'API https://one.example/ already answers on host shared.example.com, path /v1: give this API another --host or --path-prefix'],
      ['https://new.example/', { pathPrefix: '/v1' }, false, 'API https://any-one.example/ already answers on any host, path /v1: give this API another --host or --path-prefix'],
      [env.config.audience, {}, false, `Audience ${env.config.audience} is the default audience (TESSERA_AUDIENCE), which /raas/v2 accepts: it cannot be a protected API; register the API under its own audience`],
    ];
    for (const [url, change, update, message] of conflicts) await expect(addApi(first, url, change, { update }), message).rejects.toMatchObject({ code: 'conflict', message });
    // Nothing of the refused changes was kept.
    expect((await listApis(first)).map((api) => [api.audience, api.host, api.path_prefix])).toStrictEqual([
      ['https://any-one.example/', null, '/v1'],
      ['https://one.example/', 'shared.example.com', '/v1'],
      ['https://two.example/', null, '/v2'],
    ]);
    await expect(addApi(first, 'https://new.example/', { platforms: ['acme', 'nope'] })).rejects.toMatchObject({ code: 'not_found', message: 'Platform nope does not exist' });
    await expect(addApi(first, 'https://new.example/', { ttlSeconds: 59 })).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'Invalid TTL: use a whole number of seconds from 60 to 31536000, like TESSERA_TOKEN_TTL',
    });
    await expect(addApi(first, 'api.example.com', {})).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/^Invalid audience "api.example.com": /) });
    await expect(removeApi(first, env.config.audience)).rejects.toMatchObject({
      code: 'conflict',
      message: `Audience ${env.config.audience} is the default audience (TESSERA_AUDIENCE): it is not a protected API and cannot be removed`,
    });
    expect(await first.audiences.find('https://new.example/')).toBeUndefined();
    for (const url of ['https://one.example/', 'https://any-one.example/', 'https://two.example/']) await removeApi(first, url);
  });
});
