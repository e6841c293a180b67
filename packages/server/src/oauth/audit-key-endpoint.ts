import type { FastifyInstance } from 'fastify';
import type { AuditKeys } from '../crypto/audit-signing-key.js';

/** Where the audit public key is published (issue 24), beside the token keys' JWKS. */
export const AUDIT_KEY_PATH = '/.well-known/tessera-audit-key';

/**
 * GET /.well-known/tessera-audit-key: the public key that verifies the signed audit checkpoints, one JWK
 * (RFC 7517 §4, RFC 8037 §2) whose `kid` (its RFC 7638 thumbprint) each checkpoint names. A verifier keeps
 * its own copy: a key fetched from the server at verification time proves nothing about a server that
 * was taken over. Made on first use, as `tessera audit checkpoint` would make it.
 */
export function auditKeyEndpoint(app: FastifyInstance, { deps }: { deps: { auditKeys: Pick<AuditKeys, 'signingKey'> } }): void {
  app.get(AUDIT_KEY_PATH, { schema: { hide: true } }, async (_request, reply) => {
    reply.header('Cache-Control', 'public, max-age=300');
    return (await deps.auditKeys.signingKey()).jwk;
  });
}
