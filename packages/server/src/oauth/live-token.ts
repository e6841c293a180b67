import type { Services } from '../services.js';
import { InvalidTokenError, verifyAccessToken, type AccessTokenClaims } from './access-token.js';

/** The token's claims when it is valid, not revoked and its client still active; otherwise undefined. */
export async function liveToken(services: Services, token: string): Promise<AccessTokenClaims | undefined> {
  let claims: AccessTokenClaims;
  try {
    claims = await verifyAccessToken(services.keys, token, { issuer: services.config.publicUrl, audience: services.config.audience, now: services.now() });
  } catch (error) {
    if (error instanceof InvalidTokenError) return undefined;
    throw error;
  }
  if (await services.revokedTokens.isRevoked(claims.jti)) return undefined;
  const client = await services.clients.find(claims.client_id);
  if (client?.status !== 'active') return undefined;
  return claims;
}

export async function ownLiveToken(services: Services, token: string, clientId: string): Promise<AccessTokenClaims | undefined> {
  const claims = await liveToken(services, token);
  return claims?.client_id === clientId ? claims : undefined;
}

