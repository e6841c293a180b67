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
  authFailed(endpoint: AuthEndpoint, reason: AuthFailureReason): void;
  /** The API guard served a credential from memory (hit) or had to verify or re-read it (miss). */
  credentialCacheLookup(hit: boolean): void;
  /** A query failed, or the store's connection pool reported an error. */
  storeError(): void;
  /** Redis reported an error (a lost connection, a refused command). */
  redisError(): void;
}

/** Who refused: client authentication at the OAuth endpoints, or the /raas/v2 guard. */
export type AuthEndpoint = 'oauth' | 'api';

/** Every reason an authentication fails for, by endpoint: the only values of the `reason` label. */
export const AUTH_FAILURE_REASONS = {
  oauth: ['no_credentials', 'malformed_credentials', 'unknown_client', 'wrong_secret', 'inactive_client', 'throttled'],
  api: ['credentials_required', 'unsupported_scheme', 'invalid_request', 'invalid_token', 'invalid_credentials', 'insufficient_scope', 'throttled'],
} as const;

export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[AuthEndpoint][number];

/** Metrics off: every event costs one empty call. */
export const NO_METRICS: Metrics = {
  tokenIssued() {},
  quotaRefused() {},
  authFailed() {},
  credentialCacheLookup() {},
  storeError() {},
  redisError() {},
};
