import type { FastifyInstance } from 'fastify';
import { CONSOLE_PATH, type Config } from '../config/config.js';
import { tokenPolicyInForce } from '../config/token-policy-in-force.js';
import { DEFAULT_SCOPE } from '../credentials/scopes.js';
import type { Grant } from './grants/grant.js';
import { INTROSPECTION_PATH, JWKS_PATH, METADATA_PATH, REVOCATION_PATH, TOKEN_PATH } from './paths.js';
import { metadataSchema } from './route-docs.js';

/** What the metadata says: the public URL (the issuer), whether the console is on, the grants the token endpoint serves. */
export interface MetadataDeps {
  config: Pick<Config, 'publicUrl' | 'console'> & Parameters<typeof tokenPolicyMetadata>[0];
  grants: readonly Pick<Grant, 'grantType'>[];
}

/** GET /.well-known/oauth-authorization-server: the authorization server's metadata (RFC 8414 §2, §3.2), from the configuration only. */
export function metadataEndpoint(app: FastifyInstance, { deps }: { deps: MetadataDeps }): void {
  const base = deps.config.publicUrl;
  const authMethods = ['client_secret_basic', 'client_secret_post'];
  const metadata = {
    issuer: base,
    token_endpoint: base + TOKEN_PATH,
    jwks_uri: base + JWKS_PATH,
    introspection_endpoint: base + INTROSPECTION_PATH,
    revocation_endpoint: base + REVOCATION_PATH,
    grant_types_supported: deps.grants.map((grant) => grant.grantType),
    response_types_supported: [],
    scopes_supported: [DEFAULT_SCOPE],
    token_endpoint_auth_methods_supported: authMethods,
    introspection_endpoint_auth_methods_supported: authMethods,
    revocation_endpoint_auth_methods_supported: authMethods,
    // RFC 8414 §2: where a developer reads how to use the server, and tries it.
    ...(deps.config.console ? { service_documentation: base + CONSOLE_PATH } : {}),
    // RFC 8414 §2 lets a server add members of its own: the token policy in force (issue 22), so a client
    // can pace itself before its first request; each answer then carries the RateLimit fields.
    tessera_token_policy: tokenPolicyMetadata(deps.config),
  };
  app.get(METADATA_PATH, { schema: metadataSchema(metadata) }, async (_request, reply) => {
    reply.header('Cache-Control', 'public, max-age=300');
    return metadata;
  });
}

/**
 * The token policy in force as the metadata tells it: the rate per second, or the quota of tokens per
 * interval; and the per-client limits (issue 22) that may apply on top of it, in the windows named — a
 * client's own, which only its RateLimit fields tell, or the default one for every client, told here.
 */
export function tokenPolicyMetadata(
  config: Parameters<typeof tokenPolicyInForce>[0] & Pick<Config, 'clientTokensPerHour' | 'clientTokensPerDay' | 'clientTokenLimitMode'>,
) {
  // The one reading of the policy (config/token-policy-in-force.ts), the portal's too; here in RFC 8414's snake_case.
  const inForce = tokenPolicyInForce(config);
  const policy =
    inForce.policy === 'rate'
      ? { policy: 'rate' as const, requests_per_second: inForce.requestsPerSecond }
      : { policy: 'quota' as const, tokens_per_interval: 1, interval_seconds: inForce.intervalSeconds };
  const hasDefault = config.clientTokensPerHour !== undefined || config.clientTokensPerDay !== undefined;
  return {
    ...policy,
    client_limits: {
      windows: ['hour', 'day'],
      default: hasDefault
        ? { tokens_per_hour: config.clientTokensPerHour ?? null, tokens_per_day: config.clientTokensPerDay ?? null, mode: config.clientTokenLimitMode }
        : null,
    },
  };
}
