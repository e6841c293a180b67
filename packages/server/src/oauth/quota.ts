import { recordTokenRefusal, type TokenRefusalDeps } from '../audit/record-token-refusal.js';
import type { AuditActor } from '../audit/record-audit.js';
import type { Config } from '../config/config.js';
import { quotaHeldUntil } from '../credentials/oauth-clients.js';
import type { Metrics } from '../metrics/metrics.js';
import type { AuthenticatedClient } from './client-auth.js';
import { OAuthError } from './oauth-error.js';
import { rateLimitHeaders, type ServiceLimit } from './ratelimit-headers.js';

/** What the quota's refusal uses: its interval, the audit log's refusal windows, the clock. */
export interface QuotaDeps extends TokenRefusalDeps {
  config: Pick<Config, 'quotaIntervalSeconds'>;
  /** Told of each refusal by the quota; none by default. */
  metrics?: Pick<Metrics, 'quotaRefused' | 'tokenRefused'>;
}

/** The token request a refusal answers: its client, where it came from (for the audit log). */
export interface QuotaRequest {
  client: AuthenticatedClient;
  origin: { sourceAddress: string; userAgent: string | null };
  /** Hears a refusal that could not be recorded. */
  onAuditError: (error: unknown) => void;
}

/**
 * Tango's quota, one new token per client per interval, as far as the client's row tells it: the refusal
 * when the row says the last token is younger than the interval, else undefined. A grant is decided by
 * the store's claim alone; this only spares a client that cannot have a token the signature and the write.
 */
export async function heldQuotaRefusal(deps: QuotaDeps, request: QuotaRequest): Promise<OAuthError | undefined> {
  const lastIssuedAt = request.client.last_issued_at;
  if (quotaHeldUntil(lastIssuedAt, deps.config.quotaIntervalSeconds * 1000, deps.now()) === undefined) return undefined;
  return quotaRefusal(deps, request, lastIssuedAt);
}

/**
 * The 400 Tango answers a client that has had its token of the interval, with Retry-After, recorded in the
 * audit log at most once a minute per client (audit/record-token-refusal.ts).
 */
export async function quotaRefusal(deps: QuotaDeps, { client, origin, onAuditError }: QuotaRequest, lastIssuedAt: number | null): Promise<OAuthError> {
  const now = deps.now();
  const intervalSeconds = deps.config.quotaIntervalSeconds;
  deps.metrics?.quotaRefused();
  deps.metrics?.tokenRefused('quota');
  const who: AuditActor = { actor: client.client_id, ...origin };
  // The refusal is the answer even when it cannot be recorded (Redis or the store away).
  await recordTokenRefusal(deps, who, { platformId: client.platform_id, clientId: client.client_id }).catch(onAuditError);
  // RFC 9110 §10.2.3. Never more than the interval: an instance whose clock is behind the one that
  // issued (or a claim in this very millisecond, rounded up) would otherwise say interval + 1.
  const wait = Math.ceil(((lastIssuedAt ?? now) + intervalSeconds * 1000 - now) / 1000);
  const retryAfter = Math.min(intervalSeconds, Math.max(1, wait));
  return new OAuthError('rate_limit_exceeded', `Client ${client.name} ${client.client_id} has exceeded the daily rate limit`, {
    // draft-ietf-httpapi-ratelimit-headers-11 §6: Retry-After no earlier than the end of the effective window (t).
    headers: { 'Retry-After': String(retryAfter), ...rateLimitHeaders(quotaLimits(intervalSeconds, 0, retryAfter)) },
  });
}

/**
 * The quota as the RateLimit fields tell it (ratelimit-headers.ts): `"quota";q=1;w={interval}`, with
 * r = 1 while the client may have a token now (t left out: no window runs) or 0 with t the seconds until
 * its next token. None when the interval is 0: no quota applies.
 */
export function quotaLimits(intervalSeconds: number, remaining: 0 | 1, resetSeconds?: number): ServiceLimit[] {
  if (intervalSeconds === 0) return [];
  return [{ policy: 'quota', quota: 1, windowSeconds: intervalSeconds, remaining, ...(remaining === 0 ? { resetSeconds } : {}) }];
}
