import { digest } from '../crypto/secrets.js';
import { decodeBasic } from '../credentials/http-credentials.js';
import { hasCode } from '../errors/tessera-error.js';
import type { AccessTokenClaims, VerifiedAccessToken } from '../tokens/access-token.js';
import { readTokenStatus, type TokenStatusDeps, type TokenVerificationDeps, verifyOwnToken } from '../tokens/live-token.js';
import type { ApiKeyStore } from '../store/api-keys.js';
import type { OAuthClient } from '../store/oauth-clients.js';
import { invalidCredentials, invalidToken } from './auth-error.js';
import type { Principal } from './principal.js';

/**
 * The guard's verifications of a credential not yet remembered, each a refusal ({@link AuthError}) or a
 * {@link Principal}. The guard (api-guard.ts) adds the throttle and the memory around them.
 */

export interface ApiKeyLookupDeps {
  apiKeys: Pick<ApiKeyStore, 'findByDigest' | 'status' | 'markUsed'>;
}

/** The token's signature and claims (no I/O); the domain's invalid_token becomes the guard's 401. */
export async function verifyBearerToken(
  deps: TokenVerificationDeps,
  realm: string,
  token: string,
  now: number,
  audience: string | null = deps.config.audience,
): Promise<VerifiedAccessToken> {
  try {
    return await verifyOwnToken(deps, token, now, audience);
  } catch (error) {
    if (hasCode(error, 'invalid_token')) throw invalidToken(realm, error.message);
    throw error;
  }
}

/** A token's principal: its credential carries the token's audience and scopes. */
export type TokenPrincipal = Principal & { credential: Extract<Principal['credential'], { type: 'oauth_client' }> };

/** An API key's principal: its credential carries the key's id. */
export type ApiKeyPrincipal = Principal & { credential: Extract<Principal['credential'], { type: 'api_key' }> };

/**
 * Reads from the store what can change after a token was issued ({@link readTokenStatus}): the client, or
 * a refusal saying why not. The guard's periodic re-read needs only this.
 */
export async function liveTokenClient(
  deps: TokenStatusDeps,
  realm: string,
  claims: Pick<AccessTokenClaims, 'client_id' | 'jti' | 'platform' | 'iat'>,
): Promise<OAuthClient & { platform_name: string }> {
  const { client_id: clientId, jti } = claims;
  const status = await readTokenStatus(deps, claims);
  if (status.live) return status.client;
  switch (status.reason) {
    case 'revoked':
      throw invalidToken(realm, 'The token has been revoked', `token ${jti} is revoked`);
    case 'client_inactive':
      throw invalidToken(realm, "The token's client credential is no longer active", `client ${clientId} is inactive or gone`);
    case 'issued_before_deactivation':
      throw invalidToken(realm, 'The token was issued before its client credential was deactivated', `client ${clientId} was deactivated after token ${jti}`);
    case 'platform_mismatch':
      throw invalidToken(realm, 'The token is not valid', `client ${clientId} is not of the platform in the token`);
  }
}

/** A verified token's principal, once the store says it is live ({@link liveTokenClient}). */
export async function tokenPrincipal(
  deps: TokenStatusDeps,
  realm: string,
  claims: Pick<AccessTokenClaims, 'client_id' | 'jti' | 'platform' | 'iat' | 'aud' | 'scope'>,
): Promise<TokenPrincipal> {
  const client = await liveTokenClient(deps, realm, claims);
  return {
    platformId: client.platform_id,
    platformName: client.platform_name,
    credential: { type: 'oauth_client', clientId: claims.client_id, tokenId: claims.jti, audience: claims.aud, scopes: claims.scope.split(' ') },
  };
}

/** Basic `platformName:apiKey`: the key's principal, or one refusal whatever was wrong. */
export async function apiKeyPrincipal(deps: ApiKeyLookupDeps, realm: string, encoded: string): Promise<ApiKeyPrincipal> {
  const credentials = decodeBasic(encoded);
  // An unknown platform and a wrong key take the same path: one digest, one lookup by digest.
  const key = await deps.apiKeys.findByDigest(digest(credentials?.password ?? ''));
  if (!credentials) throw invalidCredentials(realm, 'Basic credentials without a colon');
  if (!key) throw invalidCredentials(realm, 'unknown API key');
  if (key.platform_name !== credentials.userId) throw invalidCredentials(realm, `API key ${key.id} presented with another platform name`);
  if (key.status !== 'active') throw invalidCredentials(realm, `API key ${key.id} is deactivated`);
  return { platformId: key.platform_id, platformName: key.platform_name, credential: { type: 'api_key', keyId: key.id } };
}
