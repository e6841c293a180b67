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

declare module 'fastify' {
  interface FastifyRequest {
    /** The client of the endpoints' Basic header, authenticated before the body was read ({@link admitRequest}). */
    oauthClient: AuthenticatedClient | null;
  }
}

/** No body parameters: what the Basic header is read against before the body arrives. */
const NO_PARAMETERS: TokenParameters = {};

/**
 * The token, introspection and revocation endpoints' onRequest hook, run before the body is read:
 * - an address that failed too often gets 429 (issue 12);
 * - a client that authenticates with the Basic header (client_secret_basic: what Tango's integrations
 *   and Tessera's client send) is authenticated here, so a wrong secret gets its 401 without its body
 *   being read. The client authenticates first (RFC 6749 §3.2.1); the body can then only add an error
 *   of its own (both methods at once, a parameter refused), never undo this one.
 * The refusals are sent from here rather than thrown through the error handler: a flood of them costs
 * the server as little as it can (issues 12 and 13).
 */
export async function admitRequest(request: FastifyRequest, reply: FastifyReply, deps: ClientAuthDeps) {
  const blocked = await deps.throttle.blocked(request.ip);
  if (blocked) {
    deps.metrics?.authFailed('oauth', 'throttled');
    const headers = { 'Retry-After': String(blocked.retryAfterSeconds) };
    return sendRefusal(new OAuthError('too_many_requests', blocked.message, { status: 429, headers }), request.log, reply);
  }
  // The 405 answers are the route's, and credentials in the body wait for it.
  if (request.method !== 'POST' || request.headers.authorization === undefined) return;
  try {
    request.oauthClient = await authenticate(request, deps, () => readClientCredentials(request, NO_PARAMETERS));
  } catch (error) {
    if (error instanceof OAuthError) return sendRefusal(error, request.log, reply);
    throw error;
  }
}

/** {@link admitRequest} as the endpoints' onRequest hook, bound to their client authentication. */
export function admission(deps: ClientAuthDeps): (request: FastifyRequest, reply: FastifyReply) => Promise<unknown> {
  return async (request, reply) => admitRequest(request, reply, deps);
}

/**
 * Client authentication for the token, introspection and revocation endpoints, once the body is read:
 * the client {@link admitRequest} authenticated by its header, after the body's parameters are checked
 * against it, or the client of the body's credentials.
 */
export async function authenticateRequest(request: FastifyRequest, params: TokenParameters, deps: ClientAuthDeps): Promise<AuthenticatedClient> {
  return authenticate(request, deps, () => readClientCredentials(request, params), request.oauthClient);
}

/** Reads the credentials and authenticates their client (unless `authenticated` already is); each failure counts against the address. */
async function authenticate(
  request: FastifyRequest,
  { oauthClients, throttle, realm, metrics }: ClientAuthDeps,
  read: () => ClientCredentials | undefined,
  authenticated?: AuthenticatedClient | null,
): Promise<AuthenticatedClient> {
  let credentials: ClientCredentials | undefined;
  try {
    credentials = read();
    if (!credentials) throw invalidClient(realm, 'no client credentials');
    return authenticated ?? (await authenticateClient(oauthClients, credentials, realm, metrics));
  } catch (error) {
    if (error instanceof OAuthError) {
      // authenticateClient told its own reasons; before it, the credentials were missing or unreadable.
      if (!credentials) metrics?.authFailed('oauth', error.error === 'invalid_client' ? 'no_credentials' : 'malformed_credentials');
      await throttle.recordFailure(request.ip);
    }
    throw error;
  }
}
