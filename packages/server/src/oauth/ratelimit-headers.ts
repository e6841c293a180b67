/**
 * The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers-11, the Structured Fields
 * syntax of RFC 9651): given the limits that apply to a client's token requests, the two fields that tell
 * the client its policies and where it stands in each. One module for every policy the token endpoint
 * enforces, so that a limit added later (per-client limits, issue 22) is one more entry in the list.
 */

/** One quota policy that applies to a client, and the client's current standing in it. */
export interface ServiceLimit {
  /** The policy's identifier, an sf-string (§3.1): `quota`, `rate`, … */
  policy: string;
  /** `q` (§3.1.1): the quota units the policy allows per window. */
  quota: number;
  /** `w` (§3.1.3): the window, in whole seconds, never 0. */
  windowSeconds: number;
  /** `r` (§4.1.1): the quota units still available. */
  remaining: number;
  /** `t` (§4.1.2): seconds within which the client can use no more than `remaining`; left out when undefined (it is OPTIONAL). */
  resetSeconds?: number;
}

/** The `RateLimit-Policy` and `RateLimit` fields, or no field at all when no limit applies. */
export type RateLimitFields = { 'RateLimit-Policy': string; RateLimit: string } | Record<string, never>;

/**
 * `RateLimit-Policy` (§3: a List of quota policy Items, each a String with its `q` and `w`) and
 * `RateLimit` (§4: a List of service limit Items, each the policy's String with `r` and `t`). §6 lets a
 * server send them on any response, throttled ones included; a client reads Retry-After first (§7).
 */
export function rateLimitHeaders(limits: readonly ServiceLimit[]): RateLimitFields {
  if (limits.length === 0) return {};
  return {
    'RateLimit-Policy': limits.map((limit) => `${sfString(limit.policy)};q=${sfInteger(limit.quota)};w=${Math.max(1, sfInteger(limit.windowSeconds))}`).join(', '),
    RateLimit: limits
      .map((limit) => `${sfString(limit.policy)};r=${sfInteger(limit.remaining)}${limit.resetSeconds === undefined ? '' : `;t=${sfInteger(limit.resetSeconds)}`}`)
      .join(', '),
  };
}

/** RFC 9651 §3.3.3: a String, its `"` and `\` escaped; only printable ASCII (the policies' names are the server's own). */
function sfString(value: string): string {
  return `"${value.replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** RFC 9651 §3.3.1: the draft's `q`, `w`, `r` and `t` are non-negative Integers (§3.1.1, §3.1.3, §4.1.1, §4.1.2). */
function sfInteger(value: number): number {
  return Math.max(0, Math.floor(value));
}

/**
 * `headers` (a refusal's, which may carry its own policy's fields) with `limits` added to the end of their
 * RateLimit-Policy and RateLimit lists (§3, §4: each is a List; two lists joined are one): per-client
 * limits (issue 22) beside the policy's. `headers` is changed and returned.
 */
export function addRateLimits(headers: Record<string, string>, limits: readonly ServiceLimit[]): Record<string, string> {
  const added = rateLimitHeaders(limits);
  if (!('RateLimit' in added)) return headers;
  for (const name of ['RateLimit-Policy', 'RateLimit'] as const) headers[name] = headers[name] ? `${headers[name]}, ${added[name]}` : added[name];
  return headers;
}
