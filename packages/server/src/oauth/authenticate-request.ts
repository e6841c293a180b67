import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FailureThrottle } from '../credentials/failure-throttle.js';
import type { Metrics } from '../metrics/metrics.js';
import type { OAuthClientStore } from '../store/oauth-clients.js';
import { authenticateClient, readClientCredentials, type AuthenticatedClient, type ClientCredentials } from './client-auth.js';
import { invalidClient, OAuthError } from './oauth-error.js';
import { sendRefusal } from './oauth-error-handler.js';
import type { TokenParameters } from './token-parameters.js';

/** What client authentication needs: the clients, the throttle, and the realm of its challenge. */
export interface ClientAuthDeps {
  oauthClients: Pick<OAuthClientStore, 'findWithPlatform'>;
  throttle: Pick<FailureThrottle, 'blocked' | 'recordFailure'>;
  realm: string;
  /** Told why each authentication failed; none by default. */
  metrics?: Pick<Metrics, 'authFailed'>;
}

/**
 * The failure throttle in front of the token, introspection and revocation endpoints, run as the
 * request arrives (an onRequest hook): an address that failed too often gets 429 before its body is
 * even read, sent from here rather than thrown through the error handler, so a flood of wrong secrets
 * costs the server as little as it can (issue 12: other clients' latency).
 */
export async function refuseThrottled(request: FastifyRequest, reply: FastifyReply, { throttle, metrics }: Pick<ClientAuthDeps, 'throttle' | 'metrics'>) {
  const blocked = await throttle.blocked(request.ip);
  if (!blocked) return;
  metrics?.authFailed('oauth', 'throttled');
  const headers = { 'Retry-After': String(blocked.retryAfterSeconds) };
  return sendRefusal(new OAuthError('too_many_requests', blocked.message, { status: 429, headers }), request.log, reply);
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
