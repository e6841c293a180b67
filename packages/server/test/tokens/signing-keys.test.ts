import { decodeProtectedHeader } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { addAudience } from '../../src/credentials/audiences.js';
import { verifyAccessToken } from '../../src/tokens/access-token.js';
import { closeServices, KEY_REFRESH_INTERVAL_MS, openServices } from '../../src/services.js';
import { appOn, startDeployment } from '../support/bootstrap.js';
import { HOUR, silentLog, skipReason, type TestEnvironment } from '../support/services.js';
import { requestToken } from '../support/oauth.js';
import { createTestClient } from '../support/tenants.js';

describe('signing keys', () => {
  const envs: TestEnvironment[] = [];
  afterAll(async () => {
    for (const env of envs) await env.close();
  });
  const environment = async (config = {}) => {
    const { env } = await startDeployment({ config: { quotaIntervalSeconds: 0, ...config } });
    envs.push(env);
    return env;
  };

  it.skipIf(skipReason('postgres'))('gives instances starting at once on an empty PostgreSQL one first key', async () => {
    const { env } = await startDeployment({ store: 'postgres', open: false });
    envs.push(env);
    const fleet = await Promise.all(Array.from({ length: 4 }, () => env.open()));
    const kids = fleet.map((services) => services.signingKeys.signer().kid);
    expect(new Set(kids).size).toBe(1);
    for (const services of fleet) expect(services.signingKeys.jwks().keys.map((k) => k.kid)).toEqual([kids[0]]);
  });

  it('signs on an instance whose clock is behind the one that made the first key', async () => {
    const env = await environment();
    await env.open();
    const behind = await openServices(env.config, { log: silentLog, now: () => env.clock.now() - 1500 });
    try {
      const app = await appOn(behind);
      const response = await requestToken(app, await createTestClient(behind));
      expect(response.statusCode).toBe(200);
      expect(decodeProtectedHeader(response.json().access_token).kid).toBe(behind.signingKeys.jwks().keys[0]!.kid);
      await app.close();
    } finally {
      await closeServices(behind);
    }
  });

  it.each([
    ['ES256', 'EC'],
    ['EdDSA', 'OKP'],
  ] as const)('signs with %s when configured', async (alg, kty) => {
    const env = await environment({ signingAlgorithm: alg });
    const { app, services } = await env.app();
    const token = (await requestToken(app, await createTestClient(services))).json().access_token;
    expect(decodeProtectedHeader(token)).toMatchObject({ alg, typ: 'at+jwt' });
    expect((await app.inject('/.well-known/jwks.json')).json().keys).toEqual([expect.objectContaining({ kty, alg, use: 'sig' })]);
    const { claims, kid } = await verifyAccessToken(services.signingKeys, token, { issuer: env.config.publicUrl, audience: env.config.audience, now: env.clock.now() });
    expect(claims.scope).toBe('raas.all');
    expect(kid).toBe(decodeProtectedHeader(token).kid);
  });

  it('rotates: every instance publishes the new key before it signs, and the old key stays for a token lifetime', async () => {
    const env = await environment();
    const { app: first, services: firstServices } = await env.app();
    const { app: second, services: secondServices } = await env.app();
    const client = await createTestClient(firstServices);
    const oldToken = (await requestToken(first, client)).json().access_token;
    const oldKid = decodeProtectedHeader(oldToken).kid;

    const { kid: newKid, signFrom } = await firstServices.signingKeys.rotate();
    expect(signFrom).toBe(env.clock.now() + 2 * KEY_REFRESH_INTERVAL_MS);
    // Before its time the new key is published but does not sign.
    expect(decodeProtectedHeader((await requestToken(first, client)).json().access_token).kid).toBe(oldKid);
    expect((await first.inject('/.well-known/jwks.json')).json().keys.map((k: { kid: string }) => k.kid).sort()).toEqual([newKid, oldKid].sort());

    // The other instance picks it up on its next refresh, before the key signs.
    env.clock.advance(KEY_REFRESH_INTERVAL_MS);
    await secondServices.signingKeys.load();
    expect((await second.inject('/.well-known/jwks.json')).json().keys).toHaveLength(2);

    env.clock.advance(KEY_REFRESH_INTERVAL_MS);
    const newToken = (await requestToken(second, client)).json().access_token;
    expect(decodeProtectedHeader(newToken).kid).toBe(newKid);
    const expected = { issuer: env.config.publicUrl, audience: env.config.audience };
    await expect(verifyAccessToken(firstServices.signingKeys, newToken, { ...expected, now: env.clock.now() })).resolves.toMatchObject({
      claims: { client_id: client.client_id },
      kid: newKid,
    });
    await expect(verifyAccessToken(secondServices.signingKeys, oldToken, { ...expected, now: env.clock.now() })).resolves.toMatchObject({
      claims: { client_id: client.client_id },
      kid: oldKid,
    });

    // A token lifetime (plus leeway) after retirement, the old key leaves the JWKS.
    env.clock.advance(24 * HOUR + 61_000);
    await firstServices.signingKeys.load();
    expect((await first.inject('/.well-known/jwks.json')).json().keys.map((k: { kid: string }) => k.kid)).toEqual([newKid]);
  });

  it('keeps a retired key published while the longest-lived audience’s tokens it signed may live', async () => {
    const env = await environment();
    const { app, services } = await env.app();
    const longLived = 'https://reports.acme.example/api';
    await addAudience(services, longLived, 3 * 24 * 3600);
    const client = await createTestClient(services);
    const token = (await requestToken(app, client, { audience: longLived })).json().access_token;
    const oldKid = decodeProtectedHeader(token).kid;
    await services.signingKeys.rotate();
    env.clock.advance(2 * KEY_REFRESH_INTERVAL_MS);
    await services.signingKeys.load();
    expect(decodeProtectedHeader((await requestToken(app, client)).json().access_token).kid).not.toBe(oldKid);

    // Past the default lifetime (24 hours), the three-day token still verifies: its key is still published.
    env.clock.advance(2 * 24 * HOUR);
    await services.signingKeys.load();
    expect((await app.inject('/.well-known/jwks.json')).json().keys.map((k: { kid: string }) => k.kid)).toContain(oldKid);
    await expect(verifyAccessToken(services.signingKeys, token, { issuer: env.config.publicUrl, audience: longLived, now: env.clock.now() })).resolves.toMatchObject({
      kid: oldKid,
    });

    // Once that longest lifetime (plus leeway) is over, the key leaves the JWKS.
    env.clock.advance(24 * HOUR + 61_000);
    await services.signingKeys.load();
    expect((await app.inject('/.well-known/jwks.json')).json().keys.map((k: { kid: string }) => k.kid)).not.toContain(oldKid);
  });

  it('refuses to start with a master key that did not seal the keys', async () => {
    const env = await environment();
    await env.open();
    await expect(env.open({ masterKey: Buffer.alloc(32, 7).toString('base64') })).rejects.toThrow(
      'Cannot decrypt the signing keys: TESSERA_MASTER_KEY is not the key they were sealed with',
    );
  });
});
