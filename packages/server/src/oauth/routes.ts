import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import type { FailureThrottle } from '../credentials/failure-throttle.js';
import type { Metrics } from '../metrics/metrics.js';
import type { KeyRing } from '../tokens/key-ring.js';
import type { ClientCache } from './client-cache.js';
import { admission, type ClientAuthDeps } from './authenticate-request.js';
import { introspectionEndpoint, type IntrospectionDeps } from './introspection-endpoint.js';
import { jwksEndpoint } from './jwks-endpoint.js';
import { metadataEndpoint, type MetadataDeps } from './metadata-endpoint.js';
import { sendOAuthError } from './oauth-error-handler.js';
import { OAuthError } from './oauth-error.js';
import { INTROSPECTION_PATH, REVOCATION_PATH, TOKEN_PATH } from './paths.js';
import { revocationEndpoint, type RevocationDeps } from './revocation-endpoint.js';
import { OAuthErrorBody } from './route-docs.js';
import { tokenEndpoint, type TokenEndpointDeps } from './token-endpoint.js';
import { parseForm, parseJsonParameters } from './token-parameters.js';

/**
 * What the authorization server uses, made by the composition root (services.ts): the client cache that
 * client authentication and the grant read clients through, and the rest of its endpoints' deps.
 */
export type OAuthDeps = Omit<TokenEndpointDeps, 'oauthClients'> &
  IntrospectionDeps &
  RevocationDeps &
  MetadataDeps & {
    config: { bodyLimitBytes: number };
    signingKeys: Pick<KeyRing, 'jwks'>;
    clientCache: Pick<ClientCache, 'findWithPlatform' | 'claimQuota'>;
    throttle: Pick<FailureThrottle, 'blocked' | 'recordFailure'>;
    metrics: Pick<Metrics, 'authFailed'>;
  };

/**
 * The authorization server, one file per endpoint: token (token-endpoint.ts, RFC 6749 §3.2),
 * introspection (RFC 7662), revocation (RFC 7009), JWKS and the metadata (RFC 8414). Here: what the
 * three endpoints that authenticate clients share — their body parsers, no-store, their error body,
 * and 405 for other methods.
 */
export async function oauthRoutes(app: FastifyInstance, { services }: { services: OAuthDeps }): Promise<void> {
  const { config } = services;
  // Client authentication and the grant read and claim through the client cache: refusals read no row (client-cache.ts).
  const clientAuth: ClientAuthDeps = { oauthClients: services.clientCache, throttle: services.throttle, realm: config.publicUrl, metrics: services.metrics };

  await app.register(async (endpoints) => {
    // RFC 6749 §4.4.2: form-encoded, read by node's URLSearchParams (parseForm); repeated parameters
    // survive parsing so that singleValued can refuse them. A plugin would add nothing to these lines.
    endpoints.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer', bodyLimit: config.bodyLimitBytes }, async (_request: FastifyRequest, body: Buffer) =>
      parseForm(body.toString()),
    );
    endpoints.removeContentTypeParser('text/plain');
    endpoints.removeContentTypeParser('application/json');
    endpoints.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: config.bodyLimitBytes }, async (_request: FastifyRequest, body: string) =>
      parseJsonParameters(body),
    );

    // RFC 6749 §5.1: token responses, and every error of these endpoints, must not be cached.
    // A callback hook, not an async one: no promise on every answer.
    endpoints.addHook('onSend', (_request, reply, payload, done) => {
      reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
      done(null, payload);
    });
    endpoints.setErrorHandler((error: FastifyError, request, reply) => sendOAuthError(error, request.log, reply, config.bodyLimitBytes));
    endpoints.decorateRequest('oauthClient', null);
    // Shared, so that every error response refers to it (the serializer and the OpenAPI document alike).
    endpoints.addSchema(OAuthErrorBody);

    tokenEndpoint(endpoints, { deps: { ...services, oauthClients: services.clientCache }, clientAuth });
    introspectionEndpoint(endpoints, { deps: services, clientAuth });
    revocationEndpoint(endpoints, { deps: services, clientAuth });

    // Admitted like the endpoints (an address that failed too often gets its 429 here too), then 405.
    const admit = admission(clientAuth);
    const methodNotAllowed = async () => {
      throw new OAuthError('invalid_request', 'Use POST', { status: 405, headers: { Allow: 'POST' } });
    };
    for (const url of [TOKEN_PATH, INTROSPECTION_PATH, REVOCATION_PATH]) {
      // The 405 answers are no operations: the OpenAPI document leaves them out.
      endpoints.route({ method: ['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], url, schema: { hide: true }, onRequest: admit, handler: methodNotAllowed });
    }
  });

  jwksEndpoint(app, { deps: services });
  metadataEndpoint(app, { deps: services });
}
