import type { Config } from '../config/config.js';
import { hasCode } from '../errors/tessera-error.js';
import type { OAuthClient, OAuthClientStore } from '../store/oauth-clients.js';
import type { RevokedTokenStore } from '../store/revoked-tokens.js';
import { verifyAccessToken, type AccessTokenClaims, type VerifiedAccessToken } from './access-token.js';
import type { KeyRing } from './key-ring.js';

/** What verifying a token against this server needs: its keys, its issuer and audience, the clock. */
export interface TokenVerificationDeps {
  signingKeys: Pick<KeyRing, 'verificationKey'>;
  config: Pick<Config, 'publicUrl' | 'audience'>;
  now: () => number;
}

/** What the store says about an issued token: its client, and whether it was revoked. */
export interface TokenStatusDeps {
  oauthClients: Pick<OAuthClientStore, 'findWithPlatform'>;
  revokedTokens: Pick<RevokedTokenStore, 'isRevoked'>;
}

/** Why a token that verifies is nevertheless not live. */
export type DeadTokenReason = 'revoked' | 'client_inactive' | 'issued_before_deactivation' | 'platform_mismatch';

export type TokenStatus = { live: true; client: OAuthClient & { platform_name: string } } | { live: false; reason: DeadTokenReason };

/**
 * Step 1, no I/O: the token is signed by this server's keys, for its issuer and audience, and not
 * expired (RFC 9068 §4). Throws the domain's `invalid_token`. The audience is the protected API's
 * (TESSERA_AUDIENCE); null is the authorization server's view of its own tokens, whatever audience
 * they were issued for (introspection, revocation).
 */
export function verifyOwnToken(
  deps: TokenVerificationDeps,
  token: string,
  now = deps.now(),
  audience: string | null = deps.config.audience,
): Promise<VerifiedAccessToken> {
  return verifyAccessToken(deps.signingKeys, token, { issuer: deps.config.publicUrl, audience, now });
}

/**
 * Step 2, from the store: what can change after a token was issued — the one check of the API guard and
 * of introspection and revocation. The token is not revoked, its client is still active and was not
 * deactivated since the token was issued (a re-activation does not bring back tokens that may have
 * leaked), and the client still belongs to the platform the token names.
 */
export async function readTokenStatus(deps: TokenStatusDeps, claims: Pick<AccessTokenClaims, 'client_id' | 'jti' | 'platform' | 'iat'>): Promise<TokenStatus> {
  const [client, revoked] = await Promise.all([deps.oauthClients.findWithPlatform(claims.client_id), deps.revokedTokens.isRevoked(claims.jti)]);
  if (revoked) return { live: false, reason: 'revoked' };
  if (client?.status !== 'active') return { live: false, reason: 'client_inactive' };
  if (client.tokens_not_before !== null && claims.iat * 1000 < client.tokens_not_before) return { live: false, reason: 'issued_before_deactivation' };
  if (client.platform_name !== claims.platform) return { live: false, reason: 'platform_mismatch' };
  return { live: true, client };
}

/**
 * Both steps, for introspection and revocation: the claims of a token of any of this server's audiences that verifies and is live (and,
 * given `clientId`, was issued to that client); undefined otherwise, whatever the reason.
 */
export async function activeTokenClaims(
  deps: TokenVerificationDeps & TokenStatusDeps,
  token: string,
  clientId?: string,
): Promise<AccessTokenClaims | undefined> {
  let claims: AccessTokenClaims;
  try {
    // The authorization server answers for every token it issued, whichever of its audiences it is for.
    ({ claims } = await verifyOwnToken(deps, token, deps.now(), null));
  } catch (error) {
    if (hasCode(error, 'invalid_token')) return undefined;
    throw error;
  }
  if (clientId !== undefined && claims.client_id !== clientId) return undefined;
  return (await readTokenStatus(deps, claims)).live ? claims : undefined;
}
