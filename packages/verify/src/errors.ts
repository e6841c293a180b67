/**
 * A refusal: the request is not let through. `status`, `error` and `description` are public (they
 * say why, never what the credential holds); `headers` are the ones to send with the refusal
 * (`WWW-Authenticate`, RFC 9110 §11.6.1; `Retry-After`, RFC 9110 §10.2.3).
 */
export class VerificationError extends Error {
  readonly status: number;
  readonly error: string;
  readonly description: string;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;

  constructor(
    status: number,
    error: string,
    description: string,
    headers: Readonly<Record<string, string | readonly string[]>> = {},
    options?: { cause?: unknown },
  ) {
    super(description, options);
    this.name = 'VerificationError';
    this.status = status;
    this.error = error;
    this.description = description;
    this.headers = headers;
  }

  /** The JSON body the adapters send (RFC 6750 §3's parameters, as OAuth error responses name them). */
  toJSON(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

/** A quoted-string of RFC 9110 §5.6.4. */
function quotedString(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** RFC 6750 §3: the Bearer challenge with its error code, in the realm of the API (its audience), as Tessera writes it. */
export function bearerChallenge(realm: string, code: string, description: string): string {
  return `Bearer realm=${quotedString(realm)}, error=${quotedString(code)}, error_description=${quotedString(description)}`;
}

/** RFC 6750 §3.1: a token that is not valid for this API (bad signature, expired, another audience…). */
export function invalidToken(realm: string, description: string, cause?: unknown): VerificationError {
  return new VerificationError(401, 'invalid_token', description, { 'WWW-Authenticate': bearerChallenge(realm, 'invalid_token', description) }, { cause });
}

/** RFC 6750 §3.1: a malformed request (credentials twice, a Bearer value that is no b64token). */
export function invalidRequest(realm: string, description: string): VerificationError {
  return new VerificationError(400, 'invalid_request', description, { 'WWW-Authenticate': bearerChallenge(realm, 'invalid_request', description) });
}

/** How long a caller told 503 should wait before trying again (RFC 9110 §10.2.3), in seconds. */
const RETRY_AFTER_SECONDS = '1';

/**
 * Tessera could not say whether the credential is good: it is down, slow, or answered something that is
 * not a forward-auth answer. Never an allow (fail closed). The description names no credential.
 */
export function unavailable(description: string, cause?: unknown): VerificationError {
  return new VerificationError(503, 'temporarily_unavailable', description, { 'Retry-After': RETRY_AFTER_SECONDS }, { cause });
}
