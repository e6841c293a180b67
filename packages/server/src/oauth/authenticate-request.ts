import type { FastifyRequest } from 'fastify';
import type { FailureThrottle } from '../credentials/failure-throttle.js';
import type { Services } from '../services.js';
import { authenticateClient, readClientCredentials, type AuthenticatedClient } from './client-auth.js';
import { invalidClient, OAuthError } from './oauth-error.js';
import type { TokenParameters } from './token-parameters.js';

/**
 * Client authentication for the token, introspection and revocation endpoints, behind the failure
 * throttle: an address that failed too often gets 429 before its credentials are even looked at.
 */
export async function authenticateRequest(
  request: FastifyRequest,
  params: TokenParameters,
  services: Services,
  throttle: FailureThrottle,
): Promise<AuthenticatedClient> {
  // Over the limit: the domain's too_many_failures, which the error handler sends as 429.
  await throttle.check(request.ip);
  const realm = services.config.publicUrl;
  try {
    const credentials = readClientCredentials(request, params);
    if (!credentials) throw invalidClient(realm, 'no client credentials');
    return await authenticateClient(services.clients, credentials, realm);
  } catch (error) {
    if (error instanceof OAuthError) await throttle.recordFailure(request.ip);
    throw error;
  }
}
