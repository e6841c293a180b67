/**
 * How credentials arrive over HTTP, read the same way by the token endpoint (client_id:client_secret)
 * and the API guard (platformName:apiKey).
 */

/**
 * How many Authorization header lines a request carries. Node keeps only the first in
 * `request.headers`; the raw list shows them all. Authorization is not a list (RFC 9110 §11.6.2,
 * §5.3), so more than one is an error: a proxy and the server could each read a different one.
 */
export function authorizationHeaderCount(rawHeaders: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === 13 && name.toLowerCase() === 'authorization') count += 1;
  }
  return count;
}

/** RFC 7617 §2: Basic credentials are base64 (RFC 4648 §4, padded). */
export function isBasicBase64(encoded: string): boolean {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(encoded) && encoded.length % 4 === 0;
}

/**
 * The one Basic decoder: base64, then split at the first colon (RFC 7617 §2; the user-id holds no
 * colon). Undefined without a colon. The caller checks {@link isBasicBase64} first.
 */
export function decodeBasic(encoded: string): { userId: string; password: string } | undefined {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { userId: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
