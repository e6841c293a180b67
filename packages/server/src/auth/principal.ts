import type { FastifyRequest } from 'fastify';
import type { AuditActor } from '../audit/record-audit.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the /raas/v2 guard before any protected handler runs. */
    principal: Principal | null;
  }
}

/** The credential a request authenticated with: an OAuth access token or a RaaS API key. */
export type CredentialUsed =
  | {
      type: 'oauth_client';
      clientId: string;
      tokenId: string;
      /** The token's `aud`: the API it was issued for (RFC 9068 §2.2). */
      audience: string;
      /** The token's scopes (RFC 9068 §2.2.3). */
      scopes: readonly string[];
    }
  | { type: 'api_key'; keyId: string };

/**
 * Who is calling: a platform (the tenant of every /raas/v2 call) and the credential it used. Bearer
 * tokens and Basic API keys yield the same shape, so the routes never care which scheme was used.
 */
export interface Principal {
  platformId: string;
  platformName: string;
  credential: CredentialUsed;
}

/** The id of the credential used: the client_id for a token, the key id for an API key. */
export function credentialId(principal: Principal): string {
  return principal.credential.type === 'oauth_client' ? principal.credential.clientId : principal.credential.keyId;
}

/** The platform the guard authenticated, for a route behind it: every query is scoped by it. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('A protected route ran without the guard');
  return request.principal;
}

/** The API credential that acted, for the audit log: the API key (key_…) or the OAuth client (cli_…). */
export function credentialActorOf(request: FastifyRequest): AuditActor {
  return { actor: credentialId(principalOf(request)), sourceAddress: request.ip, userAgent: request.headers['user-agent'] ?? null };
}
