import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { MemoryCache } from '../../src/cache/memory-cache.js';
import { readPresentedCredential } from '../../src/auth/presented-credential.js';
import { verifyAccessToken } from '../../src/tokens/access-token.js';
import { activeTokenClaims, readTokenStatus } from '../../src/tokens/live-token.js';
import { closeServices, openServices, type Services } from '../../src/services.js';
import { form, postForm } from '../support/oauth.js';
import { appOn, startDeployment } from '../support/bootstrap.js';
import { HOUR, silentLog, STORE_KINDS, type TestEnvironment } from '../support/services.js';
import { basic, get, signedToken, type Tenant } from '../support/tenants.js';

vi.mock('../../src/auth/presented-credential.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/auth/presented-credential.js')>();
  return { ...actual, readPresentedCredential: vi.fn(actual.readPresentedCredential) };
});

/** One liveness check for the guard and for introspection, and the guard's wiring into the app. */
describe.each(STORE_KINDS)('token liveness and the guard’s wiring (%s)', (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;
  let acme: Tenant;

  beforeAll(async () => {
    ({ env, app, services, tenants: { acme } } = await startDeployment({ store, tenants: ['acme', 'globex'] }));
  });
  afterAll(async () => env?.close());

  const introspect = (token: string) =>
    postForm(app, '/oauth/introspect', form({ token }), { authorization: basic(acme.clientId, acme.clientSecret) });

  it('verifyAccessToken returns the signing key’s kid with the claims', async () => {
    const token = await signedToken(services, acme);
    const verified = await verifyAccessToken(services.signingKeys, token, { issuer: services.config.publicUrl, audience: services.config.audience, now: env.clock.now() });
    expect(verified.kid).toBe(services.signingKeys.signer().kid);
    expect(verified.claims).toMatchObject({ client_id: acme.clientId, platform: 'acme' });
  });

  it('readTokenStatus says why a token is not live', async () => {
    const claims = { client_id: acme.clientId, jti: 'jti-live', platform: 'acme', iat: Math.floor(env.clock.now() / 1000) };
    await expect(readTokenStatus(services, claims)).resolves.toMatchObject({ live: true, client: { client_id: acme.clientId, platform_name: 'acme' } });
    await expect(readTokenStatus(services, { ...claims, platform: 'globex' })).resolves.toEqual({ live: false, reason: 'platform_mismatch' });
    await expect(readTokenStatus(services, { ...claims, client_id: 'no-such-client' })).resolves.toEqual({ live: false, reason: 'client_inactive' });
    await services.revokedTokens.revoke('jti-revoked', acme.clientId, env.clock.now() + HOUR);
    await expect(readTokenStatus(services, { ...claims, jti: 'jti-revoked' })).resolves.toEqual({ live: false, reason: 'revoked' });
  });

  it('introspection, like the guard, treats a token naming another platform as inactive', async () => {
    const token = await signedToken(services, acme, { platform: 'globex' });
    expect((await get(app, '/raas/v2/whoami', `Bearer ${token}`)).statusCode).toBe(401);
    await expect(activeTokenClaims(services, token)).resolves.toBeUndefined();
    const response = await introspect(token);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ active: false });
    // The tenant's own token is still active.
    expect((await introspect(await signedToken(services, acme))).json()).toMatchObject({ active: true, platform: 'acme' });
  });

  it('reads the Authorization header once per request, cached or not', async () => {
    const token = await signedToken(services, acme);
    const read = vi.mocked(readPresentedCredential);
    read.mockClear();
    expect((await get(app, '/raas/v2/whoami', `Bearer ${token}`)).statusCode).toBe(200);
    expect(read).toHaveBeenCalledTimes(1);
    read.mockClear();
    expect((await get(app, '/raas/v2/whoami', `Bearer ${token}`)).statusCode).toBe(200);
    expect(read).toHaveBeenCalledTimes(1);
  });

  it('counts /raas/v2 failures on the shared throttle of the services', async () => {
    const recordFailure = vi.spyOn(services.throttle, 'recordFailure');
    try {
      expect((await get(app, '/raas/v2/whoami', basic('acme', 'wrong-key'))).statusCode).toBe(401);
      expect(recordFailure).toHaveBeenCalledTimes(1);
    } finally {
      recordFailure.mockRestore();
    }
  });

  it('listens for credential changes from the opening of the services to their closing, whatever apps come and go on them', async () => {
    // The API guard, forward auth's guard, the token endpoint's client cache and the audience registry each listen, once per process (services.ts).
    const unsubscribes: ReturnType<typeof vi.fn>[] = [];
    const subscribe = MemoryCache.prototype.subscribe;
    const spy = vi.spyOn(MemoryCache.prototype, 'subscribe').mockImplementation(async function (this: MemoryCache, channel, listener) {
      const unsubscribe = vi.fn(await subscribe.call(this, channel, listener));
      unsubscribes.push(unsubscribe);
      return unsubscribe;
    });
    let other: Services;
    try {
      other = await openServices(env.config, { log: silentLog, now: env.clock.now });
    } finally {
      spy.mockRestore();
    }
    expect(unsubscribes).toHaveLength(4);
    // Apps on the services subscribe to nothing more, and their closing stops nothing another app may still use.
    for (let i = 0; i < 2; i++) {
      const otherApp = await appOn(other);
      await otherApp.ready();
      await otherApp.close();
    }
    expect(unsubscribes).toHaveLength(4);
    for (const unsubscribe of unsubscribes) expect(unsubscribe).not.toHaveBeenCalled();
    await closeServices(other);
    for (const unsubscribe of unsubscribes) expect(unsubscribe).toHaveBeenCalledTimes(1);
  });

  it('opens no subscription for the `tessera` command', async () => {
    const spy = vi.spyOn(MemoryCache.prototype, 'subscribe');
    try {
      const command = await openServices(env.config, { log: silentLog, now: env.clock.now, listen: false });
      await closeServices(command);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});
