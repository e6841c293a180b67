/**
 * Connection settings for a known authorization server: spread one into
 * {@link TokenManagerOptions} and add your client id and secret.
 *
 * @example
 * ```ts
 * const preset: AuthPreset = tangoPresets.sandbox;
 * console.log(preset.tokenUrl, preset.apiBaseUrl);
 * ```
 */
export interface AuthPreset {
  /** The OAuth 2.0 token endpoint. */
  readonly tokenUrl: string;
  /** The `audience` form parameter the server expects, if any. */
  readonly audience?: string;
  /** The `scope` form parameter. */
  readonly scope: string;
  /** Base URL of the protected RaaS API (for your own requests). */
  readonly apiBaseUrl: string;
  /** The origins {@link TokenManager.fetch} may send the token to: the API's. */
  readonly apiOrigins: readonly string[];
}

/**
 * Tango's sandbox, as Tango documents it: token endpoint `https://sandbox-auth.tangocard.com/oauth/token`,
 * audience `https://api.tangocard.com/`, scope `raas.all`, API `https://integration-api.tangocard.com/raas/v2`
 * (the one origin the token is sent to).
 *
 * @example
 * ```ts
 * import { TANGO_SANDBOX, TokenManager, RedisTokenStore } from '@tessera/client';
 *
 * const tokens = new TokenManager({
 *   ...TANGO_SANDBOX,
 *   clientId: process.env.TANGO_CLIENT_ID!,
 *   clientSecret: process.env.TANGO_CLIENT_SECRET!,
 *   store: new RedisTokenStore({ url: process.env.REDIS_URL! }),
 * });
 * const res = await tokens.fetch(`${TANGO_SANDBOX.apiBaseUrl}/catalogs`);
 * ```
 */
export const TANGO_SANDBOX: AuthPreset = Object.freeze({
  tokenUrl: 'https://sandbox-auth.tangocard.com/oauth/token',
  audience: 'https://api.tangocard.com/',
  scope: 'raas.all',
  apiBaseUrl: 'https://integration-api.tangocard.com/raas/v2',
  apiOrigins: Object.freeze(['https://integration-api.tangocard.com']),
});

/**
 * Tango's production environment, as Tango documents it: token endpoint
 * `https://auth.tangocard.com/oauth/token`, audience `https://api.tangocard.com/`, scope `raas.all`,
 * API `https://api.tangocard.com/raas/v2` (the one origin the token is sent to).
 *
 * @example
 * ```ts
 * import { TANGO_PRODUCTION, TokenManager, RedisTokenStore } from '@tessera/client';
 *
 * const tokens = new TokenManager({
 *   ...TANGO_PRODUCTION,
 *   clientId: process.env.TANGO_CLIENT_ID!,
 *   clientSecret: process.env.TANGO_CLIENT_SECRET!,
 *   store: new RedisTokenStore({ url: process.env.REDIS_URL! }),
 * });
 * ```
 */
export const TANGO_PRODUCTION: AuthPreset = Object.freeze({
  tokenUrl: 'https://auth.tangocard.com/oauth/token',
  audience: 'https://api.tangocard.com/',
  scope: 'raas.all',
  apiBaseUrl: 'https://api.tangocard.com/raas/v2',
  apiOrigins: Object.freeze(['https://api.tangocard.com']),
});

/**
 * Tango's environments by name, e.g. for a `--tango sandbox` command-line flag.
 *
 * @example
 * ```ts
 * const env = process.env.TANGO_ENV === 'production' ? 'production' : 'sandbox';
 * const { tokenUrl, audience } = tangoPresets[env];
 * ```
 */
export const tangoPresets: Readonly<Record<'sandbox' | 'production', AuthPreset>> = Object.freeze({
  sandbox: TANGO_SANDBOX,
  production: TANGO_PRODUCTION,
});

/** Tessera's token endpoint path, and its API's, both under the server's base URL. */
export const TESSERA_TOKEN_PATH = '/oauth/token';
export const TESSERA_API_PATH = '/raas/v2';

/**
 * Settings for a Tessera server at `baseUrl` (token endpoint `/oauth/token`, API `/raas/v2`).
 * Tessera accepts Tango's token request, so pass Tango's `audience` too when your server expects it.
 *
 * @example
 * ```ts
 * const tokens = new TokenManager({
 *   ...tesseraPreset('http://127.0.0.1:3000'),
 *   clientId: process.env.TESSERA_CLIENT_ID!,
 *   clientSecret: process.env.TESSERA_CLIENT_SECRET!,
 * });
 * ```
 */
export function tesseraPreset(baseUrl: string | URL, options: { audience?: string; scope?: string } = {}): AuthPreset {
  const base = String(baseUrl).replace(/\/+$/, '');
  return Object.freeze({
    tokenUrl: `${base}${TESSERA_TOKEN_PATH}`,
    ...(options.audience !== undefined ? { audience: options.audience } : {}),
    scope: options.scope ?? 'raas.all',
    apiBaseUrl: `${base}${TESSERA_API_PATH}`,
    apiOrigins: Object.freeze([new URL(base).origin]),
  });
}

/** The Tango preset whose token endpoint is `tokenUrl`, if any: its documented defaults then apply. */
export function tangoPresetFor(tokenUrl: string | URL): AuthPreset | undefined {
  const href = new URL(tokenUrl).href;
  return Object.values(tangoPresets).find((preset) => preset.tokenUrl === href);
}
