import { InvalidArgumentError } from './errors.js';

/**
 * The `Authorization` header value for RaaS API key (HTTP Basic, RFC 7617) authentication:
 * `Basic base64(platformName:apiKey)`, UTF-8 encoded.
 *
 * @param platformName - The platform name from the portal. It may not contain `:` (RFC 7617 §2).
 * @param apiKey - One of the platform's active API keys.
 * @throws {@link InvalidArgumentError} if `platformName` contains `:` or either value is empty.
 *
 * @example
 * ```ts
 * import { basicAuthorization } from '@tessera/client';
 *
 * const res = await fetch('http://127.0.0.1:3000/raas/v2/customers', {
 *   headers: { Authorization: basicAuthorization('acme', process.env.TESSERA_API_KEY!) },
 * });
 * ```
 */
export function basicAuthorization(platformName: string, apiKey: string): string {
  if (typeof platformName !== 'string' || platformName.length === 0) {
    throw new InvalidArgumentError('platformName must be a non-empty string');
  }
  if (platformName.includes(':')) {
    throw new InvalidArgumentError("platformName may not contain ':' (RFC 7617 §2: the user-id ends at the first colon)");
  }
  if (typeof apiKey !== 'string' || apiKey.length === 0) {
    throw new InvalidArgumentError('apiKey must be a non-empty string');
  }
  return `Basic ${Buffer.from(`${platformName}:${apiKey}`, 'utf8').toString('base64')}`;
}
