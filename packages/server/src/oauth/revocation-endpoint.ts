import type { FastifyInstance } from 'fastify';
import type { Cache } from '../cache/cache.js';
import { announceCredentialChange } from '../credentials/credential-events.js';
import type { RevokedTokenStore } from '../store/revoked-tokens.js';
import { CLOCK_TOLERANCE_SECONDS } from '../tokens/access-token.js';
import { activeTokenClaims, type TokenStatusDeps, type TokenVerificationDeps } from '../tokens/live-token.js';
import { admission, authenticateRequest, type ClientAuthDeps } from './authenticate-request.js';
import { invalidRequest, OAuthError } from './oauth-error.js';
import { REVOCATION_PATH } from './paths.js';
import { documentedOnly, revocationSchema } from './route-docs.js';
import { singleValued } from './token-parameters.js';

/** What revocation uses: token verification and status, the revocation list, the announcements to every instance, the clock. */
export interface RevocationDeps extends TokenVerificationDeps, TokenStatusDeps {
  revokedTokens: Pick<RevokedTokenStore, 'isRevoked' | 'revoke' | 'purgeExpired'>;
  cache: Pick<Cache, 'publish'>;
  now: () => number;
}

/**
 * POST /oauth/revoke (RFC 7009 §2.1): the client authenticates, and may revoke only its own tokens
 * (another client's is unauthorized_client, §2.1). An unknown or invalid token is not an error (§2.2).
 */
export function revocationEndpoint(endpoints: FastifyInstance, { deps, clientAuth }: { deps: RevocationDeps; clientAuth: ClientAuthDeps }): void {
  const admit = admission(clientAuth);
  endpoints.post(REVOCATION_PATH, { schema: revocationSchema, validatorCompiler: documentedOnly, onRequest: admit }, async (request, reply) => {
    const params = singleValued(request.body);
    const client = await authenticateRequest(request, params, clientAuth);
    if (!params.token) throw invalidRequest('token is missing');
    // token_type_hint is only a hint: an unknown one is ignored (RFC 7009 §2.1).
    const claims = await activeTokenClaims(deps, params.token);
    if (claims && claims.client_id !== client.client_id) {
      throw new OAuthError('unauthorized_client', 'The token was not issued to this client');
    }
    if (claims) {
      await deps.revokedTokens.revoke(claims.jti, claims.client_id, claims.exp * 1000);
      // A revocation outlives its token by no more than the leeway: the list stays as short as the
      // revocations of one token lifetime, with no background job.
      await deps.revokedTokens.purgeExpired(deps.now() - CLOCK_TOLERANCE_SECONDS * 1000);
      // Every instance's API guard forgets the token at once, not at its next status re-check.
      await announceCredentialChange(deps.cache, { type: 'token', id: claims.jti });
    }
    return reply.code(200).send();
  });
}
