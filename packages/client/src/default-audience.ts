import { tangoPresetFor, TESSERA_API_PATH, TESSERA_TOKEN_PATH } from './presets.js';

/**
 * The audience a server grants when a token request carries none — what an omitted `audience`
 * means, so that a token asked for without one and a token asked for with this audience are one
 * stored token (the issuance quota allows one token per 20 hours, not one per spelling).
 *
 * - Tango's token endpoints: Tango's documented audience, `https://api.tangocard.com/` (the token
 *   manager then sends it, so the two requests are identical).
 * - A token URL ending in `/oauth/token` (Tessera): the same base with `/raas/v2`, Tessera's default
 *   audience (`TESSERA_PUBLIC_URL` + `/raas/v2`) — e.g. `https://t.example/raas/v2` for
 *   `https://t.example/oauth/token`.
 * - Anything else: `undefined` (nothing is assumed).
 *
 * @example
 * ```ts
 * defaultAudience('http://127.0.0.1:8080/oauth/token'); // 'http://127.0.0.1:8080/raas/v2'
 * defaultAudience(TANGO_SANDBOX.tokenUrl);               // 'https://api.tangocard.com/'
 * ```
 */
export function defaultAudience(tokenUrl: string | URL): string | undefined {
  const url = new URL(tokenUrl);
  const tango = tangoPresetFor(url);
  if (tango) return tango.audience;
  if (url.search !== '' || !url.pathname.endsWith(TESSERA_TOKEN_PATH)) return undefined;
  return `${url.origin}${url.pathname.slice(0, -TESSERA_TOKEN_PATH.length)}${TESSERA_API_PATH}`;
}

