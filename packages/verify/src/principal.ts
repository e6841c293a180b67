/** How the caller authenticated: an OAuth client's access token, or a platform's API key (Basic). */
export type CredentialKind = 'oauth_client' | 'api_key';

/**
 * Who is calling, as Tessera's forward-auth answer names it (its X-Tessera-* headers): the platform (the
 * tenant to scope every query by) and the credential it used.
 */
export interface TesseraPrincipal {
  /** The platform's name. */
  platform: string;
  platformId: string;
  credentialKind: CredentialKind;
  /** The OAuth client's id (cli_…) or the API key's id (key_…). */
  credentialId: string;
  /** The token's scopes (RFC 9068 §2.2.3); an API key holds `raas.all`. */
  scope: string[];
  /** The API the credential was accepted for: the verifier's audience. */
  audience: string;
  /** The access token's `jti`: tokens only. */
  tokenId?: string;
}

/** Reads one response header (node:http lower-cases the names). */
type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

function one(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The principal of a 2xx forward-auth answer, or the name of the header that is missing or wrong (so that
 * a Tessera too old for forward-auth, or a proxy answering in its place, is refused, not let through).
 */
export function principalFromHeaders(headers: HeaderBag): TesseraPrincipal | { missing: string } {
  const platform = one(headers, 'x-tessera-platform');
  if (!platform) return { missing: 'X-Tessera-Platform' };
  const platformId = one(headers, 'x-tessera-platform-id');
  if (!platformId) return { missing: 'X-Tessera-Platform-Id' };
  const credentialKind = one(headers, 'x-tessera-credential-kind');
  if (credentialKind !== 'oauth_client' && credentialKind !== 'api_key') return { missing: 'X-Tessera-Credential-Kind' };
  const credentialId = one(headers, 'x-tessera-credential-id');
  if (!credentialId) return { missing: 'X-Tessera-Credential-Id' };
  const audience = one(headers, 'x-tessera-audience');
  if (!audience) return { missing: 'X-Tessera-Audience' };
  const scope = (one(headers, 'x-tessera-scope') ?? '').split(' ').filter((s) => s !== '');
  const tokenId = one(headers, 'x-tessera-token-id');
  return { platform, platformId, credentialKind, credentialId, scope, audience, ...(tokenId ? { tokenId } : {}) };
}
