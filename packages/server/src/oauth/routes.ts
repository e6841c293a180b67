import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthenticatedClient } from './client-auth.js';
import { announceCredentialChange } from '../credentials/credential-events.js';
import { CONSOLE_PATH, type Config } from '../config.js';
import type { FailureThrottle } from '../credentials/failure-throttle.js';
import type { Cache } from '../cache/cache.js';
import type { RevokedTokenStore } from '../store/revoked-tokens.js';
import type { Database } from '../store/database.js';
import type { OAuthClientStore } from '../store/oauth-clients.js';
import type { KeyRing } from './key-ring.js';
import type { GrantDeps } from './grants/grant.js';
import type { TokenStatusDeps, TokenVerificationDeps } from './live-token.js';
import { CLOCK_TOLERANCE_SECONDS } from './access-token.js';
import { activeTokenClaims } from './live-token.js';
import { sendOAuthError, sendRefusal } from './oauth-error-handler.js';
import { admitRequest, authenticateRequest } from './authenticate-request.js';
import { ClientCache } from './client-cache.js';
import { RefusalWindows } from '../audit/record-token-refusal.js';
import { DEFAULT_SCOPE } from '../credentials/scopes.js';
import { logAtMostEvery } from '../log-at-most-every.js';
import type { Metrics } from '../metrics/metrics.js';
import { clientCredentialsGrant } from './grants/client-credentials.js';
import { heldQuotaRefusal, type QuotaRequest } from './quota.js';
import type { Grant, TokenResponse } from './grants/grant.js';
import { invalidRequest, OAuthError, excerpt } from './oauth-error.js';
import { parseForm, parseJsonParameters, singleValued } from './token-parameters.js';
import { documentedOnly, introspectionSchema, jwksSchema, metadataSchema, OAuthErrorBody, revocationSchema, tokenSchema } from './route-docs.js';

const GRANTS = new Map<string, Grant>([[clientCredentialsGrant.grantType, clientCredentialsGrant]]);

export const TOKEN_PATH = '/oauth/token';
export const INTROSPECTION_PATH = '/oauth/introspect';
export const REVOCATION_PATH = '/oauth/revoke';
export const JWKS_PATH = '/.well-known/jwks.json';

/** What the authorization server uses. */
export interface OAuthDeps extends GrantDeps, TokenVerificationDeps, TokenStatusDeps {
  config: Config;
  signingKeys: Pick<KeyRing, 'signer' | 'verificationKey' | 'jwks'>;
  oauthClients: Pick<OAuthClientStore, 'claimQuota' | 'findWithPlatform'>;
  database: Pick<Database, 'watchChangesElsewhere'>;
  revokedTokens: Pick<RevokedTokenStore, 'isRevoked' | 'revoke' | 'purgeExpired'>;
  throttle: Pick<FailureThrottle, 'blocked' | 'recordFailure'>;
  cache: Pick<Cache, 'publish' | 'hit' | 'subscribe'>;
  metrics: Pick<Metrics, 'tokenIssued' | 'quotaRefused' | 'authFailed'>;
}

