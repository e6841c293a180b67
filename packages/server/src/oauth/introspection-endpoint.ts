import type { FastifyInstance } from 'fastify';
import { activeTokenClaims, type TokenStatusDeps, type TokenVerificationDeps } from '../tokens/live-token.js';
import { admission, authenticateRequest, type ClientAuthDeps } from './authenticate-request.js';
import { invalidRequest } from './oauth-error.js';
import { INTROSPECTION_PATH } from './paths.js';
import { documentedOnly, introspectionSchema } from './route-docs.js';
import { singleValued } from './token-parameters.js';

/** What introspection uses: token verification and the token's live status (the store, not the client cache). */
export type IntrospectionDeps = TokenVerificationDeps & TokenStatusDeps;

/**
 * POST /oauth/introspect (RFC 7662 §2): the client authenticates (§2.1, as at the token endpoint); it
 * learns only about its own tokens, and any other token, invalid, expired or revoked, is `{active:false}`
 * (§2.2).
 */
export function introspectionEndpoint(endpoints: FastifyInstance, { deps, clientAuth }: { deps: IntrospectionDeps; clientAuth: ClientAuthDeps }): void {
  const admit = admission(clientAuth);
  endpoints.post(INTROSPECTION_PATH, { schema: introspectionSchema, validatorCompiler: documentedOnly, onRequest: admit }, async (request) => {
    const params = singleValued(request.body);
    const client = await authenticateRequest(request, params, clientAuth);
    if (!params.token) throw invalidRequest('token is missing');
    const claims = await activeTokenClaims(deps, params.token, client.client_id);
    if (!claims) return { active: false };
    return { active: true, token_type: 'Bearer', ...claims };
  });
}
