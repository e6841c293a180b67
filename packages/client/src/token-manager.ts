import { DEFAULT_SCOPE, tokenCacheKey } from './cache-key.js';
import { defaultAudience } from './default-audience.js';
import { InvalidArgumentError, LockTimeoutError, OriginNotAllowedError, RateLimitedError, TokenError } from './errors.js';
import { MemoryTokenStore } from './memory-token-store.js';
import { tangoPresetFor } from './presets.js';
import { requestToken } from './token-request.js';
import type { TokenLock, TokenRecord, TokenStore, StoreSnapshot } from './token-store.js';
import { isInvalidBearerToken } from './www-authenticate.js';

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
  /** The clock, in epoch ms. Expiry is `arrival + expires_in` on this clock. Default `Date.now`. */
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
// After a failed background refresh or token request, wait this long before the next one (doubling).
const MIN_RETRY_DELAY_MS = 1_000;
const MAX_RETRY_DELAY_MS = 60_000;
const MAX_POLL_DELAY_MS = 1_000;

interface Current {
  record: TokenRecord;
  /** From this time on the token is inside the refresh window. */
  refreshAt: number;
}

/**
 * Gets, caches and renews an OAuth 2.0 client credentials token (RFC 6749 §4.4) without ever spending
 * the issuance quota needlessly: the token is shared through a {@link TokenStore}, renewed only
 * inside the refresh window or after expiry, and by one process of the fleet at a time.
 *
 * - A token outside the refresh window is returned from memory: no I/O at all.
 * - Inside the window one process (the holder of the store's lock) asks for a new token; the others
 *   keep using the still-valid one, or — when they have none — wait for the store to fill.
 * - A quota answer (`rate_limit_exceeded` or 429) is invisible while a valid token is left; no
 *   request is made before its `Retry-After`, fleet-wide — except, with no valid token left, one
 *   re-check per `refusalRecheckIntervalMs` (an administrator may have reset the quota).
 * - When the store fails, the in-process token carries on, one warning is logged, and the token is
 *   written back when the store returns.
 *
 * @example
 * ```ts
 * import { RedisTokenStore, TokenManager } from '@tessera/client';
 *
 * const tokens = new TokenManager({
 *   tokenUrl: 'http://127.0.0.1:3000/oauth/token',
 *   clientId: process.env.TESSERA_CLIENT_ID!,
 *   clientSecret: process.env.TESSERA_CLIENT_SECRET!,
 *   store: new RedisTokenStore({ url: 'redis://127.0.0.1:6379' }),
 * });
 *
 * const res = await tokens.fetch('http://127.0.0.1:3000/raas/v2/customers');
 * console.log(res.status, await res.json());
 * ```
 */
export class TokenManager {
  /**
   * The store key of this client's token (see {@link tokenCacheKey}). An omitted `audience` counts
   * as the server's default audience, so both spellings share one key.
   */
  readonly key: string;
  /** The key an omitted audience had before it counted as the default one: read once, if `key` is empty. */
  #legacyKey: string | null;
  readonly #tokenUrl: string;
  readonly #clientId: string;
  readonly #clientSecret: string;
  readonly #audience: string | undefined;
  readonly #apiOrigins: ReadonlySet<string>;
  readonly #scope: string;
  readonly #store: TokenStore;
  readonly #refreshWindowMs: number;
  readonly #now: () => number;
  readonly #logger: TokenManagerLogger;
  readonly #fetch: typeof globalThis.fetch;
  readonly #requestTimeoutMs: number;
  readonly #waitTimeoutMs: number;
  readonly #storeRetryMs: number;
  readonly #lockTtlMs: number;
  readonly #quotaWindowMs: number;
  readonly #storeCheckIntervalMs: number;
  readonly #refusalRecheckIntervalMs: number;
  /** Where the fleet records when the server's refusal is next re-checked (a `retryAt` of its own). */
  readonly #recheckKey: string;
  readonly #unsubscribe: (() => void) | undefined;
  #storeCheckTimer: ReturnType<typeof setInterval> | null = null;
  #closed = false;

