import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { logAtMostEvery } from '../log/log-at-most-every.js';
import type { Metrics } from '../metrics/metrics.js';
import { admission, authenticateRequest, type ClientAuthDeps } from './authenticate-request.js';
import type { AuthenticatedClient } from './client-auth.js';
import { claimClientLimits, clientLimitStanding, type ClientLimitDeps } from './client-limits.js';
import type { Grant, GrantDeps, TokenResponse } from './grants/grant.js';
import { sendRefusal } from './oauth-error-handler.js';
import { excerpt, invalidRequest, OAuthError } from './oauth-error.js';
import { TOKEN_PATH } from './paths.js';
import type { QuotaRequest } from './quota.js';
import { addRateLimits, rateLimitHeaders, type ServiceLimit } from './ratelimit-headers.js';
import { documentedOnly, tokenSchema } from './route-docs.js';
import { checkTokenPolicy, limitsAfterGrant, type TokenPolicyDeps } from './token-policy.js';
import { singleValued, type TokenParameters } from './token-parameters.js';

/** What the token endpoint uses: its grants and what they use (the client cache as `oauthClients`), the metrics. */
export interface TokenEndpointDeps extends GrantDeps {
  config: GrantDeps['config'] & TokenPolicyDeps['config'] & ClientLimitDeps['config'];
  cache: GrantDeps['cache'] & ClientLimitDeps['cache'];
  grants: readonly Grant[];
  metrics: Pick<Metrics, 'tokenIssued' | 'quotaRefused' | 'tokenRefused' | 'tokenLimitObserved'>;
}

/**
 * POST /oauth/token: the client credentials grant (RFC 6749 §4.4), step by step in the order they run.
 *
 * Before the body is read, so that the answers a misbehaving fleet asks for thousands of times a second
 * cost no body, no parse and no signature (issues 12 and 13):
 *  1. admit: an address that failed too often gets 429 (issue 12), and the client of a Basic header
 *     (§2.3.1) authenticates — the client authenticates first (§3.2.1) — in {@link admitRequest};
 *  2. policy: the token policy in force (token-policy.ts) — the quota, where the client's row holds its
 *     one token of the interval (quota.ts), or the rate, where the client has made its requests of the
 *     second (token-rate.ts) — refuses the client, or says where it stands.
 * Once the body is read ({@link token}):
 *  3. parse: a form (§4.4.2) or a JSON object, each parameter at most once (§3.1, §3.2), routes.ts's parsers;
 *  4. authenticate the client: the body's credentials (§2.3.1), or the header's checked against the body (§2.3);
 *  5. policy, for a client of the body; then the client's own token limits per hour and per day
 *     (client-limits.ts), which count this token before it is signed and give the count back if the grant fails;
 *  6. grant: the grant type (§4.4.2; unsupported_grant_type, §5.2) picks the grant module, which checks
 *     the audience (RFC 8707 §2) and the scope (§3.3), signs (RFC 9068), then claims the quota and writes
 *     the token_issued audit entry in one write (grants/client-credentials.ts);
 *  7. respond (§5.1): counted, logged, never cached (no-store, routes.ts).
 * Every refusal is an {@link OAuthError}, answered with the §5.2 body. Every answer to an authenticated
 * client, granted or refused, carries the RateLimit-Policy and RateLimit fields of the policy in force and
 * of the client's limits (ratelimit-headers.ts); a request whose client is unknown has no partition to
 * report, and gets none.
 */
