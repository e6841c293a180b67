/**
 * What the domain tells about itself, for operators: counts only, with label values from fixed lists —
 * never a credential, a client id or a raw path. The domain holds this small interface (a no-op unless
 * metrics are on); prometheus-metrics.ts implements it.
 */
export interface Metrics {
  /** An access token was issued, by the grant type (a registered grant's name). */
  tokenIssued(grantType: string): void;
  /** A token request was refused by the issuance quota. */
  quotaRefused(): void;
  /** A token request was refused by the token policy in force (issue 22): `quota` or `rate`; or by an enforced per-client limit (`client_limit`). */
  tokenRefused(policy: TokenPolicyLabel): void;
  /** A token was issued past an observed per-client limit, which would have refused it (issue 22), by window. */
  tokenLimitObserved(window: TokenLimitWindow): void;
  authFailed(endpoint: AuthEndpoint, reason: AuthFailureReason): void;
  /** The API guard served a credential from memory (hit) or had to verify or re-read it (miss). */
  credentialCacheLookup(hit: boolean): void;
  /** A query failed, or the store's connection pool reported an error. */
  storeError(): void;
  /** Redis reported an error (a lost connection, a refused command). */
  redisError(): void;
}

/** The token policies (config/ names them; metrics/ imports nothing above it): the only values of the `policy` label. */
export const TOKEN_POLICY_LABELS = ['quota', 'rate', 'client_limit'] as const;
export type TokenPolicyLabel = (typeof TOKEN_POLICY_LABELS)[number];

/** The windows of the per-client token limits: the only values of the `window` label. */
export const TOKEN_LIMIT_WINDOWS = ['hour', 'day'] as const;
export type TokenLimitWindow = (typeof TOKEN_LIMIT_WINDOWS)[number];

/** Who refused: client authentication at the OAuth endpoints, the /raas/v2 guard, or forward auth for an operator's API. */
export type AuthEndpoint = 'oauth' | 'api' | 'forward_auth';

/** Every reason an authentication fails for, by endpoint: the only values of the `reason` label. */
export const AUTH_FAILURE_REASONS = {
  oauth: ['no_credentials', 'malformed_credentials', 'unknown_client', 'wrong_secret', 'inactive_client', 'throttled'],
  api: ['credentials_required', 'unsupported_scheme', 'invalid_request', 'invalid_token', 'invalid_credentials', 'insufficient_scope', 'throttled'],
  forward_auth: [
    'credentials_required',
    'unsupported_scheme',
    'invalid_request',
    'invalid_token',
    'invalid_credentials',
    'insufficient_scope',
    'throttled',
    'access_denied',
    'unknown_api',
  ],
} as const;

export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[AuthEndpoint][number];

/** Metrics off: every event costs one empty call. */
export const NO_METRICS: Metrics = {
  tokenIssued() {},
  quotaRefused() {},
  tokenRefused() {},
  tokenLimitObserved() {},
  authFailed() {},
  credentialCacheLookup() {},
  storeError() {},
  redisError() {},
};
