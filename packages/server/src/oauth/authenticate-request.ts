import type { FastifyRequest } from 'fastify';
import type { FailureThrottle } from '../credentials/failure-throttle.js';
import type { OAuthClientStore } from '../store/oauth-clients.js';
import { authenticateClient, readClientCredentials, type AuthenticatedClient } from './client-auth.js';
import { invalidClient, OAuthError } from './oauth-error.js';
import type { TokenParameters } from './token-parameters.js';

/** What client authentication needs: the clients, the throttle, and the realm of its challenge. */
export interface ClientAuthDeps {
  oauthClients: Pick<OAuthClientStore, 'findWithPlatform'>;
  throttle: Pick<FailureThrottle, 'check' | 'recordFailure'>;
  realm: string;
}

/**
 * Client authentication for the token, introspection and revocation endpoints, behind the failure
 * throttle: an address that failed too often gets 429 before its credentials are even looked at.
 */
export async function authenticateRequest(
  request: FastifyRequest,
  params: TokenParameters,
  { oauthClients, throttle, realm }: ClientAuthDeps,
): Promise<AuthenticatedClient> {
  // Over the limit: the domain's too_many_failures, which the error handler sends as 429.
  await throttle.check(request.ip);
  try {
    const credentials = readClientCredentials(request, params);
    if (!credentials) throw invalidClient(realm, 'no client credentials');
    return await authenticateClient(oauthClients, credentials, realm);
  } catch (error) {
    if (error instanceof OAuthError) await throttle.recordFailure(request.ip);
    throw error;
  }
}
