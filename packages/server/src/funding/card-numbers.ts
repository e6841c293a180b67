import { TesseraError } from '../errors/tessera-error.js';

/** The brands a card number's leading digits name (ISO/IEC 7812 issuer identification numbers). */
export type CardBrand = 'visa' | 'mastercard' | 'amex' | 'discover' | 'other';

/** What the sandbox makes of a card number: its brand and last four, and how it behaves. */
export interface SandboxCard {
  brand: CardBrand;
  lastFour: string;
  /** Its charges (deposits) are declined, though it registers. */
  declinesCharges: boolean;
}

/**
 * The sandbox's test cards, as payment sandboxes publish them (Stripe's "Testing" page): 4111111111111111
 * (Visa) and 5555555555554444 (Mastercard) succeed; 4000000000000002 is declined when it is registered;
 * 4000000000000341 registers but every deposit charged to it is declined. Any other number that passes
 * the checks below registers and succeeds, as it would in those sandboxes.
 */
const DECLINED_AT_REGISTRATION = '4000000000000002';
const DECLINED_AT_CHARGE = '4000000000000341';

/**
 * Checks a card number — 12 to 19 digits (ISO/IEC 7812-1), spaces and dashes allowed between them, and
 * the Luhn check digit (ISO/IEC 7812-1 Annex B) — and tells what the sandbox does with it. Messages never
 * quote the number: it is a secret that must not reach a response or a log.
 */
export function sandboxCard(number: string): SandboxCard {
  const digits = number.replace(/[ -]/g, '');
  if (!/^\d+$/.test(digits)) throw new TesseraError('invalid_input', 'The card number must contain only digits (spaces and dashes may separate them)');
  if (digits.length < 12 || digits.length > 19) throw new TesseraError('invalid_input', 'The card number must have 12 to 19 digits');
  if (!luhnValid(digits)) throw new TesseraError('invalid_input', 'The card number is not valid: its check digit is wrong');
  if (digits === DECLINED_AT_REGISTRATION) throw new TesseraError('declined', 'The credit card was declined by its issuer');
  return { brand: brandOf(digits), lastFour: digits.slice(-4), declinesCharges: digits === DECLINED_AT_CHARGE };
}

/** The Luhn (mod 10) check: doubling every second digit from the right, the sum is a multiple of 10. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

function brandOf(digits: string): CardBrand {
  if (digits.startsWith('4')) return 'visa';
  const two = Number(digits.slice(0, 2));
  const four = Number(digits.slice(0, 4));
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return 'mastercard';
  if (two === 34 || two === 37) return 'amex';
  if (digits.startsWith('6011') || digits.startsWith('65')) return 'discover';
  return 'other';
}

/**
 * A card's expiration, YYYY-MM: it must not be over at `now` (a card is valid through the last day of its
 * month, in UTC here).
 */
export function assertNotExpired(expiration: string, now: number): void {
  const [year, month] = expiration.split('-').map(Number) as [number, number];
  if (Date.UTC(year, month, 1) <= now) throw new TesseraError('invalid_input', `The credit card expired at the end of ${expiration}`);
}

/**
 * An expiration that is not over for years, counted from `now`: December, five years on (2026 → 2031-12). What
 * the examples show and the sandbox's test tokens are registered with; the sandbox takes any month not yet
 * over (as payment sandboxes do: "any future date"), so the examples keep working whatever year it is.
 */
export function futureExpiration(now: number): string {
  return `${new Date(now).getUTCFullYear() + 5}-12`;
}
