import { DEFAULT_SCOPE, tokenCacheKey } from './cache-key.js';
import { defaultAudience } from './default-audience.js';
import { InvalidArgumentError } from './errors.js';
import { MemoryTokenStore } from './memory-token-store.js';
import { tangoPresetFor } from './presets.js';
import type { TokenRequestParams } from './token-request.js';
import type { TokenRecord, TokenStore } from './token-store.js';

/**
 * Where the token manager reports trouble it works around (store outages, a failed refresh while
 * the current token is still valid). Messages never contain a token or the client secret.
 *
 * @example
 * ```ts
 * const logger: TokenManagerLogger = { warn: (message) => pinoLogger.warn(message) };
 * ```
 */
export interface TokenManagerLogger {
  warn(message: string): void;
}

/**
 * Options of {@link TokenManager}.
 *
 * @example
 * ```ts
 * const options: TokenManagerOptions = {
 *   tokenUrl: 'http://127.0.0.1:3000/oauth/token',
 *   clientId: 'cli_…',
 *   clientSecret: process.env.TESSERA_CLIENT_SECRET!,
 *   store: new FileTokenStore({ path: './.tessera-token.json' }),
 * };
 * ```
 */
export interface TokenManagerOptions {
  /** The OAuth 2.0 token endpoint, e.g. `https://tessera.example.com/oauth/token`. */
  tokenUrl: string;
  clientId: string;
  /** Sent to the token endpoint only; never stored, logged or put in an error. */
  clientSecret: string;
  /**
   * The `audience` form parameter. When not set it is left out of the request (except on Tango's
   * token endpoints, where Tango's documented audience is sent), and the token is stored as the
   * server's default audience's (see `defaultAudience`): a manager without `audience` and one with
   * the default audience share one token.
   */
  audience?: string;
  /**
   * The audience the server grants when a request carries none, e.g. Tessera's `TESSERA_AUDIENCE`
   * when it is set. Only used to name the stored token of a manager without `audience`.
   * Default {@link defaultAudience}(tokenUrl): for Tessera the token URL's base + `/raas/v2`.
   */
  defaultAudience?: string;
  /** The `scope` form parameter. Default `raas.all`. */
  scope?: string;
  /**
   * The origins (`https://host[:port]`) {@link TokenManager.fetch} sends the token to; any other URL,
   * or a redirect to one, is refused with {@link OriginNotAllowedError} and nothing is sent there.
   * Default: the token endpoint's origin (Tessera serves its API there); on Tango's token endpoints,
   * the preset's API origin. The presets set it.
   */
  apiOrigins?: readonly string[];
  /** Where the token is shared with other processes. Default: a new {@link MemoryTokenStore} (this process only). */
  store?: TokenStore;
  /**
   * Renew when the token expires within this many ms. Default 4 hours (Tango's refresh window:
   * with 24-hour tokens and one token per 20 hours, renewal starts exactly when the quota allows it).
   * Capped at half the token's lifetime for servers that issue short-lived tokens.
   */
  refreshWindowMs?: number;
  /**
   * The clock, in epoch ms: the manager's only one. Expiry is `arrival + expires_in` on it, and so are
   * the back-offs and the bounded waits (`waitTimeoutMs`, `storeRetryMs`); a wait on a frozen clock
   * still ends after that much real sleeping. Default `Date.now`.
   */
  now?: () => number;
  /** Default `console`. */
  logger?: TokenManagerLogger;
  /** The fetch implementation for token requests and {@link TokenManager.fetch}. Default the global `fetch`. */
  fetch?: typeof globalThis.fetch;
  /** A token request without an answer after this long fails with `network_error`. Default 10 000 ms. */
  requestTimeoutMs?: number;
  /** A process with no valid token waits at most this long for another process's refresh. Default 30 000 ms. */
  waitTimeoutMs?: number;
  /**
   * A process with no valid token retries a failing store for this long before it asks the token
   * endpoint directly (so a Redis failover or a slow start does not spend the quota). Default 3 000 ms.
   */
  storeRetryMs?: number;
  /** How long the fleet-wide refresh lock lives if its holder dies. Default `requestTimeoutMs + 10 000`. */
  lockTtlMs?: number;
  /**
   * The server's issuance quota window. While the store is unavailable, a process asks for at most
   * one token per window. Default 20 hours (Tango's and Tessera's quota); 0 disables the guard.
   */
  quotaWindowMs?: number;
  /**
   * While this process holds a valid token, it reads the store this often (in the background, never on
   * the `getToken` path) and puts its token back (compare-and-set) if the store lost it — e.g. after a
   * Redis `FLUSHALL` without a disconnect — or holds an older one, so that a new process does not ask
   * the server for one. Default 30 000 ms; 0 disables the check.
   */
  storeCheckIntervalMs?: number;
  /**
   * After the server refused a token (quota, `Retry-After` of up to 20 hours), how often one process
   * of the fleet that has no valid token left asks again anyway: an administrator may have reset the
   * quota (`tessera client reset-quota`). While a valid token is left the server's `Retry-After` is
   * kept. Default 900 000 ms (15 minutes); 0 keeps every refusal for its whole `Retry-After`.
   * {@link TokenManager.clearRefusal} asks at once.
   */
  refusalRecheckIntervalMs?: number;
}