export function tokenEndpoint(endpoints: FastifyInstance, { deps, clientAuth }: { deps: TokenEndpointDeps; clientAuth: ClientAuthDeps }): void {
  const grants = new Map(deps.grants.map((grant) => [grant.grantType, grant]));
  // With Redis away every refusal would fail to be recorded: said once a minute, not once a request.
  const onAuditError = logAtMostEvery(60_000, (error: unknown) => endpoints.log.warn({ err: error }, 'a token refusal (quota or rate) was not recorded in the audit log'), deps.now);
  const onRateCacheError = logAtMostEvery(60_000, (error: unknown) => endpoints.log.warn({ err: error }, 'token rate unavailable: letting requests through uncounted'), deps.now);
  const onLimitCacheError = logAtMostEvery(60_000, (error: unknown) => endpoints.log.warn({ err: error }, 'client token limits unavailable: issuing tokens uncounted'), deps.now);
  // The policy's standing of a client of the Basic header, told before its body was read (2), for the answer (7).
  const policyLimitsOf = new WeakMap<FastifyRequest, readonly ServiceLimit[]>();
  // A refusal by the policy, with the client's standing in its own limits, which this request did not count.
  const withLimitStanding = async (refusal: OAuthError, client: AuthenticatedClient): Promise<OAuthError> => {
    addRateLimits(refusal.headers, await clientLimitStanding(deps, client, onLimitCacheError));
    return refusal;
  };
  const quotaRequest = (request: FastifyRequest, client: AuthenticatedClient): QuotaRequest => ({
    client,
    origin: { sourceAddress: request.ip, userAgent: request.headers['user-agent'] ?? null },
    onAuditError,
  });

  // 1. Admit.
  const admit = admission(clientAuth);
  // 2. Policy, for the client of the Basic header: told as soon as it has authenticated, before its
  // parameters are checked or its body is read — a client over its quota or rate gets no token whatever it asks.
  const checkPolicy = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.oauthClient) return;
    const checked = await checkTokenPolicy(deps, quotaRequest(request, request.oauthClient), onRateCacheError);
    if (checked.refusal) return sendRefusal(await withLimitStanding(checked.refusal, request.oauthClient), request.log, reply);
    policyLimitsOf.set(request, checked.limits);
    reply.headers(rateLimitHeaders(checked.limits));
  };

  endpoints.post(TOKEN_PATH, { schema: tokenSchema(deps.config), validatorCompiler: documentedOnly, onRequest: [admit, checkPolicy] }, async (request, reply) => {
    try {
      return await token(request, reply);
    } catch (error) {
      // The refusals a misbehaving fleet sends thousands of a second (the quota, a wrong secret) are
      // answered here rather than through Fastify's error path, which costs more (issue 13's profile).
      if (error instanceof OAuthError) return sendRefusal(error, request.log, reply);
      throw error;
    }
  });

  async function token(request: FastifyRequest, reply: FastifyReply): Promise<TokenResponse> {
    // 3. Parse.
    const params = singleValued(request.body);
    // 4. Authenticate the client.
    const client = await authenticateRequest(request, params, clientAuth);
    const context = quotaRequest(request, client);
    // 5. Policy: a client of the Basic header was checked before its body was read (2). Its refusal
    // carries its own RateLimit fields; otherwise the client's standing goes on whatever this request is
    // answered, set once in `finally` as it stands when the request ends.
    let policyLimits = policyLimitsOf.get(request) ?? [];
    if (!request.oauthClient) {
      const checked = await checkTokenPolicy(deps, context, onRateCacheError);
      if (checked.refusal) throw await withLimitStanding(checked.refusal, client);
      policyLimits = checked.limits;
    }
    let standing: readonly ServiceLimit[] = policyLimits;
    try {
      const grant = grantOf(grants, params);
      // The client's own limits: this token counted (hit, then check), or refused before it is signed.
      const limited = await claimClientLimits(deps, context, policyLimits, onLimitCacheError);
      if (limited.refusal) throw limited.refusal;
      standing = [...policyLimits, ...limited.limits];
      // 6. Grant: audience, scope, sign, claim the quota and audit.
      let response: TokenResponse;
      try {
        response = await grant.handle({ ...context, params, deps });
      } catch (error) {
        // No token: its count is given back, and the answer says so (a quota refusal's own fields included).
        await limited.release();
        const givenBack = limited.limits.map((limit) => ({ ...limit, remaining: Math.min(limit.quota, limit.remaining + 1) }));
        standing = [...policyLimits, ...givenBack];
        if (error instanceof OAuthError && 'RateLimit' in error.headers) addRateLimits(error.headers, givenBack);
        throw error;
      }
      // 7. Respond.
      standing = [...(limitsAfterGrant(deps.config) ?? policyLimits), ...limited.limits];
      deps.metrics.tokenIssued(grant.grantType);
      request.log.info({ client_id: client.client_id, platform: client.platform_name }, 'access token issued');
      return response;
    } finally {
      reply.headers(rateLimitHeaders(standing));
    }
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
