import type { ErrorCode } from '../errors/tessera-error.js';

/** A table that gives every one of `Code` an HTTP status: missing one of them does not compile. */
export type StatusTable<Code extends string> = { readonly [C in Code]: number };

/**
 * The one mapping of the domain's error codes to HTTP statuses (RFC 9110 §15), for every surface:
 * portal/error-handler.ts, raas/error-handler.ts, oauth/oauth-error-handler.ts and app.ts each choose
 * only their body shape, and override a status only where their own standard says otherwise
 * (commented there with its reference). Exhaustive by type: a new {@link ErrorCode} has no status
 * until it is given one here, and nothing compiles before.
 */
export const STATUS_OF_CODE = {
  // RFC 9110 §15.5.1: the request is understood and refused as it is.
  invalid_input: 400,
  // RFC 9110 §15.5.5.
  not_found: 404,
  // RFC 9110 §15.5.10: the state of the resource forbids the change.
  conflict: 409,
  limit_reached: 409,
  // RFC 9110 §15.5.2: no (right) credentials.
  invalid_credentials: 401,
  invalid_token: 401,
  // RFC 6585 §4, with Retry-After.
  too_many_failures: 429,
  // The server's own fault, never the client's: shown as an unexpected error, its message kept for the log.
  invalid_config: 500,
  cannot_start: 500,
  // RFC 9110 §15.6.4, with Retry-After.
  unavailable: 503,
  busy: 503,
  // RFC 9110 §15.5.3: the payment failed (a card its issuer refused, a balance that does not cover it).
  declined: 402,
  insufficient_funds: 402,
  // The request names an item or an amount the catalog does not sell: a bad request, not a missing resource.
  unknown_item: 400,
  invalid_amount: 400,
  // An idempotency key used before for other criteria (RFC 9110 §15.5.10).
  duplicate_order: 409,
} as const satisfies StatusTable<ErrorCode>;

/** The status of a domain error's code. */
export function statusOfCode(code: ErrorCode): number {
  return STATUS_OF_CODE[code];
}

/**
 * True for a status that is the server's fault and says nothing to the client but "unexpected": the
 * error's message (which may name a file or a host) goes to the log only.
 */
export function isServerFault(status: number): boolean {
  return status >= 500 && status !== 503;
}

/** RFC 6585 §4 and RFC 9110 §10.2.3: a 429 or 503 says when to come back (Retry-After). */
export function saysWhenToComeBack(status: number): boolean {
  return status === 429 || status === 503;
}
