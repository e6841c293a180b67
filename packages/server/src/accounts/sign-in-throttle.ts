import type { FastifyBaseLogger } from 'fastify';
import type { Cache } from '../cache/cache.js';
import { FailureThrottle } from '../credentials/failure-throttle.js';
import { digest } from '../crypto/secrets.js';

/** Failed sign-ins one account may take per window: a password guesser gets 10 tries a quarter-hour. */
export const ACCOUNT_FAILURE_LIMIT = 10;
/** Failed sign-ins one address may make per window, over any number of accounts. */
export const ADDRESS_FAILURE_LIMIT = 100;
export const SIGN_IN_FAILURE_WINDOW_MS = 15 * 60_000;

/**
 * Portal sign-ins (and re-authentications) counted per account and per address
 * (credentials/failure-throttle.ts), under keys of their own: neither shares a count with the token
 * endpoint's. An account's count is kept for any email, known or not, so a 429 does not tell whether
 * the account exists.
 *
 * Every attempt is counted before its password is checked, and one that succeeds is given back: the
 * counts are of attempts that did not succeed (wrong passwords, and requests refused for being past
 * the limit), so a parallel burst evaluates at most the limit, while a person who signs in often, or
 * after a few typos, is never held back by their own successes. Keeping successes counted would buy
 * nothing against a guesser (a success ends the guessing) and would lock out a busy office behind one
 * address.
 */
export class SignInThrottle {
  private readonly perAccount: FailureThrottle;
  private readonly perAddress: FailureThrottle;

  constructor(cache: Cache, log: Pick<FastifyBaseLogger, 'warn'>, now: () => number) {
    this.perAccount = new FailureThrottle(cache, ACCOUNT_FAILURE_LIMIT, SIGN_IN_FAILURE_WINDOW_MS, log, now, {
      namespace: 'signinfail:account',
      message: 'Too many failed sign-ins to this account: try again later',
    });
    this.perAddress = new FailureThrottle(cache, ADDRESS_FAILURE_LIMIT, SIGN_IN_FAILURE_WINDOW_MS, log, now, {
      namespace: 'signinfail:address',
      message: 'Too many failed sign-ins from this address: try again later',
    });
  }

  /**
   * Counts an attempt from `address` at `email` before the password is checked; throws
   * `too_many_failures` when either count goes past its limit (the attempt stays counted).
   */
  async reserve(address: string, email: string): Promise<void> {
    await this.perAddress.reserve(address);
    await this.perAccount.reserve(accountKey(email));
  }

  /** Gives back a reserved attempt: its password was right, or it was never checked (the store failed). */
  async release(address: string, email: string): Promise<void> {
    await Promise.all([this.perAddress.release(address), this.perAccount.release(accountKey(email))]);
  }
}

/** The email's digest: the cache (Redis) holds no address. */
function accountKey(email: string): string {
  return digest(email);
}
