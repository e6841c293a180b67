import type { FastifyInstance } from 'fastify';
import { CONSOLE_PATH, type Config } from '../config/config.js';
import { DEFAULT_SCOPE } from '../credentials/scopes.js';
import type { Grant } from './grants/grant.js';
import { INTROSPECTION_PATH, JWKS_PATH, METADATA_PATH, REVOCATION_PATH, TOKEN_PATH } from './paths.js';
import { metadataSchema } from './route-docs.js';

/** What the metadata says: the public URL (the issuer), whether the console is on, the grants the token endpoint serves. */
export interface MetadataDeps {
  config: Pick<Config, 'publicUrl' | 'console'>;
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
  };
  app.get(METADATA_PATH, { schema: metadataSchema(metadata) }, async (_request, reply) => {
    reply.header('Cache-Control', 'public, max-age=300');
    return metadata;
  });
}
