import type { FastifyRequest } from 'fastify';
import type { FailureThrottle } from '../credentials/failure-throttle.js';
import type { Metrics } from '../metrics/metrics.js';
import type { OAuthClientStore } from '../store/oauth-clients.js';
import { hasCode } from '../errors.js';
import { authenticateClient, readClientCredentials, type AuthenticatedClient, type ClientCredentials } from './client-auth.js';
import { invalidClient, OAuthError } from './oauth-error.js';
import type { TokenParameters } from './token-parameters.js';

/** What client authentication needs: the clients, the throttle, and the realm of its challenge. */
export interface ClientAuthDeps {
  oauthClients: Pick<OAuthClientStore, 'findWithPlatform'>;
  throttle: Pick<FailureThrottle, 'check' | 'recordFailure'>;
  realm: string;
  /** Told why each authentication failed; none by default. */
  metrics?: Pick<Metrics, 'authFailed'>;
}

/**
 * The failure throttle in front of the token, introspection and revocation endpoints, run as the
 * request arrives (an onRequest hook): an address that failed too often gets 429 before its body is
 * even read, so a flood of wrong secrets costs the server as little as it can (issue 12: other clients'
 * latency). Over the limit: the domain's too_many_failures, which the error handler sends as 429.
 */
export async function refuseThrottled(request: FastifyRequest, { throttle, metrics }: Pick<ClientAuthDeps, 'throttle' | 'metrics'>): Promise<void> {
  await throttle.check(request.ip).catch((error: unknown) => {
    if (hasCode(error, 'too_many_failures')) metrics?.authFailed('oauth', 'throttled');
    throw error;
  });
}

/**
 * Client authentication for the token, introspection and revocation endpoints, once
 * {@link refuseThrottled} let the request in; each failure counts against the address.
 */
export async function authenticateRequest(
  request: FastifyRequest,
  params: TokenParameters,
  { oauthClients, throttle, realm, metrics }: ClientAuthDeps,
): Promise<AuthenticatedClient> {
  let credentials: ClientCredentials | undefined;
  try {
    credentials = readClientCredentials(request, params);
    if (!credentials) throw invalidClient(realm, 'no client credentials');
    return await authenticateClient(oauthClients, credentials, realm, metrics);
  } catch (error) {
    if (error instanceof OAuthError) {
      // authenticateClient told its own reasons; before it, the credentials were missing or unreadable.
      if (!credentials) metrics?.authFailed('oauth', error.error === 'invalid_client' ? 'no_credentials' : 'malformed_credentials');
      await throttle.recordFailure(request.ip);
    }
    throw error;
  }
}
