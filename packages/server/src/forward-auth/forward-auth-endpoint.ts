import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiGuard } from '../auth/api-guard.js';
import { AuthError, invalidToken } from '../auth/auth-error.js';
import { credentialId, type Principal } from '../auth/principal.js';
import type { AudienceRegistry } from '../credentials/audience-registry.js';
import type { ProtectedApi } from '../credentials/protected-apis.js';
import { DEFAULT_SCOPE } from '../credentials/scopes.js';
import { retryAfter, TesseraError } from '../errors/tessera-error.js';
import { isServerFault, saysWhenToComeBack, statusOfCode } from '../http/status-of-code.js';
import type { Metrics } from '../metrics/metrics.js';
import { FORWARD_AUTH_PATH, type ForwardedRequest, readForwardedRequest } from './forwarded-request.js';

/** The two questions forward auth asks of the protected APIs (registered with `tessera api add`). */
type ProtectedApiLookup = Pick<AudienceRegistry, 'api' | 'apiFor'>;

/** What forward auth uses, made by the composition root (services.ts). */
export interface ForwardAuthDeps {
  /** A guard for tokens of any of this server's audiences: the API's is checked here. */
  forwardAuthGuard: Pick<ApiGuard, 'present' | 'cached' | 'authenticate'>;
  audienceRegistry: ProtectedApiLookup;
  metrics: Pick<Metrics, 'authFailed'>;
}

/** The identity headers of an allowed request, which the proxy copies to the upstream (docs/protect-your-api.md). */
export const IDENTITY_HEADERS = {
  platform: 'X-Tessera-Platform',
  platformId: 'X-Tessera-Platform-Id',
  credentialKind: 'X-Tessera-Credential-Kind',
  credentialId: 'X-Tessera-Credential-Id',
  scope: 'X-Tessera-Scope',
  audience: 'X-Tessera-Audience',
  tokenId: 'X-Tessera-Token-Id',
} as const;

/** A refusal that is not the guard's: the API is unknown, or does not take this caller. */
class ForwardAuthRefusal extends Error {
  constructor(
    readonly error: 'access_denied' | 'unknown_api',
    readonly description: string,
  ) {
    super(description);
  }
}

function identityHeaders(principal: Principal, api: ProtectedApi): Record<string, string> {
  const { credential } = principal;
  const headers: Record<string, string> = {
    [IDENTITY_HEADERS.platform]: principal.platformName,
    [IDENTITY_HEADERS.platformId]: principal.platformId,
    [IDENTITY_HEADERS.credentialKind]: credential.type,
    [IDENTITY_HEADERS.credentialId]: credentialId(principal),
    // API keys hold every scope (credentials/scopes.ts).
    [IDENTITY_HEADERS.scope]: credential.type === 'oauth_client' ? credential.scopes.join(' ') : DEFAULT_SCOPE,
    [IDENTITY_HEADERS.audience]: api.audience,
  };
  if (credential.type === 'oauth_client') headers[IDENTITY_HEADERS.tokenId] = credential.tokenId;
  return headers;
}

/** Which API the request is for: the one named, else the one registered for its host and path. */
async function apiOf(lookup: ProtectedApiLookup, forwarded: ForwardedRequest): Promise<ProtectedApi> {
  if (forwarded.audience !== undefined) {
    const api = await lookup.api(forwarded.audience);
    if (!api) throw new ForwardAuthRefusal('unknown_api', `No protected API is registered with the audience ${forwarded.audience}: register it with tessera api add`);
    return api;
  }
  const api = await lookup.apiFor(forwarded.host, forwarded.path);
  if (!api) {
    throw new ForwardAuthRefusal(
      'unknown_api',
      `No protected API is registered for host ${forwarded.host || '(none)'} and path ${forwarded.path}: register it with tessera api add`,
    );
  }
  return api;
}

