/** The `error` codes of RFC 6749 §5.2 and RFC 8707 §2 in use here, plus Tango's quota error. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'rate_limit_exceeded'
  | 'too_many_requests'
  | 'server_error';

/** RFC 6749 §5.2: an error_description holds only %x20-21 / %x23-5B / %x5D-7E (printable ASCII without `"` and `\`). */
const OUTSIDE_DESCRIPTION_CHARACTERS = /[^\x20\x21\x23-\x5b\x5d-\x7e]/g;

/**
 * An OAuth error as a value: the public `error` and `error_description`, the HTTP status, extra
 * headers, and a private detail that goes to the log only. Any character §5.2 does not allow in the
 * description (one quoted from the request, say) becomes `?`.
 */
export class OAuthError extends Error {
  readonly description: string;

  constructor(
    readonly error: OAuthErrorCode,
    description: string,
    readonly status = 400,
    readonly headers: Record<string, string> = {},
    readonly detail?: string,
  ) {
    const clean = description.replace(OUTSIDE_DESCRIPTION_CHARACTERS, '?');
    super(clean);
    this.name = 'OAuthError';
    this.description = clean;
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

/** A value from the request quoted in an error_description, cut to a sensible length. */
export function quoted(value: string, max = 64): string {
  return value.length > max ? `${value.slice(0, max)}...` : value;
}
