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
 * Failed portal sign-ins counted per account and per address (credentials/failure-throttle.ts), under
 * keys of their own: neither shares a count with the token endpoint's. An account's count is kept for
 * any email, known or not, so a 429 does not tell whether the account exists.
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

  /** Throws `too_many_failures` when the address or the account has used up its failures. */
  async check(address: string, email: string): Promise<void> {
    await this.perAddress.check(address);
    await this.perAccount.check(accountKey(email));
  }

  async recordFailure(address: string, email: string): Promise<void> {
    await Promise.all([this.perAddress.recordFailure(address), this.perAccount.recordFailure(accountKey(email))]);
  }
}

/** The email's digest: the cache (Redis) holds no address. */
function accountKey(email: string): string {
  return digest(email);
}
