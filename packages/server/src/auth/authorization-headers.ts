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
