import { hash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { createRemoteJWKSet, errors, jwtVerify, type FlattenedJWSInput, type JWTHeaderParameters } from 'jose';
import { invalidRequest, invalidToken, unavailable, VerificationError } from './errors.js';
import { Lru } from './lru.js';
import type { TesseraPrincipal } from './principal.js';
import { type StatusAnswer, StatusClient } from './status-client.js';

export interface VerifierOptions {
  /** Tessera's base URL, as its TESSERA_PUBLIC_URL (e.g. `https://tessera.example.com`). */
  tessera: string;
  /** This API's audience, registered in Tessera with `tessera api add`: the `aud` its tokens must carry. */
  audience: string;
  /** The tokens' `iss`: Tessera's TESSERA_PUBLIC_URL; `tessera` (without a trailing slash) by default. */
  issuer?: string;
  /**
   * How long Tessera's answer about a credential (allow or refusal) is reused, in ms: 1000 by default. A
   * deactivation or revocation is refused at most this long after Tessera knows of it; 0 asks every time.
   */
  statusTtlMs?: number;
  /** How long to wait for Tessera (status check, key set), in ms: 1000 by default. Then: 503. */
  timeoutMs?: number;
  /** How many credentials' answers are remembered at most (least recently used dropped first): 10 000 by default. */
  maxEntries?: number;
  /**
   * The clock tokens are checked against (`exp`), in ms since the epoch: Date.now by default. For tests
   * whose Tessera runs on a clock of their own; the status cache always counts real time.
   */
  now?: () => number;
}

/** The request to verify: its headers (Node's or fetch's), and Node's raw headers when there are any. */
export interface VerifyRequest {
  headers: IncomingHttpHeaders | Pick<Headers, 'get'>;
  /** Node's `rawHeaders`: lets the verifier refuse a request with two Authorization headers (Node keeps the first only). */
  rawHeaders?: readonly string[];
  /**
   * The client's address, sent to Tessera as `X-Forwarded-For` with a status check, so that Tessera's
   * failure throttle counts each client and not this service as one (Tessera believes it only when
   * TESSERA_TRUST_PROXY names this service's address; otherwise every check counts for this service).
   */
  ip?: string;
}

export interface Verifier {
  /** The caller of a request, or a {@link VerificationError} saying why it is refused (401, 403, 400, 429, 503). */
  verify(request: VerifyRequest): Promise<TesseraPrincipal>;
  /**
   * The hot path, without I/O or a promise: the caller as Tessera's answer about this credential is
   * remembered (under statusTtlMs old); undefined when {@link verify} must be awaited. Throws the
   * remembered refusal as a {@link VerificationError}.
   */
  cached(request: VerifyRequest): TesseraPrincipal | undefined;
  /** The audience this verifier protects (the realm of its challenges). */
  readonly audience: string;
  /** Forgets every answer, aborts the checks in flight and closes the connections to Tessera. */
  close(): Promise<void>;
}

export const DEFAULT_STATUS_TTL_MS = 1000;
export const DEFAULT_TIMEOUT_MS = 1000;
export const DEFAULT_MAX_ENTRIES = 10_000;

/**
 * Least time between two fetches of the key set for an unknown `kid`. Tessera publishes a new key two
 * key-ring refresh intervals before signing with it (its tokens/key-ring.ts), so one refetch finds it;
 * a short cooldown makes sure that refetch happens, while a flood of made-up kids costs Tessera one
 * fetch a second per process at most.
 */
const JWKS_COOLDOWN_MS = 1000;
/** Tessera serves its key set with `Cache-Control: max-age=60`. */
const JWKS_MAX_AGE_MS = 60_000;

/** RFC 9068 §2.1: the `typ` of a JWT access token. */
const ACCESS_TOKEN_TYPE = 'at+jwt';
/** The claims every Tessera access token carries (RFC 9068 §2.2 and Tessera's own). */
const REQUIRED_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id', 'scope', 'platform'];
/** RFC 6750 §2.1: b64token. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** What is remembered of a credential for statusTtlMs. */
interface Entry {
  answer: StatusAnswer;
  /** When the answer stops being reused: statusTtlMs after the question was asked. */
  until: number;
  /** A token's `exp`, in ms: past it, a remembered allow is refused without asking. */
  tokenExpiresAt: number | undefined;
}

/** The key of a credential in memory: never the credential itself. */
function credentialKey(authorization: string | undefined): string {
  // crypto.hash, one call: a third of createHash's cost, on the path of every request.
  return authorization === undefined ? 'none' : hash('sha256', authorization, 'base64url');
}

function positiveInteger(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) throw new TypeError(`${name} must be an integer of at least ${min}: got ${String(value)}`);
  return value;
}

