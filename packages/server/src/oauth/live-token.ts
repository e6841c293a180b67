import type { Services } from '../services.js';
import type { OAuthClient } from '../store/oauth-clients.js';
import { hasCode } from '../errors.js';
import { verifyAccessToken, type AccessTokenClaims, type VerifiedAccessToken } from './access-token.js';

/** Why a token that verifies is nevertheless not live. */
export type DeadTokenReason = 'revoked' | 'client_inactive' | 'issued_before_deactivation' | 'platform_mismatch';

export type TokenLiveness = { live: true; client: OAuthClient & { platform_name: string } } | { live: false; reason: DeadTokenReason };

/**
 * What can change after a token was issued, read from the store — the one check of the API guard and
 * of introspection and revocation: the token is not revoked, its client is still active and was not
 * deactivated since the token was issued (a re-activation does not bring back tokens that may have
 * leaked), and the client still belongs to the platform the token names.
 */
export async function checkTokenLiveness(
  services: Services,
  claims: Pick<AccessTokenClaims, 'client_id' | 'jti' | 'platform' | 'iat'>,
): Promise<TokenLiveness> {
  const [client, revoked] = await Promise.all([services.clients.findWithPlatform(claims.client_id), services.revokedTokens.isRevoked(claims.jti)]);
  if (revoked) return { live: false, reason: 'revoked' };
  if (client?.status !== 'active') return { live: false, reason: 'client_inactive' };
  if (client.tokens_not_before !== null && claims.iat * 1000 < client.tokens_not_before) return { live: false, reason: 'issued_before_deactivation' };
  if (client.platform_name !== claims.platform) return { live: false, reason: 'platform_mismatch' };
  return { live: true, client };
}

/** Verifies a token against this server's keys, issuer and audience; throws the domain's `invalid_token`. */
export function verifyOwnAccessToken(services: Services, token: string, now = services.now()): Promise<VerifiedAccessToken> {
  return verifyAccessToken(services.keys, token, { issuer: services.config.publicUrl, audience: services.config.audience, now });
}

/** {@link verifyOwnAccessToken}, undefined when the token does not verify. */
async function verifiedToken(services: Services, token: string): Promise<VerifiedAccessToken | undefined> {
  try {
    return await verifyOwnAccessToken(services, token);
  } catch (error) {
    if (hasCode(error, 'invalid_token')) return undefined;
    throw error;
  }
}

/** The token's claims when it is valid and live (see {@link checkTokenLiveness}); otherwise undefined. */
export async function liveToken(services: Services, token: string): Promise<AccessTokenClaims | undefined> {
  const verified = await verifiedToken(services, token);
  if (!verified) return undefined;
  return (await checkTokenLiveness(services, verified.claims)).live ? verified.claims : undefined;
}

export async function ownLiveToken(services: Services, token: string, clientId: string): Promise<AccessTokenClaims | undefined> {
  const claims = await liveToken(services, token);
  return claims?.client_id === clientId ? claims : undefined;
}
