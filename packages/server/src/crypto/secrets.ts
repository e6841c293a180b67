import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Prefixes a secret scanner can recognise (GitHub/Stripe style); each kind has its own. */
export const PREFIX = {
  client: 'cli_',
  clientSecret: 'tsc_secret_',
  apiKey: 'tsk_live_',
  apiKeyId: 'key_',
  platform: 'plt_',
  auditEntry: 'aud_',
  user: 'usr_',
  invitation: 'inv_',
  /** The secret of an invitation link. */
  invitationToken: 'tsi_',
  /** The secret of a sign-up link (mailed to the address that signs up). */
  signUpToken: 'tsu_',
  /** A portal session's id, the cookie's value. */
  session: 'tss_',
} as const;

function base62(bytes: Buffer): string {
  let value = BigInt(`0x${bytes.toString('hex') || '0'}`);
  let out = '';
  while (value > 0n) {
    out = BASE62[Number(value % 62n)] + out;
    value /= 62n;
  }
  // Fixed width so every id and secret of a kind has the same length.
  const width = Math.ceil((bytes.length * 8) / Math.log2(62));
  return out.padStart(width, '0');
}

/** A random identifier: prefix + 128 bits in base62. */
export function newId(prefix: string): string {
  return prefix + base62(randomBytes(16));
}

/**
 * An identifier that sorts by time: prefix + the 48 bits of `at` (ms since the epoch) then 80 random bits,
 * in base62 of fixed width, whose characters sort as their values do (the layout of RFC 9562 §5.7's
 * UUIDv7). A row keyed by it lands at the end of its primary-key index rather than on a random page of it,
 * so appending to a table of millions of rows touches its last pages only.
 */
export function newTimeOrderedId(prefix: string, at: number): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(Math.min(Math.max(0, Math.floor(at)), 2 ** 48 - 1), 0, 6);
  return prefix + base62(bytes);
}

/** A random secret: prefix + 256 bits in base62 (43 characters). */
export function newSecret(prefix: string): string {
  return prefix + base62(randomBytes(32));
}

/**
 * SHA-256 of a secret, hex. The secrets are 256-bit random, so a fast hash is enough: there is nothing
 * to brute-force, and a database dump holds no usable secret.
 */
export function digest(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex digests of equal length. */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
