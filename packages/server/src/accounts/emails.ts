import { TesseraError } from '../errors/tessera-error.js';
import { emailSpelling } from '../store/email-spelling.js';

/** RFC 5321 §4.5.3.1.3: a path of at most 256 octets, so an address of at most 254 characters. */
export const MAX_EMAIL_LENGTH = 254;

/**
 * One spelling per address, wherever an email is stored or compared: Unicode NFKC, lower-cased and
 * trimmed (store/email-spelling.ts says why NFKC). (RFC 5321 lets a server treat the local part as
 * case-sensitive; no provider a team uses does, and two accounts for Bob@ and bob@ would be a trap, as
 * would two for the NFC and NFD spellings of josé@.)
 */
export function normaliseEmail(email: string): string {
  return emailSpelling(email);
}

// One @, something before it, a domain with a dot after it, no spaces or control characters: the
// shape a person can mistype, not RFC 5322's grammar, which allows what no mail system delivers.
const EMAIL = /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]+$/u;

/** The normalised address, or `invalid_input` saying why it is not one. */
export function validEmail(email: string): string {
  const normalised = normaliseEmail(email);
  if (normalised.length > MAX_EMAIL_LENGTH) throw new TesseraError('invalid_input', `The email must have at most ${MAX_EMAIL_LENGTH} characters`);
  if (!EMAIL.test(normalised)) throw new TesseraError('invalid_input', 'The email is not an address: use name@example.com');
  return normalised;
}
