import { randomBytes, scrypt, type ScryptOptions, timingSafeEqual } from 'node:crypto';
import { TesseraError } from '../errors.js';

/** scrypt's cost: N = 2^logN, block size r, parallelism p (RFC 7914 §2). */
export interface ScryptCost {
  logN: number;
  r: number;
  p: number;
}

/**
 * What a new password is hashed with: N = 2^15, r = 8, p = 1 (RFC 7914 §2; OWASP's minimum for scrypt),
 * about 32 MiB and 50–100 ms a hash. Every hash carries its own parameters, so these can be raised
 * later: a password hashed with less is hashed again at its next sign-in.
 */
export const PASSWORD_COST: ScryptCost = { logN: 15, r: 8, p: 1 };

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;

const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** `scrypt$<logN>$<r>$<p>$<salt, base64url>$<key, base64url>` */
const STORED = /^scrypt\$(\d{1,2})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

function derive(password: string, salt: Buffer, cost: ScryptCost, length: number): Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** cost.logN, r: cost.r, p: cost.p, maxmem: 256 * 2 ** cost.logN * cost.r };
  // Asynchronous: scrypt runs on libuv's thread pool, not on the event loop that serves everyone else.
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, length, options, (error, key) => (error ? reject(error) : resolve(key))));
}

/** Refuses a password outside 12–1024 characters, saying which bound. */
export function assertPasswordAcceptable(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new TesseraError('invalid_input', `The password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) throw new TesseraError('invalid_input', `The password must have at most ${MAX_PASSWORD_LENGTH} characters`);
}

/** Hashes and checks passwords with scrypt at one cost (lowered by tests only). */
export class PasswordHasher {
  /** A hash of no one's password, to check unknown emails against: see {@link verifyNobody}. */
  private dummy: Promise<string> | undefined;

  constructor(readonly cost: ScryptCost = PASSWORD_COST) {}

  /** A new hash with a fresh 16-byte salt, its parameters stored with it. */
  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const key = await derive(password, salt, this.cost, KEY_BYTES);
    const { logN, r, p } = this.cost;
    return `scrypt$${logN}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
  }

  /**
   * Whether `password` matches `stored` (compared in constant time), and whether the hash was made at a
   * lower cost than today's and should be replaced. A malformed stored value matches nothing.
   */
  async verify(password: string, stored: string): Promise<{ matches: boolean; outdated: boolean }> {
    const parts = STORED.exec(stored);
    if (!parts) return { matches: false, outdated: false };
    const cost = { logN: Number(parts[1]), r: Number(parts[2]), p: Number(parts[3]) };
    const expected = Buffer.from(parts[5]!, 'base64url');
    if (cost.logN < 1 || cost.logN > 22 || cost.r < 1 || cost.p < 1 || expected.length < 16) return { matches: false, outdated: false };
    const key = await derive(password, Buffer.from(parts[4]!, 'base64url'), cost, expected.length);
    const matches = timingSafeEqual(key, expected);
    const outdated = cost.logN < this.cost.logN || cost.r < this.cost.r || cost.p < this.cost.p;
    return { matches, outdated };
  }

  /**
   * Spends the time of one check on a password no account has, for an email no account has, so the
   * answer's timing does not tell an unknown email from a wrong password. Always false.
   */
  async verifyNobody(password: string): Promise<false> {
    this.dummy ??= this.hash(randomBytes(32).toString('base64url'));
    await this.verify(password, await this.dummy);
    return false;
  }
}
