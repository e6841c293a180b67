import { RateLimitedError } from './errors.js';
import { redact } from './redact.js';
import { RequestGate } from './request-gate.js';
import { checkApiOrigin, sendToApi } from './send-to-api.js';
import { realSleep } from './stopwatch.js';
import { StoreSync } from './store-sync.js';
import { TokenHolder } from './token-holder.js';
import { TokenIssuer } from './token-issuer.js';
import { resolveOptions, type AccessTokenInfo, type ManagerSettings, type TokenManagerOptions } from './token-manager-options.js';
import { TokenRefresher } from './token-refresher.js';
import type { TokenRecord } from './token-store.js';
import { isInvalidBearerToken } from './www-authenticate.js';

export type { AccessTokenInfo, TokenManagerLogger, TokenManagerOptions } from './token-manager-options.js';

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
  readonly #s: ManagerSettings;
  readonly #holder: TokenHolder;
  readonly #sync: StoreSync;
  readonly #gate: RequestGate;
  readonly #refresher: TokenRefresher;

  constructor(options: TokenManagerOptions) {
    const s = resolveOptions(options);
    this.#s = s;
    this.key = s.key;
    this.#holder = new TokenHolder(s.now, s.refreshWindowMs, () => this.#sync.startCheck());
    this.#gate = new RequestGate(this.#holder, s.now, s.refusalRecheckIntervalMs, s.quotaWindowMs);
    // Error texts may echo what we sent; make sure neither the secret nor a token leaves in one.
    const redactSecrets = (text: string) => redact(text, [s.request.clientSecret, this.#holder.current?.record.accessToken]);
    const parts = { holder: this.#holder, gate: this.#gate, redact: redactSecrets };
    this.#sync = new StoreSync(s, { ...parts, busy: () => this.#refresher.inflight !== null });
    const issuer = new TokenIssuer(s, { ...parts, sync: this.#sync });
    this.#refresher = new TokenRefresher(s, { ...parts, sync: this.#sync, issuer, sleep: realSleep });
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
    // The warm path: no I/O, no lock, no allocation beyond the promise.
    return (this.#warm() ?? (await this.#refresher.get())).accessToken;
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
    return { ...(this.#warm() ?? (await this.#refresher.get())) };
  }

  /** The in-process token outside its refresh window, unless the store still owes a write-back. */
  #warm(): TokenRecord | null {
    return this.#sync.pendingWriteBack ? null : this.#holder.fresh();
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
    const { apiOrigins, request: { fetch: fetchImpl } } = this.#s;
    // A Request can be sent once; keep the original to clone for a retry.
    const request = new Request(input, init);
    // Whoever receives a bearer token can use it (RFC 6750 §5.3, RFC 9700 §2.3): send it to the API only.
    checkApiOrigin(apiOrigins, new URL(request.url).origin, `${request.url} is not on an API origin`);
    const token = await this.getToken();
    const first = await sendToApi(fetchImpl, apiOrigins, request, token);
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
    return sendToApi(fetchImpl, apiOrigins, request, next);
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
    this.#holder.reject(accessToken);
    await this.#sync.delete(accessToken);
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
    this.#gate.clear();
    this.#refresher.clearBackoff();
    await this.#sync.clearRetryAt(true);
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
    while (this.#refresher.inflight || this.#sync.task) {
      await Promise.allSettled([this.#refresher.inflight, this.#sync.task]);
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
    this.#sync.close();
    await this.settled();
  }
}