/**
 * A token and what is known about it, as returned by {@link TokenManager.getTokenInfo}.
 *
 * @example
 * ```ts
 * const info: AccessTokenInfo = await tokens.getTokenInfo();
 * console.log(`expires at ${new Date(info.expiresAt).toISOString()}`);
 * ```
 */
export type AccessTokenInfo = TokenRecord;

const HOUR = 3_600_000;
const DEFAULTS = {
  scope: DEFAULT_SCOPE,
  refreshWindowMs: 4 * HOUR,
  requestTimeoutMs: 10_000,
  waitTimeoutMs: 30_000,
  storeRetryMs: 3_000,
  quotaWindowMs: 20 * HOUR,
  storeCheckIntervalMs: 30_000,
  refusalRecheckIntervalMs: 15 * 60_000,
};
// setInterval fires at once for delays above 2^31 - 1 ms.
const MAX_TIMER_MS = 2_147_483_647;

/** {@link TokenManagerOptions} checked, with their defaults filled in, and the store keys they give. */
export interface ManagerSettings {
  /** The store key of this client's token (see {@link tokenCacheKey}). */
  key: string;
  /** The key an omitted audience had before it counted as the default one, or `null`. */
  legacyKey: string | null;
  /** Where the fleet records when the server's refusal is next re-checked (a `retryAt` of its own). */
  recheckKey: string;
  /** The token request, all but `redact` (which needs the current token). */
  request: Omit<TokenRequestParams, 'redact'>;
  apiOrigins: ReadonlySet<string>;
  store: TokenStore;
  now: () => number;
  logger: TokenManagerLogger;
  refreshWindowMs: number;
  waitTimeoutMs: number;
  storeRetryMs: number;
  lockTtlMs: number;
  quotaWindowMs: number;
  storeCheckIntervalMs: number;
  refusalRecheckIntervalMs: number;
}

