import { recordTokenRefusal, type TokenRefusalDeps } from '../audit/record-token-refusal.js';
import type { AuditActor } from '../audit/record-audit.js';
import type { Config } from '../config/config.js';
import type { Metrics } from '../metrics/metrics.js';
import type { QuotaRequest } from './quota.js';
import { OAuthError } from './oauth-error.js';
import { rateLimitHeaders, type ServiceLimit } from './ratelimit-headers.js';

/**
 * How long a second's counter lives in the cache: the second itself, plus the time an instance whose
 * clock is behind may still count in it (NTP keeps instances within milliseconds; this allows seconds).
 * The counter of each second has a key of its own, so this bounds memory only, never the count.
 */
const SECOND_COUNTER_TTL_MS = 5_000;

/** What the rate uses: its setting, the shared counters (the cache), the audit log's refusal windows, the clock. */
export interface RateDeps extends TokenRefusalDeps {
  config: Pick<Config, 'tokenRate'>;
  /** Told of each refusal by the rate; none by default. */
  metrics?: Pick<Metrics, 'tokenRefused'>;
}

/** What the rate says of one token request: its refusal, or the client's standing to report. */
export type RateCheck = { refusal: OAuthError } | { refusal?: undefined; limits: readonly ServiceLimit[] };

/**
 * Tango's current policy (issue 22): at most TESSERA_TOKEN_RATE token requests per second per client,
 * every request of an authenticated client counted before its grant, refused ones too.
 *
 * A fixed window, counted in the shared cache (Redis when configured, so exact across instances) under a
 * key per client and per second of the clock (`deps.now()`): every instance that agrees on the time counts
 * a second's requests in one counter. The tolerance, documented in the README: a client may have up to
 * 2 × the rate in a sliding second that straddles two windows, and instances' clocks must agree (NTP) for
 * a request to be counted in the second it arrived.
 *
 * When the cache cannot be reached the request goes on uncounted, as the failure throttle's do
 * (credentials/failure-throttle.ts): an outage of Redis must not become an outage of the token endpoint;
 * `onCacheError` hears why, and no RateLimit field is sent (the count is unknown).
 */
export async function checkTokenRate(deps: RateDeps, request: QuotaRequest, onCacheError: (error: unknown) => void): Promise<RateCheck> {
  const now = deps.now();
  const second = Math.floor(now / 1000);
  const { client } = request;
  let count: number;
  try {
    ({ count } = await deps.cache.hit(`token-rate:${client.client_id}:${second}`, SECOND_COUNTER_TTL_MS));
  } catch (error) {
    onCacheError(error);
    return { limits: [] };
  }
  const rate = deps.config.tokenRate;
  // draft-ietf-httpapi-ratelimit-headers-11 §4.1.2: t, the seconds to the window's end, whole (at least 1).
  const resetSeconds = Math.max(1, Math.ceil(((second + 1) * 1000 - now) / 1000));
  const limits: ServiceLimit[] = [{ policy: 'rate', quota: rate, windowSeconds: 1, remaining: Math.max(0, rate - count), resetSeconds }];
  if (count <= rate) return { limits };
  return { refusal: await rateRefusal(deps, request, limits, resetSeconds) };
}

/**
 * The 429 of a client over its rate (RFC 6585 §4), with Retry-After (RFC 9110 §10.2.3) at the window's
 * end and the RateLimit fields, in RFC 6749 §5.2's body with the quota's error code; recorded in the audit
 * log at most once a minute per client, as the quota's refusals are (audit/record-token-refusal.ts).
 */
async function rateRefusal(deps: RateDeps, { client, origin, onAuditError }: QuotaRequest, limits: readonly ServiceLimit[], resetSeconds: number): Promise<OAuthError> {
  deps.metrics?.tokenRefused('rate');
  const who: AuditActor = { actor: client.client_id, ...origin };
  await recordTokenRefusal(deps, who, { platformId: client.platform_id, clientId: client.client_id }).catch(onAuditError);
  return new OAuthError('rate_limit_exceeded', `Client ${client.name} ${client.client_id} has exceeded ${deps.config.tokenRate} token requests per second`, {
    status: 429,
    // draft-ietf-httpapi-ratelimit-headers-11 §6: Retry-After no earlier than the end of the effective window (t).
    headers: { 'Retry-After': String(resetSeconds), ...rateLimitHeaders(limits) },
  });
}
