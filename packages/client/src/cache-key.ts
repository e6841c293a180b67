import { createHash } from 'node:crypto';

/**
 * The scope requested when none is given: `raas.all`, Tango's only scope.
 *
 * @example
 * ```ts
 * const scope = process.env.TESSERA_SCOPE ?? DEFAULT_SCOPE;
 * ```
 */
export const DEFAULT_SCOPE = 'raas.all';

/**
 * The store key for a client's token: a SHA-256 digest of the token URL, client id, audience and
 * scope, so that tokens of different clients, servers or audiences never mix, and the key reveals
 * none of them. The client secret is not part of it (rotating the secret keeps the token).
 * {@link TokenManager} passes the server's default audience ({@link defaultAudience}) when none is
 * set, so that an omitted audience and the default one name the same token.
 *
 * @example
 * ```ts
 * const key = tokenCacheKey({ tokenUrl: 'http://127.0.0.1:3000/oauth/token', clientId: 'cli_123', scope: 'raas.all' });
 * // 'token:' + 64 hex digits
 * ```
 */
export function tokenCacheKey(parts: {
  tokenUrl: string;
  clientId: string;
  audience?: string | undefined;
  scope?: string | undefined;
}): string {
  const material = JSON.stringify(['tessera-token/v1', parts.tokenUrl, parts.clientId, parts.audience ?? null, parts.scope ?? DEFAULT_SCOPE]);
  return `token:${createHash('sha256').update(material).digest('hex')}`;
}
