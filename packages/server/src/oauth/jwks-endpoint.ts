import type { FastifyInstance } from 'fastify';
import type { KeyRing } from '../tokens/key-ring.js';
import { JWKS_PATH } from './paths.js';
import { jwksSchema } from './route-docs.js';

/**
 * GET /.well-known/jwks.json: the public keys that verify the access tokens (RFC 7517 §5), the key ring's
 * published ones, so that a resource server can verify a token offline (RFC 9068 §4). Cached a minute:
 * a new key is published two refresh intervals before it signs (tokens/key-ring.ts).
 */
export function jwksEndpoint(app: FastifyInstance, { deps }: { deps: { signingKeys: Pick<KeyRing, 'jwks'> } }): void {
  app.get(JWKS_PATH, { schema: jwksSchema }, async (_request, reply) => {
    reply.header('Cache-Control', 'public, max-age=60');
    return deps.signingKeys.jwks();
  });
}
