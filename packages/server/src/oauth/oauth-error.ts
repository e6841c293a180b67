/** The `error` codes of RFC 6749 §5.2, RFC 7009 §2.2.1 and RFC 8707 §2, plus Tango's quota error. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'unsupported_token_type'
  | 'rate_limit_exceeded'
  | 'too_many_requests'
  | 'server_error';

/**
 * An OAuth error as a value: the public `error` and `error_description`, the HTTP status, extra
 * headers, and a private detail that goes to the log only.
 */
export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly status = 400,
    readonly headers: Record<string, string> = {},
    readonly detail?: string,
  ) {
    super(description);
    this.name = 'OAuthError';
  }

  toJSON(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

/** RFC 6749 §5.2: failed client authentication is 401 with a challenge for the scheme the client may use. */
export function invalidClient(realm: string, detail: string): OAuthError {
  return new OAuthError('invalid_client', 'Client authentication failed', 401, { 'WWW-Authenticate': `Basic realm="${realm}", charset="UTF-8"` }, detail);
}

export function invalidRequest(description: string): OAuthError {
  return new OAuthError('invalid_request', description);
}
