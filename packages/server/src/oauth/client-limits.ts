import { recordAudit } from '../audit/record-audit.js';
import { recordTokenRefusal, type TokenRefusalDeps } from '../audit/record-token-refusal.js';
import type { Cache } from '../cache/cache.js';
import type { Config } from '../config/config.js';
import { type ClientTokenLimits, limitsInForce } from '../credentials/client-token-limits.js';
import type { Metrics, TokenLimitWindow } from '../metrics/metrics.js';
import type { AuthenticatedClient } from './client-auth.js';
import { OAuthError } from './oauth-error.js';
import type { QuotaRequest } from './quota.js';
import { rateLimitHeaders, type ServiceLimit } from './ratelimit-headers.js';

/**
 * How long a window's counter outlives the window in the cache: the time an instance whose clock is behind
 * may still count in it (NTP keeps instances within milliseconds). Each window has a key of its own, so this
 * bounds memory only, never the count.
 */
const COUNTER_SLACK_MS = 60_000;

/** The per-client limits' windows: fixed UTC hours and UTC days, numbered from the epoch. */
const WINDOWS: ReadonlyArray<{ window: TokenLimitWindow; ms: number; field: 'per_hour' | 'per_day' }> = [
  { window: 'hour', ms: 3_600_000, field: 'per_hour' },
  { window: 'day', ms: 86_400_000, field: 'per_day' },
];

/** What the per-client limits use: the defaults, the shared counters (the cache), the audit log, the clock. */
export interface ClientLimitDeps extends TokenRefusalDeps {
  cache: Pick<Cache, 'hit' | 'unhit' | 'peek'>;
  config: Pick<Config, 'clientTokensPerHour' | 'clientTokensPerDay' | 'clientTokenLimitMode'>;
  /** Told of each refusal (`client_limit`) and each token past an observed limit; none by default. */
  metrics?: Pick<Metrics, 'tokenRefused' | 'tokenLimitObserved'>;
}

/** One limit that applies now: its window, its number, its counter's key and the seconds to the window's end. */
interface AppliedLimit {
  window: TokenLimitWindow;
  quota: number;
  index: number;
  windowMs: number;
  key: string;
  resetSeconds: number;
}

/**
 * What the limits say of a token request: its refusal, or the client's standing with the grant counted,
 * and `release`, which gives the count back when the grant then fails (the quota's claim, a bad scope…).
 */
export type LimitClaim = { refusal: OAuthError } | { refusal?: undefined; limits: readonly ServiceLimit[]; release: () => Promise<void> };

const NOTHING_TO_RELEASE = async () => {};

function appliedLimits(limits: ClientTokenLimits, clientId: string, now: number): AppliedLimit[] {
  const applied: AppliedLimit[] = [];
  for (const { window, ms, field } of WINDOWS) {
    const quota = limits[field];
    if (quota === null) continue;
    const index = Math.floor(now / ms);
    // draft-ietf-httpapi-ratelimit-headers-11 §4.1.2: t, whole seconds to the window's end (at least 1).
    const resetSeconds = Math.max(1, Math.ceil(((index + 1) * ms - now) / 1000));
    applied.push({ window, quota, index, windowMs: ms, key: `token-limit:${window}:${clientId}:${index}`, resetSeconds });
  }
  return applied;
}

/** The RateLimit fields' entry of a limit (`"hour";q=N;w=3600`), `count` tokens issued in its window. */
function serviceLimit(limit: AppliedLimit, count: number): ServiceLimit {
  return { policy: limit.window, quota: limit.quota, windowSeconds: limit.windowMs / 1000, remaining: Math.max(0, limit.quota - count), resetSeconds: limit.resetSeconds };
}

/**
 * Per-client token limits (issue 22): counts this request's token in each window whose limit applies to
 * the client (its own, else the default: credentials/client-token-limits.ts), before its grant signs.
 *
 * Counted in the shared cache (Redis when configured), under a key per client and per fixed window of the
 * clock (`deps.now()`: the UTC hour, the UTC day), so every instance counts a window's tokens in one
 * counter. Hit, then check: the count is taken atomically with the hit, so two requests at once never both
 * pass a limit of 1; a request refused here, or whose grant then fails, takes its hit back (`unhit`), so
 * only tokens granted stay counted. The tolerance, documented in the README: never more than N tokens in
 * a window; a request may be refused while another, concurrent one past the limit has not yet taken its
 * hit back; instances' clocks must agree (NTP) on the window a request falls in.
 *
 * `enforce`: past the limit, 429 with Retry-After to the window's end, recorded like the policy's
 * refusals. `observe`: the token is issued; a metric counts it, and the audit log says so once per window.
 * The cache away: the request goes on uncounted (as the rate's do) and no field is reported.
 */
