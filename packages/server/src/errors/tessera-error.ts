/**
 * The one vocabulary of expected failures. The domain (credentials, the store, the throttle, token
 * verification, config and start-up) raises these and knows nothing of HTTP. Their HTTP statuses are
 * one table, http/status-of-code.ts, which must give every code one; each surface chooses only its
 * shape: oauth/oauth-error-handler.ts (RFC 6749 §5.2), raas/error-handler.ts (Tango's envelope),
 * portal/error-handler.ts (the portal's JSON), app.ts (plain JSON), cli/run.ts (JSON and exit code).
 */
export type ErrorCode =
  /** Input the domain refuses (a bad name). */
  | 'invalid_input'
  /** No such platform, credential, customer or account. */
  | 'not_found'
  /** It exists already, or is in a state that forbids the change (an active credential deleted). */
  | 'conflict'
  /** A platform holds as many active credentials as it may. */
  | 'limit_reached'
  /** A person's email and password (or password alone) do not match: one answer for both, never which. */
  | 'invalid_credentials'
  /** An address or account failed authentication too often (or an address signed up too often); `retryAfterSeconds` says for how long. */
  | 'too_many_failures'
  /** An access token that does not verify (signature, claims, expiry). */
  | 'invalid_token'
  /** A setting of the environment is not valid (see {@link ConfigError}). */
  | 'invalid_config'
  /** The store or the master key cannot be used as they are: start-up stops, nothing is changed. */
  | 'cannot_start'
  /** The store cannot be reached or cannot answer now; `retryAfterSeconds` says when to try again. */
  | 'unavailable'
  /** As much of this work runs and waits as may at once (password hashes); `retryAfterSeconds` says when to try again. */
  | 'busy'
  /** A payment the card's issuer refused (the sandbox's declining test cards, funding/card-numbers.ts). */
  | 'declined'
  /** An account's balance does not cover a debit (an order, raas/orders.ts): nothing was charged. */
  | 'insufficient_funds'
  /** A utid the reward catalog does not have (catalog/catalog.ts). */
  | 'unknown_item'
  /** An amount a catalog item is not sold for: not its face value, outside its range, more decimals than its currency. */
  | 'invalid_amount'
  /** An idempotency key (an order's externalRefID) used before for other criteria. */
  | 'duplicate_order';

export interface ErrorDetails {
  /** For `too_many_failures`, `unavailable` and `busy`: when to try again. */
  retryAfterSeconds?: number;
  /** The underlying error, for the log only (never in a response). */
  cause?: unknown;
}

/**
 * An expected failure with a stable code and a message fit to show the person who caused it. Never
 * holds a secret.
 */
export class TesseraError extends Error {
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string,
    details: ErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'TesseraError';
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

/** A bad setting: stops start-up with a message that names it. */
export class ConfigError extends TesseraError {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super('invalid_config', `Invalid configuration: ${setting} ${message}`);
    this.name = 'ConfigError';
  }
}

/** RFC 6585 §4 and RFC 9110 §10.2.3: what a 429 or 503 answer says about when to come back. */
export function retryAfter(error: TesseraError): { 'Retry-After': string } {
  return { 'Retry-After': String(error.retryAfterSeconds ?? 1) };
}

/** True when `error` is a {@link TesseraError} with one of `codes`. */
export function hasCode(error: unknown, ...codes: ErrorCode[]): error is TesseraError {
  return error instanceof TesseraError && codes.includes(error.code);
}