/** Checks `options` (throwing {@link InvalidArgumentError}) and fills in the defaults. */
export function resolveOptions(options: TokenManagerOptions): ManagerSettings {
  if (!options || typeof options !== 'object') throw new InvalidArgumentError('TokenManager needs options');
  const tokenUrl = checkUrl(options.tokenUrl);
  const clientId = nonEmpty(options.clientId, 'clientId');
  const clientSecret = nonEmpty(options.clientSecret, 'clientSecret');
  const audience = options.audience === undefined ? undefined : nonEmpty(options.audience, 'audience');
  const assumed = options.defaultAudience === undefined ? defaultAudience(tokenUrl) : nonEmpty(options.defaultAudience, 'defaultAudience');
  const tango = tangoPresetFor(tokenUrl);
  const apiOrigins = checkOrigins(options.apiOrigins ?? tango?.apiOrigins ?? [new URL(tokenUrl).origin]);
  const scope = options.scope === undefined ? DEFAULTS.scope : nonEmpty(options.scope, 'scope');
  const store = options.store ?? new MemoryTokenStore();
  const refreshWindowMs = duration(options.refreshWindowMs, DEFAULTS.refreshWindowMs, 'refreshWindowMs', true);
  const now = options.now ?? Date.now;
  const logger = options.logger ?? console;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') throw new InvalidArgumentError('No fetch implementation: pass options.fetch');
  const requestTimeoutMs = duration(options.requestTimeoutMs, DEFAULTS.requestTimeoutMs, 'requestTimeoutMs', false);
  const waitTimeoutMs = duration(options.waitTimeoutMs, DEFAULTS.waitTimeoutMs, 'waitTimeoutMs', true);
  const storeRetryMs = duration(options.storeRetryMs, DEFAULTS.storeRetryMs, 'storeRetryMs', true);
  const lockTtlMs = duration(options.lockTtlMs, requestTimeoutMs + 10_000, 'lockTtlMs', false);
  const quotaWindowMs = duration(options.quotaWindowMs, DEFAULTS.quotaWindowMs, 'quotaWindowMs', true);
  const storeCheckIntervalMs = Math.min(
    duration(options.storeCheckIntervalMs, DEFAULTS.storeCheckIntervalMs, 'storeCheckIntervalMs', true),
    MAX_TIMER_MS,
  );
  // The server grants the same token to "no audience" and to its default audience: one key for both,
  // so that a CLI run with --audience and a service without it do not each spend the quota.
  const keyParts = { tokenUrl, clientId, scope };
  const key = tokenCacheKey({ ...keyParts, audience: audience ?? assumed });
  const refusalRecheckIntervalMs = duration(
    options.refusalRecheckIntervalMs,
    DEFAULTS.refusalRecheckIntervalMs,
    'refusalRecheckIntervalMs',
    true,
  );
  // Earlier versions stored an omitted audience under its own key: still read it, so that upgrading
  // a fleet adopts the token it holds instead of asking for one inside the quota window.
  const legacyKey = tokenCacheKey({ ...keyParts, audience: undefined });
  return {
    key,
    legacyKey: audience === undefined && legacyKey !== key ? legacyKey : null,
    recheckKey: `${key}:recheck`,
    request: {
      tokenUrl,
      clientId,
      clientSecret,
      // Tango documents the audience as part of its token request: send Tango's rather than rely on a
      // default. `defaultAudience` only names the stored token and is never sent.
      audience: audience ?? tango?.audience,
      scope,
      fetch: fetchImpl,
      timeoutMs: requestTimeoutMs,
      now,
    },
    apiOrigins,
    store,
    now,
    logger,
    refreshWindowMs,
    waitTimeoutMs,
    storeRetryMs,
    lockTtlMs,
    quotaWindowMs,
    storeCheckIntervalMs,
    refusalRecheckIntervalMs,
  };
}

function checkOrigins(value: unknown): ReadonlySet<string> {
  if (!Array.isArray(value) || value.length === 0) throw new InvalidArgumentError('apiOrigins must list at least one origin');
  const origins = new Set<string>();
  for (const item of value) {
    let url: URL | null = null;
    try {
      url = typeof item === 'string' ? new URL(item) : null;
    } catch {
      url = null;
    }
    // An origin only: a path would suggest a restriction that is not made (RFC 6454 §4).
    const originOnly = url && url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
    if (!url || !originOnly || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      throw new InvalidArgumentError(`apiOrigins entries must be origins such as https://api.example.com, not ${JSON.stringify(item)}`);
    }
    origins.add(url.origin);
  }
  return origins;
}

function checkUrl(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw new InvalidArgumentError('tokenUrl is required');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('tokenUrl must be an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InvalidArgumentError('tokenUrl must be an http(s) URL');
  return value;
}

function nonEmpty(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new InvalidArgumentError(`${name} must be a non-empty string`);
  return value;
}

function duration(value: number | undefined, fallback: number, name: string, zeroOk: boolean): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!zeroOk && value === 0)) {
    throw new InvalidArgumentError(`${name} must be a ${zeroOk ? 'non-negative' : 'positive'} number of milliseconds`);
  }
  return value;
}