function baseUrl(tessera: string): string {
  let url: URL;
  try {
    url = new URL(tessera);
  } catch {
    throw new TypeError(`tessera must be Tessera's URL, like https://tessera.example.com: got ${JSON.stringify(tessera)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`tessera must be an http: or https: URL: got ${url.protocol}`);
  if (url.search || url.hash || url.username || url.password) throw new TypeError('tessera must be a base URL without query, fragment or credentials');
  return url.href.replace(/\/+$/, '');
}

/**
 * Makes a verifier for one API (one audience). Bearer tokens are verified here, against Tessera's key set
 * (fetched, cached, refetched for an unknown `kid`: follows key rotation): signature, `typ` at+jwt, issuer,
 * audience, expiry. Then, for every kind of credential, Tessera's forward-auth says whether it is still
 * good (not revoked, its client or key not deactivated, its platform and kind allowed for this API), and
 * who it is. That answer is remembered per credential for statusTtlMs, and one question per credential is
 * in flight at a time, so a busy API asks Tessera about each credential once a second at most.
 */
export function createVerifier(options: VerifierOptions): Verifier {
  return new TesseraVerifier(options);
}

class TesseraVerifier implements Verifier {
  readonly audience: string;
  private readonly issuer: string;
  private readonly statusTtlMs: number;
  private readonly now: () => number;
  private readonly cache: Lru<Entry>;
  private readonly inFlight = new Map<string, Promise<Entry>>();
  private readonly status: StatusClient;
  private readonly keys: (header: JWTHeaderParameters, token: FlattenedJWSInput) => ReturnType<ReturnType<typeof createRemoteJWKSet>>;
  private closed = false;

  constructor(options: VerifierOptions) {
    if (typeof options?.audience !== 'string' || options.audience === '') throw new TypeError("audience must be the API's audience, as registered with tessera api add");
    const base = baseUrl(options.tessera);
    const timeoutMs = positiveInteger('timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS, 1);
    this.audience = options.audience;
    this.issuer = options.issuer ?? base;
    this.statusTtlMs = positiveInteger('statusTtlMs', options.statusTtlMs, DEFAULT_STATUS_TTL_MS, 0);
    if (options.now !== undefined && typeof options.now !== 'function') throw new TypeError('now must be a function returning ms since the epoch');
    this.now = options.now ?? (() => Date.now());
    this.cache = new Lru(positiveInteger('maxEntries', options.maxEntries, DEFAULT_MAX_ENTRIES, 1));

    const forwardAuth = new URL(`${base}/forward-auth`);
    forwardAuth.searchParams.set('audience', this.audience);
    this.status = new StatusClient(forwardAuth, timeoutMs);

    const jwksUrl = new URL(`${base}/.well-known/jwks.json`);
    const remote = createRemoteJWKSet(jwksUrl, { timeoutDuration: timeoutMs, cooldownDuration: JWKS_COOLDOWN_MS, cacheMaxAge: JWKS_MAX_AGE_MS });
    this.keys = async (header, token) => {
      try {
        return await remote(header, token);
      } catch (error) {
        // No key for the token's kid or alg: the token's fault. Anything else (unreachable, timeout, not
        // 200, not a key set) is Tessera's, and says nothing about the token: 503, never an allow.
        if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys || error instanceof errors.JOSENotSupported) throw error;
        throw unavailable(`Tessera's keys could not be fetched from ${jwksUrl.href} (${describeFetchError(error)})`, error);
      }
    };
  }

  async verify(request: VerifyRequest): Promise<TesseraPrincipal> {
    if (this.closed) throw unavailable('The verifier is closed');
    const authorization = this.authorizationOf(request);
    const key = credentialKey(authorization);
    const remembered = this.cache.get(key);
    if (remembered && Date.now() < remembered.until) return this.settle(key, remembered);

    // A token verified here before keeps its signature and claims: once its answer is statusTtlMs old, only
    // its status is asked again (a key Tessera dropped is refused there), and no signature is checked twice.
    let tokenExpiresAt = remembered?.tokenExpiresAt;
    if (tokenExpiresAt !== undefined && this.now() >= tokenExpiresAt) {
      this.cache.delete(key);
      throw invalidToken(this.audience, 'The token has expired');
    }
    const space = authorization?.indexOf(' ') ?? -1;
    const scheme = authorization === undefined ? '' : (space < 0 ? authorization : authorization.slice(0, space)).toLowerCase();
    if (scheme === 'bearer' && tokenExpiresAt === undefined) {
      const token = space < 0 ? '' : authorization!.slice(space + 1).trim();
      if (!B64TOKEN.test(token)) throw invalidRequest(this.audience, 'The Bearer credentials are malformed: expected Authorization: Bearer <access token>');
      tokenExpiresAt = await this.verifyToken(token);
    }
    // No credentials, Basic, another scheme: Tessera answers, as it does for a proxy (its challenges and words).
    return this.settle(key, await this.ask(key, authorization, tokenExpiresAt, request.ip));
  }

  cached(request: VerifyRequest): TesseraPrincipal | undefined {
    if (this.closed) return undefined;
    const key = credentialKey(this.authorizationOf(request));
    const remembered = this.cache.get(key);
    return remembered && Date.now() < remembered.until ? this.settle(key, remembered) : undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cache.clear();
    this.inFlight.clear();
    this.status.close();
  }

  /**
   * The request's one Authorization header. Two are refused (RFC 6750 §3.1 invalid_request): a proxy and
   * this verifier might each read another one.
   */
  private authorizationOf(request: VerifyRequest): string | undefined {
    const { headers, rawHeaders } = request;
    if (rawHeaders) {
      let count = 0;
      for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === 'authorization') count++;
      if (count > 1) throw invalidRequest(this.audience, 'Send credentials once: one Authorization header');
    }
    if (typeof (headers as Pick<Headers, 'get'>).get === 'function') return (headers as Pick<Headers, 'get'>).get('authorization') ?? undefined;
    const value = (headers as IncomingHttpHeaders).authorization as string | string[] | undefined;
    if (Array.isArray(value)) {
      if (value.length > 1) throw invalidRequest(this.audience, 'Send credentials once: one Authorization header');
      return value[0];
    }
    return value;
  }

  /** Verifies a token offline (RFC 9068 §4) and returns its `exp` in ms; refuses it with Tessera's words. */
  private async verifyToken(token: string): Promise<number> {
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        issuer: this.issuer,
        audience: this.audience,
        typ: ACCESS_TOKEN_TYPE,
        requiredClaims: REQUIRED_CLAIMS,
        currentDate: new Date(this.now()),
      });
      return payload.exp! * 1000;
    } catch (error) {
      if (error instanceof VerificationError) throw error;
      if (error instanceof errors.JWTExpired) throw invalidToken(this.audience, 'The token has expired');
      // RFC 9068 §4, RFC 6750 §3.1: a good token for another API; saying so lets its holder ask for the right one.
      if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'aud' && error.reason === 'check_failed') {
        throw invalidToken(this.audience, `The token is for another audience, not this API's: ask for a token for ${this.audience}`);
      }
      if (error instanceof errors.JWKSNoMatchingKey) throw invalidToken(this.audience, 'The token was not signed by a key of this Tessera');
      throw invalidToken(this.audience, 'The token is not valid', error);
    }
  }

  /** Tessera's answer for a credential: one question in flight per credential; answers remembered statusTtlMs. */
  private ask(key: string, authorization: string | undefined, tokenExpiresAt: number | undefined, ip: string | undefined): Promise<Entry> {
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const askedAt = Date.now();
    const question = this.status
      .ask(authorization, ip)
      .then((answer) => {
        // Counted from the question, not the answer: an allow is never reused longer than statusTtlMs after Tessera was asked.
        const entry: Entry = { answer, until: askedAt + this.statusTtlMs, tokenExpiresAt };
        if (!this.closed && this.statusTtlMs > 0) this.cache.set(key, entry);
        return entry;
      })
      .finally(() => {
        if (this.inFlight.get(key) === question) this.inFlight.delete(key);
      });
    this.inFlight.set(key, question);
    return question;
  }

  private settle(key: string, entry: Entry): TesseraPrincipal {
    const { answer } = entry;
    if (answer.kind === 'refuse') throw new VerificationError(answer.status, answer.error, answer.description, answer.headers);
    if (entry.tokenExpiresAt !== undefined && this.now() >= entry.tokenExpiresAt) {
      this.cache.delete(key);
      throw invalidToken(this.audience, 'The token has expired');
    }
    // A copy: a caller changing its principal must not change the next request's.
    return { ...answer.principal, scope: [...answer.principal.scope] };
  }
}

function describeFetchError(error: unknown): string {
  if (error instanceof errors.JWKSTimeout) return 'no answer in time';
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  return error instanceof Error ? error.message : 'no answer';
}
