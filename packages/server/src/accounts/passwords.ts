import { randomBytes, scrypt, type ScryptOptions, timingSafeEqual } from 'node:crypto';
import pLimit, { type LimitFunction } from 'p-limit';
import { defaultPasswordHashes } from '../config/config.js';
import { TesseraError } from '../errors/tessera-error.js';

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

/** Derives a key from a password: scrypt, unless a test holds it to see who waits. */
export type DeriveKey = (password: string, salt: Buffer, cost: ScryptCost, length: number) => Promise<Buffer>;

/** Hashes that may wait for each one that runs; one more gets `busy` (at ~70 ms a hash, about a second of waiting). */
export const WAITING_PER_HASH = 16;

/** What a refused hash tells the person to wait: the queue drains in about that. */
export const BUSY_RETRY_AFTER_SECONDS = 1;

const scryptKey: DeriveKey = (password, salt, cost, length) => {
  const options: ScryptOptions = { N: 2 ** cost.logN, r: cost.r, p: cost.p, maxmem: 256 * 2 ** cost.logN * cost.r };
  // Asynchronous: scrypt runs on libuv's thread pool, not on the event loop that serves everyone else.
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, length, options, (error, key) => (error ? reject(error) : resolve(key))));
};

/**
 * A password's length in characters, counted as Unicode code points: NIST SP 800-63B §5.1.1.2 counts
 * "each Unicode code point" as one character, and so does JSON Schema's maxLength (RFC 8259 characters).
 * JavaScript's `length` counts UTF-16 units, which would make an emoji two characters.
 */
function passwordLength(password: string): number {
  let length = 0;
  // A string's iterator steps by code points (ECMA-262 §22.1.5.1), and makes no array of them.
  for (const _ of password) length++;
  return length;
}

/** Refuses a password over 1024 characters: a sign-in's check (it may have been set under other rules). */
export function assertPasswordNotTooLong(password: string): void {
  if (passwordLength(password) > MAX_PASSWORD_LENGTH) throw new TesseraError('invalid_input', `The password must have at most ${MAX_PASSWORD_LENGTH} characters`);
}

/**
 * Refuses a new password outside 12–1024 characters (code points: {@link passwordLength}), saying which
 * bound. The one check of a new password's length: the portal's schemas leave it to this.
 */
export function assertPasswordAcceptable(password: string): void {
  if (passwordLength(password) < MIN_PASSWORD_LENGTH) throw new TesseraError('invalid_input', `The password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  assertPasswordNotTooLong(password);
}

export interface PasswordHasherOptions {
  /** Hashes that run at once (TESSERA_PASSWORD_HASHES); default: {@link defaultPasswordHashes}. */
  atOnce?: number;
  /** Hashes that may wait for one of those; default: {@link WAITING_PER_HASH} for each. */
  waiting?: number;
  derive?: DeriveKey;
}

/**
 * Hashes and checks passwords with scrypt at one cost (lowered by tests only), `atOnce` at a time.
 * scrypt runs on libuv's thread pool, which also signs access tokens (tokens/jws-sign.ts): a burst of
 * sign-ins left unbounded queued every signature behind dozens of 70 ms hashes (issue 19). So no more
 * than `atOnce` hashes are ever handed to the pool, which bin/tessera.js makes that many threads larger
 * than the signing threads; `waiting` more wait their turn in order, and past them a hash is refused at
 * once with `busy` (the portal's 503 and Retry-After) rather than queued without end.
 */
export class PasswordHasher {
  /** A stored value no password matches, to check unknown emails against: see {@link verifyNobody}. */
  private dummy: string | undefined;
  readonly atOnce: number;
  readonly waiting: number;
  private readonly limit: LimitFunction;
  private readonly deriveKey: DeriveKey;

  constructor(
    readonly cost: ScryptCost = PASSWORD_COST,
    options: PasswordHasherOptions = {},
  ) {
    this.atOnce = options.atOnce ?? defaultPasswordHashes();
    this.waiting = options.waiting ?? this.atOnce * WAITING_PER_HASH;
    this.limit = pLimit(this.atOnce);
    this.deriveKey = options.derive ?? scryptKey;
  }

  /** Hashes running and waiting now. */
  get pending(): number {
    return this.limit.activeCount + this.limit.pendingCount;
  }

  /** Derives the key when one of the `atOnce` slots is free, in turn; refuses with `busy` when `waiting` already wait. */
  private derive(password: string, salt: Buffer, cost: ScryptCost, length: number): Promise<Buffer> {
    if (this.pending >= this.atOnce + this.waiting) {
      return Promise.reject(
        new TesseraError('busy', 'The server is checking too many passwords right now: try again in a moment', { retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS }),
      );
    }
    return this.limit(() => this.deriveKey(password, salt, cost, length));
  }

  /** A new hash with a fresh 16-byte salt, its parameters stored with it. */
  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const key = await this.derive(password, salt, this.cost, KEY_BYTES);
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
    const key = await this.derive(password, Buffer.from(parts[4]!, 'base64url'), cost, expected.length);
    const matches = timingSafeEqual(key, expected);
    const outdated = cost.logN < this.cost.logN || cost.r < this.cost.r || cost.p < this.cost.p;
    return { matches, outdated };
  }

  /**
   * Spends the time of one check on a password no account has, for an email no account has, so the
   * answer's timing does not tell an unknown email from a wrong password: one derivation at today's cost,
   * through the same slots and queue as any other. Always false.
   */
  async verifyNobody(password: string): Promise<false> {
    // A random key, not a hash of anything: no scrypt is spent making it, and no password matches it.
    const { logN, r, p } = this.cost;
    this.dummy ??= `scrypt$${logN}$${r}$${p}$${randomBytes(SALT_BYTES).toString('base64url')}$${randomBytes(KEY_BYTES).toString('base64url')}`;
    await this.verify(password, this.dummy);
    return false;
  }
}
