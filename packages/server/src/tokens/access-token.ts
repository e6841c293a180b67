import { randomUUID } from 'node:crypto';
import type { SigningAlgorithm } from '../config/config.js';
import { signCompactJws } from './jws-sign.js';
import { errors, jwtVerify, type JWTHeaderParameters, type JWTPayload } from 'jose';
import { hasCode, TesseraError } from '../errors/tessera-error.js';
import type { KeyRing } from './key-ring.js';

/** RFC 9068 §2.1: the `typ` of a JWT access token. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** Accepted difference between clocks when checking `exp`, `nbf` and `iat`. */
export const CLOCK_TOLERANCE_SECONDS = 60;

export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string;
  client_id: string;
  iat: number;
  exp: number;
  jti: string;
  scope: string;
  /** The platform the client belongs to: the tenant of every API call made with the token. */
  platform: string;
}

export interface IssueRequest {
  issuer: string;
  audience: string;
  clientId: string;
  platform: string;
  scope: string;
  ttlSeconds: number;
  now: number;
}

/** Signs an RFC 9068 access token with the key ring's current key. */
export async function issueAccessToken(keys: Pick<KeyRing, 'signer'>, request: IssueRequest): Promise<{ token: string; claims: AccessTokenClaims }> {
  const key = keys.signer();
  const iat = Math.floor(request.now / 1000);
  const claims: AccessTokenClaims = {
    iss: request.issuer,
    sub: request.clientId,
    aud: request.audience,
    client_id: request.clientId,
    iat,
    exp: iat + request.ttlSeconds,
    jti: randomUUID(),
    scope: request.scope,
    platform: request.platform,
  };
  const token = await signCompactJws(key.alg as SigningAlgorithm, key.privateKey, { kid: key.kid, typ: ACCESS_TOKEN_TYPE }, claims);
  return { token, claims };
}

/** The domain's `invalid_token`: the message is public (it says why, never what the token holds). */
function invalidToken(message: string): TesseraError {
  return new TesseraError('invalid_token', message);
}

/** A verified access token: its claims and the `kid` of the key that signed it. */
export interface VerifiedAccessToken {
  claims: AccessTokenClaims;
  kid: string;
}

/**
 * Verifies an access token against the key ring only (RFC 9068 §4): the `kid` must name a published
 * key and the `alg` must be that key's own (so `none` and HS256-with-the-public-key fail), `typ` must be
 * at+jwt, `iss` and `aud` must match exactly, `exp` and `nbf` hold within the tolerance. An `audience`
 * of null is the authorization server's own view (introspection, revocation): a token it signed for
 * any of its audiences (RFC 7662 §2.2 reports the `aud`, for the resource server to check).
 */
export async function verifyAccessToken(
  keys: Pick<KeyRing, 'verificationKey'>,
  token: string,
  expected: { issuer: string; audience: string | null; now: number },
): Promise<VerifiedAccessToken> {
  if (!isCanonicalCompactJws(token)) throw invalidToken('The token is not valid');
  try {
    const { payload, protectedHeader } = await jwtVerify(
      token,
      (header: JWTHeaderParameters) => {
        const key = keys.verificationKey(header.kid);
        if (!key || header.alg !== key.alg) throw invalidToken('The token was not signed by a key of this server');
        return key.publicKey;
      },
      {
        issuer: expected.issuer,
        ...(expected.audience === null ? {} : { audience: expected.audience }),
        typ: ACCESS_TOKEN_TYPE,
        currentDate: new Date(expected.now),
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id', 'scope', 'platform'],
      },
    );
    // The key resolver above only accepts a kid the key ring knows, so it is a string here.
    return { claims: asClaims(payload), kid: protectedHeader.kid! };
  } catch (error) {
    if (hasCode(error, 'invalid_token')) throw error;
    if (error instanceof errors.JWTExpired) throw invalidToken('The token has expired');
    // RFC 9068 §4 and RFC 6750 §3.1: a good token for another audience (another API this server issues
    // tokens for, issue 22) is refused, and saying why lets its holder ask for the right one.
    if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'aud' && error.reason === 'check_failed') {
      throw invalidToken(`The token is for another audience, not this API's: ask for a token for ${expected.audience}`);
    }
    if (error instanceof errors.JOSEError) throw invalidToken('The token is not valid');
    throw error;
  }
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * One spelling per token: three base64url parts without padding whose unused trailing bits are zero
 * (RFC 7515 §2 and §7.1, RFC 4648 §3.5 and §5). Decoders, jose's included, also accept `=` padding and
 * any value of those bits, so one signature has several spellings; logs, caches and revocation lists
 * must see one string per token, so any other spelling is refused. Re-encoding what was decoded
 * gives back only the canonical one.
 */
function isCanonicalCompactJws(token: string): boolean {
  const parts = token.split('.');
  return parts.length === 3 && parts.every((part) => BASE64URL.test(part) && Buffer.from(part, 'base64url').toString('base64url') === part);
}

function asClaims(payload: JWTPayload): AccessTokenClaims {
  for (const claim of ['client_id', 'scope', 'platform', 'jti', 'sub'] as const) {
    if (typeof payload[claim] !== 'string') throw invalidToken(`The token's ${claim} claim is not a string`);
  }
  return payload as unknown as AccessTokenClaims;
}