/** The API's own rules: the token is for it (RFC 9068 §4, RFC 8707), and it takes this kind of credential and this platform. */
function assertAllowed(principal: Principal, api: ProtectedApi): void {
  const { credential } = principal;
  if (credential.type === 'oauth_client' && credential.audience !== api.audience) {
    throw invalidToken(api.audience, `The token is for another audience, not this API's: ask for a token for ${api.audience}`, `token for ${credential.audience}`);
  }
  if (api.credentialKinds !== null && !api.credentialKinds.includes(credential.type)) {
    const kind = credential.type === 'oauth_client' ? 'OAuth access tokens' : 'API keys';
    throw new ForwardAuthRefusal('access_denied', `The API ${api.audience} does not accept ${kind}`);
  }
  if (api.platforms !== null && !api.platforms.includes(principal.platformName)) {
    throw new ForwardAuthRefusal('access_denied', `The platform ${principal.platformName} may not call the API ${api.audience}`);
  }
}

/**
 * Forward authentication for the operator's own APIs (issue 23): nginx `auth_request`, Caddy
 * `forward_auth`, Traefik `ForwardAuth`, Envoy `ext_authz` and HAProxy ask here about each request they
 * hold, and pass it upstream only on a 2xx. The credential is checked exactly as the /raas/v2 guard does
 * (Bearer or Basic, revocation and deactivation included, the same memory and the same throttle); the
 * API's audience, credential kinds and platforms are then checked. Allowed: 200, no body, the caller's
 * identity in X-Tessera-* headers for the proxy to copy upstream. Refused: 401 with a challenge in the
 * API's realm (RFC 6750 §3, RFC 7617), 403, 429 or 503, with a JSON body the proxy may pass through.
 */
export async function forwardAuthEndpoint(app: FastifyInstance, { deps }: { deps: ForwardAuthDeps }): Promise<void> {
  const guard = deps.forwardAuthGuard;
  // The proxy may send the original request's body (Envoy with_request_body): whatever its type, it is
  // read and dropped, never parsed — the decision is on the headers alone.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => {
    payload.resume();
    payload.on('end', () => done(null, undefined));
    payload.on('error', done);
  });

  const decide = async (request: FastifyRequest, reply: FastifyReply) => {
    // A decision is about one request: no cache may keep it (RFC 9111 §5.2.2.5).
    reply.header('cache-control', 'no-store');
    let realm: string | undefined;
    try {
      const forwarded = readForwardedRequest(request);
      const api = await apiOf(deps.audienceRegistry, forwarded);
      realm = api.audience;
      const presented = guard.present(request);
      const principal = guard.cached(presented) ?? (await guard.authenticate(presented, request.ip));
      assertAllowed(principal, api);
      return reply.code(200).headers(identityHeaders(principal, api)).send();
    } catch (error) {
      return refuse(request, reply, error, realm);
    }
  };

  const refuse = (request: FastifyRequest, reply: FastifyReply, error: unknown, realm: string | undefined) => {
    if (error instanceof AuthError) {
      deps.metrics.authFailed('forward_auth', error.failure);
      const inRealm = realm === undefined ? error : error.inRealm(realm);
      return reply.code(inRealm.status).headers(inRealm.headers).send({ error: inRealm.failure, error_description: inRealm.description });
    }
    if (error instanceof ForwardAuthRefusal) {
      deps.metrics.authFailed('forward_auth', error.error);
      return reply.code(403).send({ error: error.error, error_description: error.description });
    }
    if (error instanceof TesseraError) {
      const status = statusOfCode(error.code);
      if (!isServerFault(status)) {
        if (error.code === 'too_many_failures') deps.metrics.authFailed('forward_auth', 'throttled');
        if (error.code === 'unavailable') request.log.warn({ err: error.cause }, 'forward auth failed: the store is unavailable');
        if (saysWhenToComeBack(status)) reply.headers(retryAfter(error));
        return reply.code(status).send({ error: error.code, error_description: error.message });
      }
    }
    throw error;
  };

  const schema = { hide: true };
  app.all(FORWARD_AUTH_PATH, { schema }, decide);
  app.all(`${FORWARD_AUTH_PATH}/*`, { schema }, decide);
}
