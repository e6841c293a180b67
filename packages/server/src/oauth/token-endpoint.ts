import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { logAtMostEvery } from '../log/log-at-most-every.js';
import type { Metrics } from '../metrics/metrics.js';
import { admission, authenticateRequest, type ClientAuthDeps } from './authenticate-request.js';
import type { AuthenticatedClient } from './client-auth.js';
import type { Grant, GrantDeps, TokenResponse } from './grants/grant.js';
import { sendRefusal } from './oauth-error-handler.js';
import { excerpt, invalidRequest, OAuthError } from './oauth-error.js';
import { TOKEN_PATH } from './paths.js';
import { heldQuotaRefusal, type QuotaRequest } from './quota.js';
import { documentedOnly, tokenSchema } from './route-docs.js';
import { singleValued, type TokenParameters } from './token-parameters.js';

/** What the token endpoint uses: its grants and what they use (the client cache as `oauthClients`), the metrics. */
export interface TokenEndpointDeps extends GrantDeps {
  grants: readonly Grant[];
  metrics: Pick<Metrics, 'tokenIssued' | 'quotaRefused'>;
}

/**
 * POST /oauth/token: the client credentials grant (RFC 6749 §4.4), step by step in the order they run.
 *
 * Before the body is read, so that the answers a misbehaving fleet asks for thousands of times a second
 * cost no body, no parse and no signature (issues 12 and 13):
 *  1. admit: an address that failed too often gets 429 (issue 12), and the client of a Basic header
 *     (§2.3.1) authenticates — the client authenticates first (§3.2.1) — in {@link admitRequest};
 *  2. quota: a client whose row holds Tango's quota (one token per interval) is refused (quota.ts).
 * Once the body is read ({@link token}):
 *  3. parse: a form (§4.4.2) or a JSON object, each parameter at most once (§3.1, §3.2), routes.ts's parsers;
 *  4. authenticate the client: the body's credentials (§2.3.1), or the header's checked against the body (§2.3);
 *  5. quota again, for a client of the body;
 *  6. grant: the grant type (§4.4.2; unsupported_grant_type, §5.2) picks the grant module, which checks
 *     the audience (RFC 8707 §2) and the scope (§3.3), signs (RFC 9068), then claims the quota and writes
 *     the token_issued audit entry in one write (grants/client-credentials.ts);
 *  7. respond (§5.1): counted, logged, never cached (no-store, routes.ts).
 * Every refusal is an {@link OAuthError}, answered with the §5.2 body.
 */
export function tokenEndpoint(endpoints: FastifyInstance, { deps, clientAuth }: { deps: TokenEndpointDeps; clientAuth: ClientAuthDeps }): void {
  const grants = new Map(deps.grants.map((grant) => [grant.grantType, grant]));
  // With Redis away every refusal would fail to be recorded: said once a minute, not once a request.
  const onAuditError = logAtMostEvery(60_000, (error: unknown) => endpoints.log.warn({ err: error }, 'a quota refusal was not recorded in the audit log'), deps.now);
  const quotaRequest = (request: FastifyRequest, client: AuthenticatedClient): QuotaRequest => ({
    client,
    origin: { sourceAddress: request.ip, userAgent: request.headers['user-agent'] ?? null },
    onAuditError,
  });

  // 1. Admit.
  const admit = admission(clientAuth);
  // 2. Quota, for the client of the Basic header: told as soon as it has authenticated, before its
  // parameters are checked or its body is read — a client over its quota gets no token whatever it asks.
  const refuseHeldQuota = async (request: FastifyRequest, reply: FastifyReply) => {
    const refusal = request.oauthClient && (await heldQuotaRefusal(deps, quotaRequest(request, request.oauthClient)));
    if (refusal) return sendRefusal(refusal, request.log, reply);
  };

  endpoints.post(TOKEN_PATH, { schema: tokenSchema(deps.config), validatorCompiler: documentedOnly, onRequest: [admit, refuseHeldQuota] }, async (request, reply) => {
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
    // 3. Parse.
    const params = singleValued(request.body);
    // 4. Authenticate the client.
    const client = await authenticateRequest(request, params, clientAuth);
    const context = quotaRequest(request, client);
    // 5. Quota: a client of the Basic header was checked before its body was read (2).
    const refusal = request.oauthClient ? undefined : await heldQuotaRefusal(deps, context);
    if (refusal) throw refusal;
    // 6. Grant: audience, scope, sign, claim the quota and audit.
    const grant = grantOf(grants, params);
    const response = await grant.handle({ ...context, params, deps });
    // 7. Respond.
    deps.metrics.tokenIssued(grant.grantType);
    request.log.info({ client_id: client.client_id, platform: client.platform_name }, 'access token issued');
    return response;
  }
}

/** The grant module of the request's grant_type (RFC 6749 §4.4.2; §5.2: invalid_request, unsupported_grant_type). */
function grantOf(grants: ReadonlyMap<string, Grant>, params: TokenParameters): Grant {
  const grantType = params.grant_type;
  if (!grantType) throw invalidRequest('grant_type is missing');
  const grant = grants.get(grantType);
  if (!grant) throw new OAuthError('unsupported_grant_type', `The grant type ${excerpt(grantType)} is not supported: use client_credentials`);
  return grant;
}
