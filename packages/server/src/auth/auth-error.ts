/** Why a request to the protected API was refused by the guard. */
export type AuthFailure =
  | 'credentials_required'
  | 'unsupported_scheme'
  | 'invalid_request'
  | 'invalid_token'
  | 'invalid_credentials'
  | 'insufficient_scope';

/** The challenge headers of a refusal, made for a realm (RFC 7235 §2.2). */
type Challenges = (realm: string) => Record<string, string | string[]>;

/**
 * A refusal by the guard as a value: the HTTP status, the public description, the challenge headers
 * (RFC 7235 §4.1, RFC 6750 §3) and a private detail for the log. Never holds the credential itself.
 */
export class AuthError extends Error {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly detail: string | undefined;
  private readonly challenges: Challenges;

  constructor(
    readonly failure: AuthFailure,
    readonly description: string,
    options: { status: number; realm: string; challenges?: Challenges; detail?: string },
  ) {
    super(description);
    this.name = 'AuthError';
    this.status = options.status;
    this.challenges = options.challenges ?? (() => ({}));
    this.headers = this.challenges(options.realm);
    this.detail = options.detail;
  }

  /**
   * The same refusal with its challenges in another realm: forward auth (forward-auth/) checks with one
   * guard for every protected API and answers in the realm of the API the request was for.
   */
  inRealm(realm: string): AuthError {
    return new AuthError(this.failure, this.description, {
      status: this.status,
      realm,
      challenges: this.challenges,
      ...(this.detail === undefined ? {} : { detail: this.detail }),
    });
  }
}

/** A quoted-string of RFC 9110 §5.6.4. */
function quotedString(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** RFC 6750 §3: the Bearer challenge, with an error code when credentials were presented. */
export function bearerChallenge(realm: string, error?: { code: string; description: string; scope?: string }): string {
  let challenge = `Bearer realm=${quotedString(realm)}`;
  if (error) challenge += `, error=${quotedString(error.code)}, error_description=${quotedString(error.description)}`;
  if (error?.scope) challenge += `, scope=${quotedString(error.scope)}`;
  return challenge;
}

/** RFC 7617 §2.1: the Basic challenge; user-id and password are UTF-8. */
export function basicChallenge(realm: string): string {
  return `Basic realm=${quotedString(realm)}, charset="UTF-8"`;
}

/** No credentials (or a scheme we do not accept): 401 and a challenge for each scheme that works (RFC 6750 §3.1: no error code). */
export function credentialsRequired(realm: string, failure: 'credentials_required' | 'unsupported_scheme' = 'credentials_required'): AuthError {
  const description =
    failure === 'credentials_required'
      ? 'Authentication is required: send Authorization: Bearer <access token> or Authorization: Basic base64(platformName:apiKey)'
      : 'The authorization scheme is not accepted here: use Bearer or Basic';
  return new AuthError(failure, description, { status: 401, realm, challenges: (r) => ({ 'WWW-Authenticate': [bearerChallenge(r), basicChallenge(r)] }) });
}

/** RFC 6750 §3.1: a malformed request, e.g. credentials sent twice or a token in the URL. */
export function invalidAuthRequest(realm: string, description: string): AuthError {
  return new AuthError('invalid_request', description, {
    status: 400,
    realm,
    challenges: (r) => ({ 'WWW-Authenticate': bearerChallenge(r, { code: 'invalid_request', description }) }),
  });
}

/** Basic credentials that are not base64: 400, with the Basic challenge saying what is expected. */
export function malformedBasic(realm: string): AuthError {
  return new AuthError('invalid_request', 'The Basic credentials are malformed: expected Authorization: Basic base64(platformName:apiKey)', {
    status: 400,
    realm,
    challenges: (r) => ({ 'WWW-Authenticate': basicChallenge(r) }),
  });
}

export function invalidToken(realm: string, description: string, detail?: string): AuthError {
  return new AuthError('invalid_token', description, {
    status: 401,
    realm,
    challenges: (r) => ({ 'WWW-Authenticate': bearerChallenge(r, { code: 'invalid_token', description }) }),
    ...(detail === undefined ? {} : { detail }),
  });
}

export function insufficientScope(realm: string, scope: string): AuthError {
  const description = `The access token does not grant the scope ${scope}`;
  return new AuthError('insufficient_scope', description, {
    status: 403,
    realm,
    challenges: (r) => ({ 'WWW-Authenticate': bearerChallenge(r, { code: 'insufficient_scope', description, scope }) }),
  });
}

/** One answer for an unknown platform, a wrong key and a deactivated key: nothing to learn from it. */
export function invalidCredentials(realm: string, detail: string): AuthError {
  return new AuthError('invalid_credentials', 'The platform name or API key is not valid', {
    status: 401,
    realm,
    challenges: (r) => ({ 'WWW-Authenticate': basicChallenge(r) }),
    detail,
  });
}
