import type { FastifyBaseLogger } from 'fastify';
import type { Cache } from '../cache/cache.js';
import { FailureThrottle } from '../credentials/failure-throttle.js';

/** Sign-ups are counted per address in windows of an hour (TESSERA_SIGNUP_LIMIT a window). */
export const SIGN_UP_WINDOW_MS = 3_600_000;

/**
 * Portal sign-ups per address, each counted before its password is hashed (an atomic increment that
 * refuses past the limit: credentials/failure-throttle.ts), whether it then makes a platform or not: a
 * sign-up costs a scrypt hash and may make a platform, and its answer for a taken email must not be
 * asked without limit. Shared by every instance through the cache, like the sign-in throttle.
 */
export function signUpThrottle(cache: Cache, limit: number, log: Pick<FastifyBaseLogger, 'warn'>, now: () => number): FailureThrottle {
  return new FailureThrottle(cache, limit, SIGN_UP_WINDOW_MS, log, now, {
    namespace: 'signup:address',
    message: 'Too many sign-ups from this address: try again later',
  });
}

/** Sign-up links one address may be sent per hour, whether it has an account or not. */
export const SIGN_UP_LINKS_PER_RECIPIENT = 3;

/**
 * Verified sign-ups per recipient (accounts/verified-sign-up.ts), counted before any work like the
 * address's: the form must not flood a mailbox from many source addresses. Keyed by the email's digest,
 * so no cache holds addresses; refused alike for an address with an account and one without.
 */
export function signUpRecipientThrottle(cache: Cache, log: Pick<FastifyBaseLogger, 'warn'>, now: () => number): FailureThrottle {
  return new FailureThrottle(cache, SIGN_UP_LINKS_PER_RECIPIENT, SIGN_UP_WINDOW_MS, log, now, {
    namespace: 'signup:recipient',
    message: 'Too many sign-up links were sent to this email in the last hour: use the newest one, or try again later',
  });
}