  #current: Current | null = null;
  #inflight: Promise<TokenRecord> | null = null;
  /** The one background store task running (a write-back or a store check), if any. */
  #storeTask: Promise<void> | null = null;
  /** No token request before this time (Retry-After), except a re-check of the refusal. */
  #retryAt = 0;
  /** With no valid token, the refusal may be re-checked from this time on (fleet-wide through the store). */
  #nextRecheckAt = 0;
  /** After a failed request: no new request before this time; `#lastFailure` is thrown meanwhile. */
  #failedUntil = 0;
  #failureDelay = 0;
  #lastFailure: TokenError | null = null;
  #failureWarned = false;
  /** Background refresh attempts (inside the window) back off while they do not produce a fresh token. */
  #nextBackgroundAt = 0;
  #backgroundDelay = 0;
  #storeDown = false;
  #pendingWriteBack = false;
  #nextWriteBackAt = 0;
  #writeBackDelay = 0;
  /** When this process last received a token from the server. */
  #lastIssuedAt: number | null = null;
  /** A token the API rejected (401): never adopt it again from the store. */
  #rejected: string | null = null;

  constructor(options: TokenManagerOptions) {
    if (!options || typeof options !== 'object') throw new InvalidArgumentError('TokenManager needs options');
    this.#tokenUrl = checkUrl(options.tokenUrl);
    this.#clientId = nonEmpty(options.clientId, 'clientId');
    this.#clientSecret = nonEmpty(options.clientSecret, 'clientSecret');
    const audience = options.audience === undefined ? undefined : nonEmpty(options.audience, 'audience');
    const assumed =
      options.defaultAudience === undefined ? defaultAudience(this.#tokenUrl) : nonEmpty(options.defaultAudience, 'defaultAudience');
    // Tango documents the audience as part of its token request: send it rather than rely on a default.
    const tango = tangoPresetFor(this.#tokenUrl);
    this.#audience = audience ?? (tango ? assumed : undefined);
    this.#apiOrigins = checkOrigins(options.apiOrigins ?? tango?.apiOrigins ?? [new URL(this.#tokenUrl).origin]);
    this.#scope = options.scope === undefined ? DEFAULTS.scope : nonEmpty(options.scope, 'scope');
    this.#store = options.store ?? new MemoryTokenStore();
    this.#refreshWindowMs = duration(options.refreshWindowMs, DEFAULTS.refreshWindowMs, 'refreshWindowMs', true);
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger ?? console;
    const fetchImpl = options.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== 'function') throw new InvalidArgumentError('No fetch implementation: pass options.fetch');
    this.#fetch = fetchImpl;
    this.#requestTimeoutMs = duration(options.requestTimeoutMs, DEFAULTS.requestTimeoutMs, 'requestTimeoutMs', false);
    this.#waitTimeoutMs = duration(options.waitTimeoutMs, DEFAULTS.waitTimeoutMs, 'waitTimeoutMs', true);
    this.#storeRetryMs = duration(options.storeRetryMs, DEFAULTS.storeRetryMs, 'storeRetryMs', true);
    this.#lockTtlMs = duration(options.lockTtlMs, this.#requestTimeoutMs + 10_000, 'lockTtlMs', false);
    this.#quotaWindowMs = duration(options.quotaWindowMs, DEFAULTS.quotaWindowMs, 'quotaWindowMs', true);
    this.#storeCheckIntervalMs = Math.min(
      duration(options.storeCheckIntervalMs, DEFAULTS.storeCheckIntervalMs, 'storeCheckIntervalMs', true),
      MAX_TIMER_MS,
    );
    // The server grants the same token to "no audience" and to its default audience: one key for both,
    // so that a CLI run with --audience and a service without it do not each spend the quota.
    const keyParts = { tokenUrl: this.#tokenUrl, clientId: this.#clientId, scope: this.#scope };
    this.key = tokenCacheKey({ ...keyParts, audience: audience ?? assumed });
    this.#recheckKey = `${this.key}:recheck`;
    this.#refusalRecheckIntervalMs = duration(
      options.refusalRecheckIntervalMs,
      DEFAULTS.refusalRecheckIntervalMs,
      'refusalRecheckIntervalMs',
      true,
    );
    // Earlier versions stored an omitted audience under its own key: still read it, so that upgrading
    // a fleet adopts the token it holds instead of asking for one inside the quota window.
    const legacyKey = tokenCacheKey({ ...keyParts, audience: undefined });
    this.#legacyKey = audience === undefined && legacyKey !== this.key ? legacyKey : null;
    // Redis came back (restart, failover, flush-then-reconnect): put our token back for the fleet.
    this.#unsubscribe = this.#store.onReconnect?.(() => {
      if (this.#current) this.#scheduleWriteBack(true);
    });
  }

  /**
   * A valid access token: from memory when it is outside the refresh window, otherwise from the
   * store or the token endpoint (see the class description).
   *
   * @throws {@link RateLimitedError} (`rate_limited`) when over quota and no valid token is left;
   *   {@link InvalidClientError}, {@link TokenRequestError}, {@link InvalidResponseError},
   *   {@link NetworkError}, {@link LockTimeoutError} — only when no valid token is left.
   *
   * @example
   * ```ts
   * const res = await fetch(url, { headers: { Authorization: `Bearer ${await tokens.getToken()}` } });
   * ```
   */
  async getToken(): Promise<string> {
    const current = this.#current;
    // The warm path: no I/O, no lock, no allocation beyond the promise.
    if (current !== null && this.#now() < current.refreshAt && !this.#pendingWriteBack) return current.record.accessToken;
    return (await this.#slowPath()).accessToken;
  }

  /**
   * Like {@link TokenManager.getToken}, with the token's type, scope and expiry.
   *
   * @example
   * ```ts
   * const { accessToken, expiresAt } = await tokens.getTokenInfo();
   * console.log(`token valid for ${Math.round((expiresAt - Date.now()) / 60_000)} more minutes`);
   * ```
   */
  async getTokenInfo(): Promise<AccessTokenInfo> {
    const current = this.#current;
    const record = current !== null && this.#now() < current.refreshAt && !this.#pendingWriteBack ? current.record : await this.#slowPath();
    return { ...record };
  }

  /**
   * `fetch` with `Authorization: Bearer <token>`. Any `Authorization` header you pass is replaced.
   *
   * The token goes only to the `apiOrigins`: a URL on another origin is refused with
   * {@link OriginNotAllowedError} (`origin_not_allowed`) before anything is sent, and so is a redirect
   * to another origin (redirects between API origins are followed, with the token).
   *
   * On a 401 whose `WWW-Authenticate` has a `Bearer` challenge with `error="invalid_token"` or with no
   * error code (RFC 6750 §3.1), or that has no `WWW-Authenticate` at all, it drops the token — in memory
   * and in the store, compare-and-delete, only if it is still the one that failed — and retries once
   * with a new one. A 401 whose challenges point elsewhere (only `Basic` or another scheme, or a Bearer
   * `insufficient_scope`, …) is returned untouched and the token is kept.
   * If no new token can be had because of the quota (`rate_limited`), the original 401 is returned.
   *
   * @throws {@link OriginNotAllowedError} for a URL, or a redirect, outside `apiOrigins`.
   *
   * @example
   * ```ts
   * const res = await tokens.fetch('http://127.0.0.1:3000/raas/v2/customers', {
   *   method: 'POST',
   *   headers: { 'content-type': 'application/json' },
   *   body: JSON.stringify({ customerIdentifier: 'acme-eu', displayName: 'Acme EU' }),
   * });
   * ```
   */
  async fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    // A Request can be sent once; keep the original to clone for a retry.
    const request = new Request(input, init);
    // Whoever receives a bearer token can use it (RFC 6750 §5.3, RFC 9700 §2.3): send it to the API only.
    this.#checkOrigin(new URL(request.url).origin, `${request.url} is not on an API origin`);
    const token = await this.getToken();
    const first = await this.#send(request.clone(), token);
    // Only a 401 that blames the bearer token is worth a new one: a 401 from another URL or scheme
    // must not destroy a valid token fleet-wide and spend the quota.
    if (first.status !== 401 || !isInvalidBearerToken(first.headers.get('www-authenticate'))) return first;
    await this.invalidate(token);
    let next: string;
    try {
      next = await this.getToken();
    } catch (err) {
      // Over quota: the caller gets the server's answer to its request rather than a token error.
      if (err instanceof RateLimitedError) return first;
      await first.body?.cancel().catch(() => undefined);
      throw err;
    }
    if (next === token) return first;
    await first.body?.cancel().catch(() => undefined);
    return this.#send(request, next);
  }

  /**
   * Sends `request` with the token. With the default `redirect: 'follow'` the redirects are followed
   * here, as fetch would (Fetch §4.4), but only to an API origin: fetch itself would carry the request
   * (and its body) to any origin.
   */
  async #send(request: Request, token: string): Promise<Response> {
    if (request.redirect !== 'follow') return this.#fetch(withBearer(request, token, request.redirect));
    let current = request;
    for (let redirects = 0; ; redirects++) {
      const response = await this.#fetch(withBearer(current.clone(), token, 'manual'));
      const location = response.headers.get('location');
      if (!REDIRECT_STATUSES.has(response.status) || location === null) return response;
      await response.body?.cancel().catch(() => undefined);
      // Fetch §4.4 gives up after 20 redirects with a network error (a TypeError).
      if (redirects >= 20) throw new TypeError(`fetch failed: more than 20 redirects from ${request.url}`);
      const target = new URL(location, current.url);
      this.#checkOrigin(target.origin, `${current.url} redirected to ${target.origin}, which is not an API origin`);
      current = redirectedRequest(current, response.status, target);
    }
  }

  #checkOrigin(origin: string, why: string): void {
    if (this.#apiOrigins.has(origin)) return;
    throw new OriginNotAllowedError(
      `Refused to send the access token: ${why} (apiOrigins: ${[...this.#apiOrigins].join(', ')})`,
      origin,
    );
  }

  /**
   * Drops `accessToken` if it is the current token — in memory, and in the store with a
   * compare-and-delete, so a newer token another process stored is kept. Call it when your own
   * HTTP client gets a 401 with a token from this manager.
   *
   * @example
   * ```ts
   * const token = await tokens.getToken();
   * const res = await myHttpClient.get(url, { bearer: token });
   * if (res.status === 401) await tokens.invalidate(token);
   * ```
   */
  async invalidate(accessToken: string): Promise<void> {
    this.#rejected = accessToken;
    if (this.#current?.record.accessToken === accessToken) this.#current = null;
    try {
      await this.#store.delete(this.key, accessToken);
      this.#storeUp();
    } catch (err) {
      this.#storeFailed(err);
    }
  }

  /**
   * Forgets the server's refusal (the quota's `Retry-After`), here and, fleet-wide, in the store, so
   * that the next {@link TokenManager.getToken} that needs a token asks at once. Use it after an
   * administrator reset the quota (`tessera client reset-quota <client_id>`); `tessera-token
   * --retry-now` calls it. A valid token in hand is kept. With a store that has no `clearRetryAt`,
   * other processes keep the refusal until their next re-check (or the token this one stores).
   *
   * @throws {@link StoreError} when the store cannot be reached (the refusal is cleared in this process).
   *
   * @example
   * ```ts
   * // tessera client reset-quota cli_… has just been run:
   * await tokens.clearRefusal();
   * const token = await tokens.getToken();
   * ```
   */
  async clearRefusal(): Promise<void> {
    this.#retryAt = 0;
    this.#nextRecheckAt = 0;
    this.#failedUntil = 0;
    this.#lastFailure = null;
    this.#nextBackgroundAt = 0;
    this.#backgroundDelay = 0;
    this.#lastIssuedAt = null;
    await this.#store.clearRetryAt?.(this.key);
    this.#storeUp();
  }

  /**
   * Resolves once no background refresh or write-back is running (for tests and graceful shutdown).
   *
   * @example
   * ```ts
   * await tokens.settled();
   * ```
   */
  async settled(): Promise<void> {
    while (this.#inflight || this.#storeTask) {
      await Promise.allSettled([this.#inflight, this.#storeTask]);
    }
  }

  /**
   * Stops listening to the store, stops the periodic store check and waits for background work. The store is yours to close
   * (it may be shared); see {@link RedisTokenStore.close}.
   *
   * @example
   * ```ts
   * process.on('SIGTERM', async () => { await tokens.close(); await store.close(); });
   * ```
   */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#storeCheckTimer !== null) clearInterval(this.#storeCheckTimer);
    this.#storeCheckTimer = null;
    this.#unsubscribe?.();
    await this.settled();
  }

  // ── the slow path ────────────────────────────────────────────────────────────────────────────

  async #slowPath(): Promise<TokenRecord> {
    const now = this.#now();
    const current = this.#current;
    if (this.#pendingWriteBack) this.#scheduleWriteBack(false);
    if (current !== null && now < current.refreshAt) return current.record;
    if (current !== null && now < current.record.expiresAt) {
      // Inside the window with a valid token: callers never wait; one background attempt at a time.
      this.#startBackgroundRefresh(now);
      return current.record;
    }
    let record = await (this.#inflight ?? this.#startFlight(false));
    if (this.#now() >= record.expiresAt) record = await this.#startFlight(false); // a flight started before expiry
    // A cold start that found a token inside the window uses it at once and renews it in the background.
    const latest = this.#current;
    if (latest?.record === record && this.#now() >= latest.refreshAt) this.#startBackgroundRefresh(this.#now());
    return record;
  }

  #startFlight(background: boolean): Promise<TokenRecord> {
    const flight = this.#flight(background).finally(() => {
      if (this.#inflight === flight) this.#inflight = null;
    });
    this.#inflight = flight;
    return flight;
  }

  #startBackgroundRefresh(now: number): void {
    if (this.#inflight || now < this.#nextBackgroundAt) return;
    this.#startFlight(true).then(
      (record) => {
        const current = this.#current;
        if (current && current.record === record && this.#now() < current.refreshAt) {
          this.#backgroundDelay = 0;
          this.#nextBackgroundAt = 0;
        } else {
          this.#backOffBackground();
        }
      },
      () => this.#backOffBackground(),
    );
  }

  #backOffBackground(): void {
    this.#backgroundDelay = Math.min(Math.max(MIN_RETRY_DELAY_MS, this.#backgroundDelay * 2), MAX_RETRY_DELAY_MS);
    this.#nextBackgroundAt = Math.max(this.#now() + this.#backgroundDelay, this.#retryAt);
  }

  /**
   * Resolves to a token valid now, or rejects. Runs at most once at a time per manager. A foreground
   * flight (a caller is waiting and has no valid token) returns a valid token from the store at once;
   * a background one renews a token that is inside the window.
   */
  async #flight(background: boolean): Promise<TokenRecord> {
    const deadline = Date.now() + this.#storeRetryMs;
    let delay = 100;
    for (;;) {
      const snapshot = await this.#readStore();
      if (snapshot) {
        await this.#merge(snapshot);
        const fresh = this.#fresh();
        if (fresh) return fresh; // the store had a token outside the window: no lock
        const valid = this.#valid();
        if (valid && !background) return valid;
        return this.#refreshWithLock();
      }
      // The store failed. With a valid token there is no hurry; without one, give it a moment
      // (a failover, a slow start) before going to the token endpoint alone.
      const left = deadline - Date.now();
      if (this.#valid() || left <= 0) return this.#requestWithoutStore();
      await sleep(Math.min(delay, left));
      delay = Math.min(delay * 2, MAX_POLL_DELAY_MS);
    }
  }

  async #refreshWithLock(): Promise<TokenRecord> {
    const deadline = Date.now() + this.#waitTimeoutMs;
    const storeDeadline = Date.now() + this.#storeRetryMs;
    let delay = 25;
    for (;;) {
      const blocked = this.#blocked();
      if (blocked) return blocked();
      let lock: TokenLock | null = null;
      let storeFailed = false;
      try {
        lock = await this.#store.lock(this.key, this.#lockTtlMs);
        this.#storeUp();
      } catch (err) {
        this.#storeFailed(err);
        storeFailed = true;
        // As in #flight: only a process with no valid token gives the store a moment to come back.
        if (this.#valid() || Date.now() >= storeDeadline) return this.#requestWithoutStore();
      }
      if (lock) return this.#refreshLocked(lock);

      // Another process is refreshing: keep using a still-valid token, or wait for the store to fill.
      const valid = this.#valid();
      if (valid) return valid;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new LockTimeoutError(`Another process held the token refresh lock and no token appeared within ${this.#waitTimeoutMs} ms`);
      }
      await sleep(Math.min(delay, left));
      delay = Math.min(delay * 2, MAX_POLL_DELAY_MS);
      if (storeFailed) continue;
      const snapshot = await this.#readStore();
      if (!snapshot) continue; // the next lock attempt tells whether the store is really gone
      await this.#merge(snapshot);
      const adopted = this.#valid();
      if (adopted) return adopted;
    }
  }

  async #refreshLocked(lock: TokenLock): Promise<TokenRecord> {
    try {
      // Re-read once the lock is held: the previous holder may have just stored a new token.
      const snapshot = await this.#readStore();
      if (snapshot) await this.#merge(snapshot);
      const fresh = this.#fresh();
      if (fresh) return fresh;
      if (!snapshot) return await this.#requestWithoutStore();
      const blocked = this.#blocked();
      if (blocked) return blocked();
      return await this.#request();
    } finally {
      lock.release().catch(() => undefined); // it expires on its own if Redis is gone
    }
  }

  /** With no store to coordinate through, ask at most once per quota window per process. */
  async #requestWithoutStore(): Promise<TokenRecord> {
    const now = this.#now();
    if (this.#quotaWindowMs > 0 && this.#lastIssuedAt !== null && now - this.#lastIssuedAt < this.#quotaWindowMs) {
      const valid = this.#valid();
      if (valid) return valid;
      throw new RateLimitedError(
        'The token store is unavailable and this process already received a token in this quota window',
        this.#lastIssuedAt + this.#quotaWindowMs,
      );
    }
    const blocked = this.#blocked();
    if (blocked) return blocked();
    return this.#request();
  }

  /** Asks the token endpoint, then publishes the token to the store (compare-and-set). */
  async #request(): Promise<TokenRecord> {
    const refused = this.#now() < this.#retryAt;
    if (refused) await this.#scheduleRecheck(); // this is the re-check: the fleet's next is an interval away
    let record: TokenRecord;
    try {
      record = await requestToken({
        tokenUrl: this.#tokenUrl,
        clientId: this.#clientId,
        clientSecret: this.#clientSecret,
        audience: this.#audience,
        scope: this.#scope,
        fetch: this.#fetch,
        timeoutMs: this.#requestTimeoutMs,
        now: this.#now,
        redact: (text) => this.#redact(text),
      });
    } catch (err) {
      return this.#requestFailed(err);
    }
    this.#lastIssuedAt = record.obtainedAt;
    this.#failureDelay = 0;
    this.#failedUntil = 0;
    this.#lastFailure = null;
    this.#failureWarned = false;
    this.#adopt(record, true);
    if (refused) {
      // The server gave a token before its Retry-After: the quota was reset. Lift the refusal fleet-wide.
      this.#retryAt = 0;
      this.#nextRecheckAt = 0;
      try {
        await this.#store.clearRetryAt?.(this.key);
      } catch (err) {
        this.#storeFailed(err);
      }
    }
    try {
      const stored = await this.#store.write(this.key, record, this.#ttl(record));
      this.#storeUp();
      this.#adopt(stored);
      this.#pendingWriteBack = false;
    } catch (err) {
      this.#storeFailed(err);
    }
    return this.#current?.record ?? record;
  }

  async #requestFailed(err: unknown): Promise<TokenRecord> {
    if (!(err instanceof TokenError)) throw err;
    const now = this.#now();
    if (err instanceof RateLimitedError) {
      this.#retryAt = Math.max(this.#retryAt, err.retryAt);
      try {
        await this.#store.setRetryAt(this.key, err.retryAt, Math.max(1, err.retryAt - now));
      } catch (storeErr) {
        this.#storeFailed(storeErr);
      }
      // A refusal counts as a check: the next re-check is an interval from now.
      await this.#scheduleRecheck();
      // Over quota is the expected answer while a still-valid token exists: stay quiet.
      const valid = this.#valid();
      if (valid) return valid;
      throw err;
    }
    this.#failureDelay = Math.min(Math.max(MIN_RETRY_DELAY_MS, this.#failureDelay * 2), MAX_RETRY_DELAY_MS);
    this.#failedUntil = now + this.#failureDelay;
    this.#lastFailure = err;
    const valid = this.#valid();
    if (!valid) throw err;
    if (!this.#failureWarned) {
      this.#failureWarned = true;
      this.#logger.warn(`[@tessera/client] token refresh failed (${err.code}: ${err.message}); the current token is still valid and stays in use`);
    }
    return valid;
  }

  /**
   * Records, here and for the fleet, that the refusal is not re-checked before an interval from now.
   * Called under the refresh lock, so the process that takes the lock next sees it.
   */
  async #scheduleRecheck(): Promise<void> {
    if (this.#refusalRecheckIntervalMs === 0) return;
    const next = this.#now() + this.#refusalRecheckIntervalMs;
    this.#nextRecheckAt = Math.max(this.#nextRecheckAt, next);
    try {
      await this.#store.setRetryAt(this.#recheckKey, next, Math.max(1, this.#retryAt - this.#now()));
    } catch (err) {
      this.#storeFailed(err);
    }
  }

  /**
   * With no valid token left, a refusal is asked again every `refusalRecheckIntervalMs`: Retry-After
   * (RFC 6585 §4, RFC 9110 §10.2.3) is the server's estimate, and an administrator's quota reset ends
   * it early. With a valid token there is nothing to recover, so the server's time is kept.
   */
  #recheckDue(now: number): boolean {
    return this.#refusalRecheckIntervalMs > 0 && now >= this.#nextRecheckAt && this.#valid() === null;
  }

  /** A function that answers instead of a request when Retry-After or a recent failure forbids one. */
  #blocked(): (() => TokenRecord) | null {
    const now = this.#now();
    if (now < this.#retryAt && !this.#recheckDue(now)) {
      const retryAt = this.#retryAt;
      return () => {
        const valid = this.#valid();
        if (valid) return valid;
        throw new RateLimitedError(`Token quota exceeded; no new token before ${new Date(retryAt).toISOString()}`, retryAt);
      };
    }
    const failure = this.#lastFailure;
    if (now < this.#failedUntil && failure) {
      return () => {
        const valid = this.#valid();
        if (valid) return valid;
        throw failure;
      };
    }
    return null;
  }

  // ── the in-process copy ──────────────────────────────────────────────────────────────────────

  /** Keeps `record` if it expires later than the current token (or `force`). */
  #adopt(record: TokenRecord | null, force = false): void {
    if (!record || record.accessToken === this.#rejected) return;
    const current = this.#current;
    if (!force && current && current.record.expiresAt >= record.expiresAt) return;
    const lifetime = record.expiresAt - record.obtainedAt;
    const window = Math.min(this.#refreshWindowMs, Math.max(0, lifetime / 2));
    this.#current = { record, refreshAt: record.expiresAt - window };
    this.#startStoreCheck();
  }

  /** Once this process holds a token: check the store periodically (see `storeCheckIntervalMs`). */
  #startStoreCheck(): void {
    if (this.#storeCheckTimer !== null || this.#closed || this.#storeCheckIntervalMs === 0) return;
    this.#storeCheckTimer = setInterval(() => this.#checkStore(), this.#storeCheckIntervalMs);
    this.#storeCheckTimer.unref?.();
  }

  /** Reads the store and puts the in-process token back if the store lost it or holds an older one. */
  #checkStore(): void {
    if (this.#storeTask || this.#inflight || !this.#valid()) return;
    this.#runStoreTask(async () => {
      const snapshot = await this.#readStore();
      if (snapshot) await this.#merge(snapshot);
    });
  }

  /** Starts a background store task; its failures are already reported through the store's warning. */
  #runStoreTask(task: () => Promise<void>): void {
    const run = task()
      .catch(() => undefined)
      .finally(() => {
        if (this.#storeTask === run) this.#storeTask = null;
      });
    this.#storeTask = run;
  }

  async #merge(snapshot: StoreSnapshot): Promise<void> {
    this.#adopt(snapshot.token);
    if (snapshot.retryAt !== null) this.#retryAt = Math.max(this.#retryAt, snapshot.retryAt);
    const current = this.#current;
    // The store lost our token (flushed, failed over) or holds an older one: put ours back.
    if (current && this.#now() < current.record.expiresAt && (!snapshot.token || snapshot.token.expiresAt < current.record.expiresAt)) {
      await this.#writeBack();
    }
  }

  #fresh(): TokenRecord | null {
    const current = this.#current;
    return current && this.#now() < current.refreshAt ? current.record : null;
  }

  #valid(): TokenRecord | null {
    const current = this.#current;
    return current && this.#now() < current.record.expiresAt ? current.record : null;
  }

  #ttl(record: TokenRecord): number {
    return Math.max(1, record.expiresAt - this.#now());
  }

  // ── the store ────────────────────────────────────────────────────────────────────────────────

  async #readStore(): Promise<StoreSnapshot | null> {
    try {
      const snapshot = await this.#store.read(this.key);
      if (snapshot.retryAt !== null && snapshot.retryAt > this.#now() && this.#refusalRecheckIntervalMs > 0) {
        // Refused: when may the fleet ask again? (Only then: the usual path stays one read.)
        const { retryAt: recheckAt } = await this.#store.read(this.#recheckKey);
        if (recheckAt !== null) this.#nextRecheckAt = Math.max(this.#nextRecheckAt, recheckAt);
      }
      if (snapshot.token === null && this.#legacyKey !== null) {
        // Adopted here, the legacy token is then written back under `key` by #merge (ours is empty).
        this.#adopt((await this.#store.read(this.#legacyKey)).token);
        this.#legacyKey = null; // a migration, not a second store: once per process is enough
      }
      this.#storeUp();
      return snapshot;
    } catch (err) {
      this.#storeFailed(err);
      return null;
    }
  }

  async #writeBack(): Promise<void> {
    const valid = this.#valid();
    if (!valid) {
      this.#pendingWriteBack = false;
      return;
    }
    try {
      const stored = await this.#store.write(this.key, valid, this.#ttl(valid));
      this.#pendingWriteBack = false;
      this.#writeBackDelay = 0;
      this.#storeUp();
      this.#adopt(stored);
    } catch (err) {
      this.#storeFailed(err);
    }
  }

  /** Background write-back: on reconnect (`immediate`), or throttled while the store is failing. */
  #scheduleWriteBack(immediate: boolean): void {
    if (this.#storeTask) return;
    const now = this.#now();
    if (!immediate && now < this.#nextWriteBackAt) return;
    this.#writeBackDelay = Math.min(Math.max(MIN_RETRY_DELAY_MS, this.#writeBackDelay * 2), MAX_RETRY_DELAY_MS);
    this.#nextWriteBackAt = now + this.#writeBackDelay;
    this.#runStoreTask(() => this.#writeBack());
  }

  #storeUp(): void {
    this.#storeDown = false;
  }

  #storeFailed(err: unknown): void {
    if (this.#current) this.#pendingWriteBack = true;
    if (this.#storeDown) return;
    this.#storeDown = true;
    const reason = err instanceof Error ? err.message : String(err);
    this.#logger.warn(
      `[@tessera/client] token store unavailable (${this.#redact(reason)}); using the in-process token, which is written back when the store returns`,
    );
  }

  /** Error texts may echo what we sent; make sure neither the secret nor a token leaves in one. */
  #redact(text: string): string {
    let out = text;
    // (A value shorter than 8 characters is no real secret, and masking it would garble the text.)
    for (const secret of [this.#clientSecret, this.#current?.record.accessToken]) {
      if (secret && secret.length >= 8) out = out.split(secret).join('[redacted]');
    }
    return out;
  }
}

function withBearer(request: Request, token: string, redirect: Request['redirect']): Request {
  const headers = new Headers(request.headers);
  headers.set('authorization', `Bearer ${token}`);
  return new Request(request, { headers, redirect });
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** The request a redirect asks for (Fetch §4.4 HTTP-redirect fetch, RFC 9110 §15.4). */
function redirectedRequest(request: Request, status: number, target: URL): Request {
  // 303 for anything but GET/HEAD, and 301/302 for a POST, become a GET without body or content headers.
  const toGet =
    (status === 303 && request.method !== 'GET' && request.method !== 'HEAD') ||
    ((status === 301 || status === 302) && request.method === 'POST');
  const headers = new Headers(request.headers);
  if (toGet) for (const name of ['content-encoding', 'content-language', 'content-location', 'content-type', 'content-length']) headers.delete(name);
  return new Request(target, {
    method: toGet ? 'GET' : request.method,
    headers,
    body: toGet ? null : request.body,
    redirect: 'manual',
    signal: request.signal,
    ...(toGet || request.body === null ? {} : { duplex: 'half' }),
  } as RequestInit);
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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