/** The authorization server: token, introspection and revocation endpoints, discovery and JWKS. */
export async function oauthRoutes(app: FastifyInstance, { services }: { services: OAuthDeps }): Promise<void> {
  const { config } = services;
  // Client authentication and the grant read and claim through it: refusals read no row (client-cache.ts).
  const oauthClients = new ClientCache(services.oauthClients, services.database, services.cache, services.now);
  await oauthClients.start();
  app.addHook('onClose', async () => oauthClients.stop());
  // One token_refused entry a minute per client, and no shared counter call for the rest of that minute.
  const grantDeps = { ...services, oauthClients, refusalWindows: new RefusalWindows() };
  const clientAuth = { oauthClients, throttle: services.throttle, realm: config.publicUrl, metrics: services.metrics };
  // With Redis away every refusal would fail to be recorded: said once a minute, not once a request.
  const onAuditError = logAtMostEvery(60_000, (error: unknown) => app.log.warn({ err: error }, 'a quota refusal was not recorded in the audit log'), services.now);

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
    endpoints.addHook('onRequest', async (request, reply) => admitRequest(request, reply, clientAuth));
    // Shared, so that every error response refers to it (the serializer and the OpenAPI document alike).
    endpoints.addSchema(OAuthErrorBody);

    // A client over its quota gets no token whatever it asks: it is told so as soon as it has authenticated,
    // before its parameters are checked, and with the Basic header before its body is even read — the
    // answer a misbehaving fleet asks for thousands of times a second (issue 13).
    const quotaRequest = (request: FastifyRequest, client: AuthenticatedClient): QuotaRequest => ({
      client,
      origin: { sourceAddress: request.ip, userAgent: request.headers['user-agent'] ?? null },
      onAuditError,
    });
    const refuseHeldQuota = async (request: FastifyRequest, reply: FastifyReply) => {
      const refusal = request.oauthClient && (await heldQuotaRefusal(grantDeps, quotaRequest(request, request.oauthClient)));
      if (refusal) return sendRefusal(refusal, request.log, reply);
    };

    endpoints.post(TOKEN_PATH, { schema: tokenSchema(config), validatorCompiler: documentedOnly, onRequest: refuseHeldQuota }, async (request, reply) => {
      try {
        return await token(request);
      } catch (error) {
        // The refusals a misbehaving fleet sends thousands of a second (the quota, a wrong secret) are
        // answered here rather than through Fastify's error path, which costs more (issue 13's profile).
        if (error instanceof OAuthError) return sendRefusal(error, request.log, reply);
        throw error;
      }
    });

    async function token(request: FastifyRequest): Promise<TokenResponse> {
      const params = singleValued(request.body);
      const client = await authenticateRequest(request, params, clientAuth);
      const context = quotaRequest(request, client);
      // A client of the Basic header was checked before its body was read (refuseHeldQuota).
      const refusal = request.oauthClient ? undefined : await heldQuotaRefusal(grantDeps, context);
      if (refusal) throw refusal;
      const grantType = params.grant_type;
      if (!grantType) throw invalidRequest('grant_type is missing');
      const grant = GRANTS.get(grantType);
      if (!grant) throw new OAuthError('unsupported_grant_type', `The grant type ${excerpt(grantType)} is not supported: use client_credentials`);
      const response = await grant.handle({ ...context, params, deps: grantDeps });
      services.metrics.tokenIssued(grant.grantType);
      request.log.info({ client_id: client.client_id, platform: client.platform_name }, 'access token issued');
      return response;
    }

    // RFC 7662: introspection. A client learns only about its own tokens; anything else is inactive.
    endpoints.post(INTROSPECTION_PATH, { schema: introspectionSchema, validatorCompiler: documentedOnly }, async (request) => {
      const params = singleValued(request.body);
      const client = await authenticateRequest(request, params, clientAuth);
      if (!params.token) throw invalidRequest('token is missing');
      const claims = await activeTokenClaims(services, params.token, client.client_id);
      if (!claims) return { active: false };
      return { active: true, token_type: 'Bearer', ...claims };
    });

    // RFC 7009: revocation. An unknown or invalid token is not an error (§2.2); another client's is (§2.1).
    endpoints.post(REVOCATION_PATH, { schema: revocationSchema, validatorCompiler: documentedOnly }, async (request, reply) => {
      const params = singleValued(request.body);
      const client = await authenticateRequest(request, params, clientAuth);
      if (!params.token) throw invalidRequest('token is missing');
      // token_type_hint is only a hint: an unknown one is ignored (RFC 7009 §2.1).
      const claims = await activeTokenClaims(services, params.token);
      if (claims && claims.client_id !== client.client_id) {
        throw new OAuthError('unauthorized_client', 'The token was not issued to this client');
      }
      if (claims) {
        await services.revokedTokens.revoke(claims.jti, claims.client_id, claims.exp * 1000);
        // A revocation outlives its token by no more than the leeway: the list stays as short as the
        // revocations of one token lifetime, with no background job.
        await services.revokedTokens.purgeExpired(services.now() - CLOCK_TOLERANCE_SECONDS * 1000);
        // Every instance's API guard forgets the token at once, not at its next status re-check.
        await announceCredentialChange(services.cache, { type: 'token', id: claims.jti });
      }
      return reply.code(200).send();
    });

    const methodNotAllowed = async () => {
      throw new OAuthError('invalid_request', 'Use POST', { status: 405, headers: { Allow: 'POST' } });
    };
    for (const url of [TOKEN_PATH, INTROSPECTION_PATH, REVOCATION_PATH]) {
      // The 405 answers are no operations: the OpenAPI document leaves them out.
      endpoints.route({ method: ['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], url, schema: { hide: true }, handler: methodNotAllowed });
    }
  });

  app.get(JWKS_PATH, { schema: jwksSchema }, async (_request, reply) => {
    reply.header('Cache-Control', 'public, max-age=60');
    return services.signingKeys.jwks();
  });

  // RFC 8414 §3.2: the authorization server's metadata, from the configuration only.
  const base = config.publicUrl;
  const authMethods = ['client_secret_basic', 'client_secret_post'];
  const metadata = {
    issuer: base,
    token_endpoint: base + TOKEN_PATH,
    jwks_uri: base + JWKS_PATH,
    introspection_endpoint: base + INTROSPECTION_PATH,
    revocation_endpoint: base + REVOCATION_PATH,
    grant_types_supported: [...GRANTS.keys()],
    response_types_supported: [],
    scopes_supported: [DEFAULT_SCOPE],
    token_endpoint_auth_methods_supported: authMethods,
    introspection_endpoint_auth_methods_supported: authMethods,
    revocation_endpoint_auth_methods_supported: authMethods,
    // RFC 8414 §2: where a developer reads how to use the server, and tries it.
    ...(config.console ? { service_documentation: base + CONSOLE_PATH } : {}),
  };
  app.get('/.well-known/oauth-authorization-server', { schema: metadataSchema(metadata) }, async (_request, reply) => {
    reply.header('Cache-Control', 'public, max-age=300');
    return metadata;
  });
}

