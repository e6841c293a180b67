import {
  InvalidClientError,
  InvalidResponseError,
  NetworkError,
  RateLimitedError,
  TokenRequestError,
  type TokenError,
} from './errors.js';
import type { TokenRecord } from './token-store.js';

/** Used when a quota answer carries no usable `Retry-After`. */
export const DEFAULT_RETRY_AFTER_MS = 5 * 60_000;

export interface TokenRequestParams {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  audience: string | undefined;
  scope: string;
  fetch: typeof globalThis.fetch;
  timeoutMs: number;
  now: () => number;
  redact: (text: string) => string;
}

/**
 * POSTs a client credentials grant (RFC 6749 §4.4) to the token endpoint and turns the answer into a
 * {@link TokenRecord} or a typed error. Expiry is `arrival + expires_in`, on the injected clock.
 */
export async function requestToken(p: TokenRequestParams): Promise<TokenRecord> {
  // Client authentication in the body (client_secret_post, RFC 6749 §2.3.1), as Tango documents it.
  const body = new URLSearchParams();
  body.set('grant_type', 'client_credentials');
  body.set('client_id', p.clientId);
  body.set('client_secret', p.clientSecret);
  if (p.audience !== undefined) body.set('audience', p.audience);
  body.set('scope', p.scope);

  let res: Response;
  let text: string;
  let receivedAt: number;
  try {
    res = await p.fetch(p.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: body.toString(),
      // Never follow a redirect: it would carry the client secret to wherever it points.
      redirect: 'manual',
      signal: AbortSignal.timeout(p.timeoutMs),
    });
    receivedAt = p.now();
    text = await res.text();
  } catch (err) {
    const reason = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${p.timeoutMs} ms` : describeNetworkError(err);
    throw new NetworkError(p.redact(`Token request to ${p.tokenUrl} failed: ${reason}`), { cause: err });
  }

  const json = parseJson(text);
  if (res.status >= 200 && res.status < 300) return toRecord(json, receivedAt);
  throw classifyError(res, json, text, receivedAt, p);
}

function toRecord(json: unknown, receivedAt: number): TokenRecord {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InvalidResponseError('Token response is not a JSON object');
  }
  const body = json as Record<string, unknown>;
  if (typeof body.access_token !== 'string' || body.access_token.length === 0) {
    throw new InvalidResponseError('Token response has no access_token');
  }
  const expiresIn = typeof body.expires_in === 'string' && /^\d+$/.test(body.expires_in) ? Number(body.expires_in) : body.expires_in;
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
    // Without expires_in we would have to trust the local clock against the JWT's exp: refuse instead.
    throw new InvalidResponseError('Token response has no valid expires_in');
  }
  if (body.token_type !== undefined && (typeof body.token_type !== 'string' || body.token_type.toLowerCase() !== 'bearer')) {
    throw new InvalidResponseError('Token response has a token_type other than Bearer');
  }
  return {
    accessToken: body.access_token,
    tokenType: 'Bearer',
    scope: typeof body.scope === 'string' ? body.scope : null,
    obtainedAt: receivedAt,
    expiresAt: receivedAt + Math.round(expiresIn * 1000),
  };
}

function classifyError(res: Response, json: unknown, text: string, receivedAt: number, p: TokenRequestParams): TokenError {
  const body = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  const oauthError = typeof body.error === 'string' ? body.error : undefined;
  const description =
    typeof body.error_description === 'string' ? body.error_description : typeof body.message === 'string' ? body.message : undefined;
  const detail = p.redact(
    `HTTP ${res.status}${oauthError ? ` ${oauthError}` : ''}${description ? `: ${truncate(description)}` : ''}`,
  );

  // Tango answers 400 with "... has exceeded the daily rate limit"; Tessera adds error=rate_limit_exceeded.
  const quota =
    res.status === 429 ||
    oauthError === 'rate_limit_exceeded' ||
    (res.status === 400 && /exceeded the daily rate limit/i.test(description ?? text));
  if (quota) {
    // An HTTP-date is read against the injected clock, like the expiry (the arrival time of the answer).
    const delay = parseRetryAfter(res.headers.get('retry-after'), receivedAt) ?? DEFAULT_RETRY_AFTER_MS;
    return new RateLimitedError(`Token quota exceeded (${detail})`, receivedAt + delay, res.status);
  }
  if (res.status === 401 || oauthError === 'invalid_client') {
    return new InvalidClientError(`Token endpoint rejected the client credentials (${detail})`, res.status);
  }
  if (res.status >= 300 && res.status < 400) {
    return new TokenRequestError(`Token endpoint answered with a redirect, which is not followed (${detail})`, res.status, oauthError);
  }
  return new TokenRequestError(`Token request failed (${detail})`, res.status, oauthError);
}

/**
 * `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. Returns milliseconds from `now`
 * (epoch ms, the token manager's clock; default `Date.now()`), or undefined.
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function truncate(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function describeNetworkError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // undici wraps the system error (ECONNREFUSED, ENOTFOUND, …) in `cause`.
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? `${err.message} (${code})` : `${err.message} (${cause.message})`;
  }
  return err.message;
}