export async function claimClientLimits(
  deps: ClientLimitDeps,
  request: QuotaRequest,
  policyLimits: readonly ServiceLimit[],
  onCacheError: (error: unknown) => void,
): Promise<LimitClaim> {
  const limits = limitsInForce(request.client, deps.config);
  const now = deps.now();
  const applied = appliedLimits(limits, request.client.client_id, now);
  if (applied.length === 0) return { limits: [], release: NOTHING_TO_RELEASE };
  const hits = await Promise.allSettled(applied.map((limit) => deps.cache.hit(limit.key, limit.windowMs + COUNTER_SLACK_MS)));
  const unhit = (indexes: number[]) => Promise.all(indexes.map((i) => deps.cache.unhit(applied[i]!.key))).then(() => undefined, onCacheError);
  const counted = hits.flatMap((hit, i) => (hit.status === 'fulfilled' ? [i] : []));
  if (counted.length < applied.length) {
    onCacheError((hits.find((hit) => hit.status === 'rejected') as PromiseRejectedResult).reason);
    await unhit(counted);
    return { limits: [], release: NOTHING_TO_RELEASE };
  }
  const counts = hits.map((hit) => (hit as PromiseFulfilledResult<{ count: number }>).value.count);
  const over = applied.filter((limit, i) => counts[i]! > limit.quota);
  if (over.length > 0 && limits.mode === 'enforce') {
    await unhit(counted);
    const standing = applied.map((limit, i) => serviceLimit(limit, counts[i]! - 1));
    // The window that frees last is the one to wait for: a day's, when both are full.
    const binding = over.reduce((a, b) => (b.resetSeconds > a.resetSeconds ? b : a));
    return { refusal: await limitRefusal(deps, request, binding, [...policyLimits, ...standing]) };
  }
  for (const limit of over) await observed(deps, request, limit);
  let released = false;
  return {
    limits: applied.map((limit, i) => serviceLimit(limit, counts[i]!)),
    release: async () => {
      if (released) return;
      released = true;
      await unhit(counted);
    },
  };
}

/**
 * The client's standing in its limits without counting anything (the cache's `peek`): for the answers the
 * policy refuses before any token is counted. None when no limit applies or the cache is away.
 */
export async function clientLimitStanding(deps: ClientLimitDeps, client: AuthenticatedClient, onCacheError: (error: unknown) => void): Promise<ServiceLimit[]> {
  const applied = appliedLimits(limitsInForce(client, deps.config), client.client_id, deps.now());
  if (applied.length === 0) return [];
  try {
    const counts = await Promise.all(applied.map((limit) => deps.cache.peek(limit.key)));
    return applied.map((limit, i) => serviceLimit(limit, counts[i]!.count));
  } catch (error) {
    onCacheError(error);
    return [];
  }
}

/**
 * The 429 of a client past an enforced limit (RFC 6585 §4), with Retry-After (RFC 9110 §10.2.3) at its
 * window's end and the RateLimit fields of every limit that applies, in RFC 6749 §5.2's body with the
 * quota's error code; recorded in the audit log at most once a minute per client, as the policy's refusals
 * are (audit/record-token-refusal.ts), and counted as the policy's refusals are.
 */
async function limitRefusal(deps: ClientLimitDeps, { client, origin, onAuditError }: QuotaRequest, limit: AppliedLimit, all: readonly ServiceLimit[]): Promise<OAuthError> {
  deps.metrics?.tokenRefused('client_limit');
  await recordTokenRefusal(deps, { actor: client.client_id, ...origin }, { platformId: client.platform_id, clientId: client.client_id }).catch(onAuditError);
  return new OAuthError('rate_limit_exceeded', `Client ${client.name} ${client.client_id} has exceeded its limit of ${limit.quota} tokens per ${limit.window}`, {
    status: 429,
    // draft-ietf-httpapi-ratelimit-headers-11 §6: Retry-After no earlier than the end of the effective window (t).
    headers: { 'Retry-After': String(limit.resetSeconds), ...rateLimitHeaders(all) },
  });
}

/**
 * A token past an observed limit: counted by the metric each time, and recorded in the audit log
 * (`token_limit_observed`) once per client and window — the first one tells when it began.
 */
async function observed(deps: ClientLimitDeps, { client, origin, onAuditError }: QuotaRequest, limit: AppliedLimit): Promise<void> {
  deps.metrics?.tokenLimitObserved(limit.window);
  try {
    const { count } = await deps.cache.hit(`audit:token_limit_observed:${limit.window}:${client.client_id}:${limit.index}`, limit.windowMs + COUNTER_SLACK_MS);
    if (count !== 1) return;
    await recordAudit(deps, { actor: client.client_id, ...origin }, { platformId: client.platform_id, action: 'token_limit_observed', targetId: client.client_id });
  } catch (error) {
    onAuditError(error);
  }
}
