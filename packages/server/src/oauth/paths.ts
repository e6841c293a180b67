/**
 * Where the authorization server answers: its endpoints' paths, apart from their handlers so that the
 * console's OpenAPI document and the server metadata (RFC 8414 §2) name them without importing the routes.
 */
export const TOKEN_PATH = '/oauth/token';
export const INTROSPECTION_PATH = '/oauth/introspect';
export const REVOCATION_PATH = '/oauth/revoke';
export const JWKS_PATH = '/.well-known/jwks.json';
/** RFC 8414 §3: the authorization server's metadata. */
export const METADATA_PATH = '/.well-known/oauth-authorization-server';
