/**
 * The `error` codes of RFC 6749 §5.2 and RFC 8707 §2 in use here, plus Tango's quota error; and
 * `temporarily_unavailable`, which §4.1.2.1 defines for the authorization endpoint and §5.2 lacks, for
 * a 503 while the store is away.
 */
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
  | 'temporarily_unavailable'
  | 'server_error';

/** How a refusal is sent, besides its code and description: the status (400 by default), headers, a detail for the log. */
export interface RefusalOptions {
  status?: number;
  headers?: Record<string, string>;
  detail?: string;
}

/** RFC 6749 §5.2: an error_description holds only %x20-21 / %x23-5B / %x5D-7E (printable ASCII without `"` and `\`). */
const OUTSIDE_DESCRIPTION_CHARACTERS = /[^\x20\x21\x23-\x5b\x5d-\x7e]/g;

/**
 * An OAuth error as a value: the public `error` and `error_description`, the HTTP status, extra
 * headers, and a private detail that goes to the log only. Any character §5.2 does not allow in the
 * description (one quoted from the request, say) becomes `?`.
 */
export class OAuthError extends Error {
  readonly description: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly detail: string | undefined;

  constructor(
    readonly error: OAuthErrorCode,
    description: string,
    options: RefusalOptions = {},
  ) {
    const clean = description.replace(OUTSIDE_DESCRIPTION_CHARACTERS, '?');
    // A refusal is an answer, not a fault: no stack trace is read from it, and capturing one was the
    // single largest cost of a quota refusal or a wrong secret (issue 13's profile).
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(clean);
    Error.stackTraceLimit = stackTraceLimit;
    this.name = 'OAuthError';
    this.description = clean;
    this.status = options.status ?? 400;
    this.headers = options.headers ?? {};
    this.detail = options.detail;
  }

  toJSON(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

/** RFC 6749 §5.2: failed client authentication is 401 with a challenge for the scheme the client may use. */
export function invalidClient(realm: string, detail: string): OAuthError {
  return new OAuthError('invalid_client', 'Client authentication failed', {
    status: 401,
    headers: { 'WWW-Authenticate': `Basic realm="${realm}", charset="UTF-8"` },
    detail,
  });
}

export function invalidRequest(description: string): OAuthError {
  return new OAuthError('invalid_request', description);
}

/** A value from the request, cut to a sensible length for an error_description. */
export function excerpt(value: string, max = 64): string {
  return value.length > max ? `${value.slice(0, max)}...` : value;
}
