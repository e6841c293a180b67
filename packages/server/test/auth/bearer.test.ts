import { randomUUID } from 'node:crypto';
import { exportJWK, exportSPKI, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { announceCredentialChange, CREDENTIAL_STATUS_CHANNEL } from '../../src/credentials/credential-events.js';
import { deleteClient, setClientStatus } from '../../src/credentials/oauth-clients.js';
import type { Services } from '../../src/services.js';
import { startDeployment } from '../support/bootstrap.js';
import { HOUR, STORE_KINDS, type TestEnvironment } from '../support/services.js';
import { base64url, basic, challenges, expectEnvelope, get, respellings, signedToken, type Tenant } from '../support/tenants.js';

describe.each(STORE_KINDS)('Bearer access tokens on /raas/v2 (%s)', (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;
  let acme: Tenant;
  let realm: string;

  beforeAll(async () => {
    ({ env, app, services, tenants: { acme } } = await startDeployment({ store, tenants: ['acme'] }));
    realm = services.config.audience;
  });
  afterAll(async () => env?.close());

  /** The claims of a valid token, for hostile tokens to start from. */
  function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const iat = Math.floor(env.clock.now() / 1000);
    return {
      iss: services.config.publicUrl,
      sub: acme.clientId,
      aud: services.config.audience,
      client_id: acme.clientId,
      iat,
      exp: iat + 3600,
      jti: randomUUID(),
      scope: 'raas.all',
      platform: 'acme',
      ...overrides,
    };
  }

  function publishedKey(): JWK & { kid: string; alg: string } {
    return services.signingKeys.jwks().keys[0] as JWK & { kid: string; alg: string };
  }

  /** Sign with the server's own private key, with any claims and header. */
  async function signWithServerKey(payload: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
    const key = services.signingKeys.signer();
    return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header }).sign(key.privateKey);
  }

  function expectInvalidToken(response: Awaited<ReturnType<typeof get>>, description: string, path = '/raas/v2/whoami'): void {
    expectEnvelope(response, env.clock, { status: 401, path, message: description, i18nKey: 'auth.invalidToken' });
    expect(challenges(response)).toEqual([`Bearer realm="${realm}", error="invalid_token", error_description="${description}"`]);
  }

  it('accepts a token from POST /oauth/token and yields the platform and the client', async () => {
    const response = await get(app, '/raas/v2/whoami', acme.bearer);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toStrictEqual({ platformName: 'acme', credentialType: 'oauth_client', credentialId: acme.clientId });
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    // The scheme name is case-insensitive (RFC 9110 §11.1).
    expect((await get(app, '/raas/v2/whoami', `bEaReR ${acme.token}`)).statusCode).toBe(200);
  });

  it('refuses a token whose payload was tampered with', async () => {
    const [header, , signature] = acme.token.split('.');
    const payload = base64url({ ...JSON.parse(Buffer.from(acme.token.split('.')[1]!, 'base64url').toString()), platform: 'globex' });
    expectInvalidToken(await get(app, '/raas/v2/whoami', `Bearer ${header}.${payload}.${signature}`), 'The token is not valid');
  });

  it('refuses a token whose signature was tampered with', async () => {
    const [header, payload, signature] = acme.token.split('.');
    const flipped = (signature![0] === 'A' ? 'B' : 'A') + signature!.slice(1);
    expectInvalidToken(await get(app, '/raas/v2/whoami', `Bearer ${header}.${payload}.${flipped}`), 'The token is not valid');
  });

  it('accepts one spelling per token: not one with the signature changed in its unused bits, nor one with = padding', async () => {
    const spellings = respellings(acme.token);
    // The RS256 signature (256 bytes) ends in 4 unused bits, and at least it has room for padding.
    expect(spellings.length).toBeGreaterThanOrEqual(2);
    for (const spelling of spellings) {
      expect(Buffer.from(spelling.split('.')[2]!, 'base64url')).toEqual(Buffer.from(acme.token.split('.')[2]!, 'base64url'));
      const response = await get(app, '/raas/v2/whoami', `Bearer ${spelling}`);
      if (/=[^=]/.test(spelling)) {
        // Padding inside the token is not even an RFC 6750 §2.1 b64token.
        const message = 'The Bearer credentials are malformed: expected Authorization: Bearer <access token>';
        expectEnvelope(response, env.clock, { status: 400, path: '/raas/v2/whoami', message, i18nKey: 'auth.invalidRequest' });
      } else {
        expectInvalidToken(response, 'The token is not valid');
      }
    }
    expect((await get(app, '/raas/v2/whoami', acme.bearer)).statusCode).toBe(200);
  });

  it('refuses alg "none", with or without the kid of a published key', async () => {
    for (const header of [{ alg: 'none', typ: 'at+jwt', kid: publishedKey().kid }, { alg: 'none' }]) {
      const token = `${base64url(header)}.${base64url(claims())}.`;
      expectInvalidToken(await get(app, '/raas/v2/whoami', `Bearer ${token}`), 'The token was not signed by a key of this server');
      expectInvalidToken(await get(app, '/raas/v2/whoami', `Bearer ${token}AAAA`), 'The token was not signed by a key of this server');
    }
  });

  it('refuses HS256 tokens signed with the public key (key confusion)', async () => {
    const jwk = publishedKey();
    const spki = await exportSPKI((await importJWK(jwk, jwk.alg)) as Parameters<typeof exportSPKI>[0]);
    for (const secret of [spki, JSON.stringify(jwk), jwk.n ?? jwk.x ?? '']) {
      const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: jwk.kid, typ: 'at+jwt' }).sign(new TextEncoder().encode(secret));
      expectInvalidToken(await get(app, '/raas/v2/whoami', `Bearer ${token}`), 'The token was not signed by a key of this server');
    }
  });

  it('refuses unknown and hostile kids without any database or file lookup', async () => {
    const attacker = await generateKeyPair('RS256', { extractable: true });
    const attackerJwk = await exportJWK(attacker.publicKey);
    const kids = ['unknown-kid', '../../../../etc/passwd', "' OR '1'='1", 'http://attacker.example/jwks.json', 'a'.repeat(10_000), publishedKey().kid];
    const selectFrom = vi.spyOn(services.database.db, 'selectFrom');
    try {
      for (const kid of kids) {
        // Signed by the attacker; the last one claims the server's own kid, with the attacker's key embedded.
        const header = { alg: 'RS256', typ: 'at+jwt', kid, ...(kid === publishedKey().kid ? { jwk: attackerJwk } : { jku: 'http://attacker.example/jwks.json' }) };
        const token = await new SignJWT(claims()).setProtectedHeader(header).sign(attacker.privateKey);
        const expected = kid === publishedKey().kid ? 'The token is not valid' : 'The token was not signed by a key of this server';
        expectInvalidToken(await get(app, '/raas/v2/whoami', `Bearer ${token}`), expected);
      }
      expect(selectFrom).not.toHaveBeenCalled();
    } finally {
      selectFrom.mockRestore();
    }
  });

  it('refuses a token of another issuer, another audience, or another typ, though signed by the server key', async () => {
    const cases: Array<[Record<string, unknown>, Record<string, unknown>]> = [
      [claims({ iss: 'https://other-issuer.example' }), {}],
      [claims({ iss: `${services.config.publicUrl}/` }), {}],
      [claims(), { typ: 'JWT' }],
    ];
    for (const [payload, header] of cases) {
      expectInvalidToken(await get(app, '/raas/v2/whoami', `Bearer ${await signWithServerKey(payload, header)}`), 'The token is not valid');
    }
    // Another audience is said as such (RFC 6750 §3.1), so that its holder asks for the right token.
    for (const aud of ['https://other-api.example', [services.config.audience + 'x']]) {
      const description = `The token is for another audience, not this API's: ask for a token for ${services.config.audience}`;
      expectInvalidToken(await get(app, '/raas/v2/whoami', `Bearer ${await signWithServerKey(claims({ aud }))}`), description);
    }
  });

  it('refuses a token without the raas.all scope with 403 insufficient_scope', async () => {
    const token = await signedToken(services, acme, { scope: 'catalog.read' });
    const response = await get(app, '/raas/v2/customers', `Bearer ${token}`);
    const description = 'The access token does not grant the scope raas.all';
    expectEnvelope(response, env.clock, { status: 403, path: '/raas/v2/customers', message: description, i18nKey: 'auth.insufficientScope' });
    expect(challenges(response)).toEqual([`Bearer realm="${realm}", error="insufficient_scope", error_description="${description}", scope="raas.all"`]);
  });

  it('refuses a token whose platform claim is not its client platform', async () => {
    expectInvalidToken(await get(app, '/raas/v2/whoami', `Bearer ${await signedToken(services, acme, { platform: 'globex' })}`), 'The token is not valid');
  });

  it('refuses an expired token, even one it has already verified (60 s leeway)', async () => {
    const token = await signedToken(services, acme, { now: env.clock.now() - 24 * HOUR });
    // Issued 24 h ago with a 24 h lifetime: inside the 60 s leeway, accepted and remembered.
    expect((await get(app, '/raas/v2/whoami', `Bearer ${token}`)).statusCode).toBe(200);
    env.clock.advance(59_000);
    expect((await get(app, '/raas/v2/whoami', `Bearer ${token}`)).statusCode).toBe(200);
    env.clock.advance(1_000);
    expectInvalidToken(await get(app, '/raas/v2/whoami', `Bearer ${token}`), 'The token has expired');
    // Never valid within the leeway: long expired.
    expectInvalidToken(await get(app, '/raas/v2/whoami', `Bearer ${await signedToken(services, acme, { now: env.clock.now() - 48 * HOUR })}`), 'The token has expired');
  });

  it('refuses a revoked token (RFC 7009 revocation over HTTP)', async () => {
    const token = await signedToken(services, acme);
    const revoke = await app.inject({
      method: 'POST',
      url: '/oauth/revoke',
      headers: { authorization: basic(acme.clientId, acme.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
      payload: `token=${token}`,
    });
    expect(revoke.statusCode).toBe(200);
    expectInvalidToken(await get(app, '/raas/v2/whoami', `Bearer ${token}`), 'The token has been revoked');
  });

  it('refuses a revoked token that it had already verified, within 5 seconds', async () => {
    const token = await signedToken(services, acme);
    expect((await get(app, '/raas/v2/whoami', `Bearer ${token}`)).statusCode).toBe(200);
    const jti = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti as string;
    await services.revokedTokens.revoke(jti, acme.clientId, env.clock.now() + HOUR);
    env.clock.advance(5_000);
    expectInvalidToken(await get(app, '/raas/v2/whoami', `Bearer ${token}`), 'The token has been revoked');
  });

  it('refuses at once a remembered token whose revocation is announced on the credential-status channel', async () => {
    const token = await signedToken(services, acme);
    expect((await get(app, '/raas/v2/whoami', `Bearer ${token}`)).statusCode).toBe(200);
    const jti = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti as string;
    await services.revokedTokens.revoke(jti, acme.clientId, env.clock.now() + HOUR);
    await announceCredentialChange(services.cache, { type: 'token', id: jti });
    expectInvalidToken(await get(app, '/raas/v2/whoami', `Bearer ${token}`), 'The token has been revoked');
  });

  it('forgets everything it remembers on a message it cannot read', async () => {
    const token = `Bearer ${await signedToken(services, acme)}`;
    const findClient = vi.spyOn(services.oauthClients, 'findWithPlatform');
    try {
      await get(app, '/raas/v2/whoami', token);
      await get(app, '/raas/v2/whoami', token);
      expect(findClient).toHaveBeenCalledTimes(1);
      await services.cache.publish(CREDENTIAL_STATUS_CHANNEL, 'not json');
      expect((await get(app, '/raas/v2/whoami', token)).statusCode).toBe(200);
      expect(findClient).toHaveBeenCalledTimes(2);
    } finally {
      findClient.mockRestore();
    }
  });

  it('stops accepting a token when its signing key leaves the key ring, though remembered', async () => {
    const token = await signedToken(services, acme);
    expect((await get(app, '/raas/v2/whoami', `Bearer ${token}`)).statusCode).toBe(200);
    // A rotation keeps the old key published: its tokens stay valid.
    await services.signingKeys.rotate();
    expect((await get(app, '/raas/v2/whoami', `Bearer ${token}`)).statusCode).toBe(200);
    // An operator removes the old key (say it leaked): its tokens fail at once, cache or not.
    const oldKid = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid as string;
    await services.database.db.deleteFrom('signing_keys').where('kid', '=', oldKid).execute();
    await services.signingKeys.load();
    env.clock.advance(10_000); // the new key signs from two refresh intervals after the rotation
    expectInvalidToken(await get(app, '/raas/v2/whoami', `Bearer ${token}`), 'The token was not signed by a key of this server');
  });

  it('refuses the token of a deactivated client at once, and of a deleted one', async () => {
    const token = await signedToken(services, acme);
    expect((await get(app, '/raas/v2/whoami', `Bearer ${token}`)).statusCode).toBe(200);
    await setClientStatus(services, acme.clientId, 'inactive');
    expectInvalidToken(await get(app, '/raas/v2/whoami', `Bearer ${token}`), "The token's client credential is no longer active");
    // Re-activated: its tokens from before stay refused (it may have leaked); a newer one is good.
    await setClientStatus(services, acme.clientId, 'active');
    expectInvalidToken(await get(app, '/raas/v2/whoami', `Bearer ${token}`), 'The token was issued before its client credential was deactivated');
    env.clock.advance(1000);
    const newer = await signedToken(services, acme);
    expect((await get(app, '/raas/v2/whoami', `Bearer ${newer}`)).statusCode).toBe(200);
    await setClientStatus(services, acme.clientId, 'inactive');
    await deleteClient(services, acme.clientId);
    expectInvalidToken(await get(app, '/raas/v2/whoami', `Bearer ${newer}`), "The token's client credential is no longer active");
  });
});
