/**
 * Errors raised by the client. Every error is a {@link TokenError} with a stable string `code`
 * to branch on; messages are for people and never contain the client secret or a token.
 */

/**
 * The stable codes a {@link TokenError} can carry.
 *
 * @example
 * ```ts
 * const retryable: TokenErrorCode[] = ['rate_limited', 'network_error', 'lock_timeout'];
 * ```
 */
export type TokenErrorCode =
  | 'invalid_argument'
  | 'invalid_client'
  | 'rate_limited'
  | 'token_request_failed'
  | 'invalid_response'
  | 'network_error'
  | 'store_error'
  | 'lock_timeout'
  | 'origin_not_allowed';

/**
 * Base class of every error the client throws.
 *
 * @example
 * ```ts
 * try {
 *   await tokens.getToken();
 * } catch (err) {
 *   if (err instanceof TokenError && err.code === 'rate_limited') console.log('retry at', err.retryAt);
 *   else throw err;
 * }
 * ```
 */
export class TokenError extends Error {
  /** Stable machine-readable code. */
  readonly code: TokenErrorCode;

  constructor(code: TokenErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TokenError';
    this.code = code;
  }
}

/**
 * A bad option or argument (thrown synchronously by constructors and helpers). Code `invalid_argument`.
 *
 * @example
 * ```ts
 * try { basicAuthorization('a:b', 'key'); } catch (err) { console.log((err as InvalidArgumentError).code); }
 * ```
 */
export class InvalidArgumentError extends TokenError {
  constructor(message: string) {
    super('invalid_argument', message);
    this.name = 'InvalidArgumentError';
  }
}

/**
 * The authorization server rejected the client credentials (HTTP 401, or `error=invalid_client`,
 * RFC 6749 §5.2). Code `invalid_client`. Retrying will not help until the credentials change.
 *
 * @example
 * ```ts
 * if (err instanceof InvalidClientError) alert('Check TESSERA_CLIENT_ID / TESSERA_CLIENT_SECRET');
 * ```
 */
export class InvalidClientError extends TokenError {
  /** HTTP status of the token response. */
  readonly status: number;

  constructor(message: string, status: number) {
    super('invalid_client', message);
    this.name = 'InvalidClientError';
    this.status = status;
  }
}

/**
 * The client is over its token quota (one new token per 20 hours on Tango and Tessera) and no
 * valid token is left to use. Code `rate_limited`; no token request is made before `retryAt`.
 *
 * @example
 * ```ts
 * if (err instanceof RateLimitedError) console.log(`next token at ${new Date(err.retryAt).toISOString()}`);
 * ```
 */
export class RateLimitedError extends TokenError {
  /**
   * Epoch milliseconds (on the manager's clock): the server's `Retry-After`. Before it only a re-check
   * (every `refusalRecheckIntervalMs`, one process of the fleet) or `clearRefusal()` asks again.
   */
  readonly retryAt: number;
  /** HTTP status of the response that reported the quota, or `undefined` if the limit was inferred locally. */
  readonly status: number | undefined;

  constructor(message: string, retryAt: number, status?: number) {
    super('rate_limited', message);
    this.name = 'RateLimitedError';
    this.retryAt = retryAt;
    this.status = status;
  }
}

/**
 * The token endpoint answered with an error other than `invalid_client` or the quota
 * (another RFC 6749 §5.2 error such as `invalid_scope`, or a 5xx). Code `token_request_failed`.
 *
 * @example
 * ```ts
 * if (err instanceof TokenRequestError && err.oauthError === 'invalid_scope') console.log('fix the scope');
 * ```
 */
export class TokenRequestError extends TokenError {
  /** HTTP status of the token response. */
  readonly status: number;
  /** The RFC 6749 `error` field, when the server sent one. */
  readonly oauthError: string | undefined;

  constructor(message: string, status: number, oauthError?: string) {
    super('token_request_failed', message);
    this.name = 'TokenRequestError';
    this.status = status;
    this.oauthError = oauthError;
  }
}

/**
 * The token endpoint answered 2xx with a body that is not a usable token response
 * (not JSON, no `access_token`, no `expires_in`, a token type other than Bearer). Code `invalid_response`.
 *
 * @example
 * ```ts
 * if (err instanceof InvalidResponseError) console.log('is tokenUrl really an OAuth token endpoint?');
 * ```
 */
export class InvalidResponseError extends TokenError {
  constructor(message: string) {
    super('invalid_response', message);
    this.name = 'InvalidResponseError';
  }
}

/**
 * The token request did not get an HTTP answer (connection refused, DNS, TLS, timeout). Code `network_error`.
 *
 * @example
 * ```ts
 * if (err instanceof NetworkError) console.log('token endpoint unreachable:', err.message);
 * ```
 */
export class NetworkError extends TokenError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('network_error', message, options);
    this.name = 'NetworkError';
  }
}

/**
 * A {@link TokenStore} operation failed (Redis down, file not writable). The token manager
 * handles these itself and falls back to its in-process token; you see them only when calling a store directly.
 * Code `store_error`.
 *
 * @example
 * ```ts
 * try { await store.read('k'); } catch (err) { if (err instanceof StoreError) console.log('store down'); }
 * ```
 */
export class StoreError extends TokenError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('store_error', message, options);
    this.name = 'StoreError';
  }
}

/**
 * Another process held the refresh lock and no valid token appeared in the store within
 * `waitTimeoutMs`. Code `lock_timeout`.
 *
 * @example
 * ```ts
 * if (err instanceof LockTimeoutError) console.log('another process is still fetching the token');
 * ```
 */
export class LockTimeoutError extends TokenError {
  constructor(message: string) {
    super('lock_timeout', message);
    this.name = 'LockTimeoutError';
  }
}

/**
 * {@link TokenManager.fetch} was asked to send the token to an origin that is not one of the
 * manager's `apiOrigins` — directly, or through a redirect. Nothing was sent there. Code `origin_not_allowed`.
 *
 * @example
 * ```ts
 * try {
 *   await tokens.fetch('https://elsewhere.example.com/');
 * } catch (err) {
 *   if (err instanceof OriginNotAllowedError) console.log(`not an API origin: ${err.origin}`);
 * }
 * ```
 */
export class OriginNotAllowedError extends TokenError {
  /** The origin the token was not sent to, e.g. `https://elsewhere.example.com`. */
  readonly origin: string;

  constructor(message: string, origin: string) {
    super('origin_not_allowed', message);
    this.name = 'OriginNotAllowedError';
    this.origin = origin;
  }
}
