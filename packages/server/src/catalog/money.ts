import { TesseraError } from '../errors/tessera-error.js';

/**
 * Exact money: amounts are whole numbers of a currency's minor unit (cents for USD), held as bigint
 * while they are computed, and exchange rates are exact decimals. No binary floating point sum is ever
 * made; a JSON number becomes minor units through its decimal spelling (JavaScript's shortest
 * round-trip text, ECMA-262 §6.1.6.1.20), so 19.99 is 1999 cents, never 1998.9999….
 */

/** An exact decimal: `digits × 10^-scale`, e.g. 1.3599 is { digits: 13599n, scale: 4 }. */
export interface Decimal {
  digits: bigint;
  scale: number;
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i;

/** The exact decimal a JSON number or a decimal string spells; undefined when it spells none (NaN, Infinity, junk). */
export function parseDecimal(value: number | string): Decimal | undefined {
  const match = DECIMAL.exec(typeof value === 'number' ? String(value) : value.trim());
  if (!match) return undefined;
  const [, sign, whole, fraction = '', exponent = '0'] = match;
  let digits = BigInt(`${sign}${whole}${fraction}`);
  let scale = fraction.length - Number(exponent);
  if (scale < 0) {
    digits *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { digits, scale };
}

const minorDigitsCache = new Map<string, number>();

/**
 * The digits of a currency's minor unit (ISO 4217: USD 2, JPY 0, KWD 3), from ICU's currency data as
 * Node ships it, so no table of ours can fall behind; undefined for a code ICU does not know.
 */
export function minorDigits(currencyCode: string): number | undefined {
  if (!/^[A-Z]{3}$/.test(currencyCode)) return undefined;
  let digits = minorDigitsCache.get(currencyCode);
  if (digits === undefined) {
    if (!Intl.supportedValuesOf('currency').includes(currencyCode)) return undefined;
    digits = new Intl.NumberFormat('en', { style: 'currency', currency: currencyCode }).resolvedOptions().maximumFractionDigits ?? 2;
    minorDigitsCache.set(currencyCode, digits);
  }
  return digits;
}

function digitsOf(currencyCode: string): number {
  const digits = minorDigits(currencyCode);
  if (digits === undefined) throw new TesseraError('invalid_input', `${currencyCode} is not an ISO 4217 currency code`);
  return digits;
}

/**
 * An amount in minor units, exactly: 19.99 USD is 1999. Refuses (undefined) an amount with more decimals
 * than the currency has (5.001 USD), rather than rounding money someone asked for.
 */
export function toMinorUnits(amount: number | string, currencyCode: string): bigint | undefined {
  const decimal = parseDecimal(amount);
  if (!decimal) return undefined;
  const digits = digitsOf(currencyCode);
  if (decimal.scale <= digits) return decimal.digits * 10n ** BigInt(digits - decimal.scale);
  const excess = 10n ** BigInt(decimal.scale - digits);
  return decimal.digits % excess === 0n ? decimal.digits / excess : undefined;
}

/**
 * Minor units as the number the views show (Tango's views carry amounts as JSON numbers): 1999 → 19.99.
 * Parsed from the exact decimal text, so the number is the nearest double to the amount, the one
 * `JSON.stringify` spells back as written.
 */
export function fromMinorUnits(minor: bigint | number, currencyCode: string): number {
  const digits = digitsOf(currencyCode);
  const value = BigInt(minor);
  const negative = value < 0n;
  const text = (negative ? -value : value).toString().padStart(digits + 1, '0');
  const decimal = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return Number(`${negative ? '-' : ''}${decimal}`);
}

/** A decimal as the number the views show (a rate's baseFx). */
export function decimalToNumber(decimal: Decimal): number {
  const negative = decimal.digits < 0n;
  const text = (negative ? -decimal.digits : decimal.digits).toString().padStart(decimal.scale + 1, '0');
  const spelled = decimal.scale === 0 ? text : `${text.slice(0, -decimal.scale)}.${text.slice(-decimal.scale)}`;
  return Number(`${negative ? '-' : ''}${spelled}`);
}

/**
 * `numerator / denominator` rounded to a whole number, half away from zero (ISO 80000-1 rounding of
 * a money amount: 0.5 cent rounds up to 1 cent, -0.5 to -1). Exact: bigint all the way.
 */
export function divideRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError('division by zero');
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const quotient = (2n * n + d) / (2n * d);
  return negative ? -quotient : quotient;
}

/** How much of `currencyCode` one unit of the base currency buys: Tango's `baseFx` (USD→CAD 1.3599). */
export interface FxRate {
  baseCurrency: string;
  rewardCurrency: string;
  baseFx: Decimal;
}

/**
 * Converts an amount in minor units along a rate, either way, rounding once, half away from zero, to
 * the target currency's minor unit:
 * - base → reward: `amount × baseFx` (100.00 USD at 1.3599 is 135.99 CAD);
 * - reward → base: `amount ÷ baseFx` (50.00 CAD at 1.3599 is 36.77 USD: 36.7674… rounded), which is how
 *   Tango charges a reward in another currency to the account's (developers.tangocard.com, "Get
 *   exchange rates": "Tango converts the reward amount from rewardCurrency to baseCurrency").
 */
export function convertMinorUnits(amount: bigint, from: string, to: string, rate: FxRate): bigint {
  if (from === to) return amount;
  const fromDigits = BigInt(digitsOf(from));
  const toDigits = BigInt(digitsOf(to));
  const scale = 10n ** BigInt(rate.baseFx.scale);
  if (rate.baseFx.digits <= 0n) throw new RangeError(`the ${rate.baseCurrency}→${rate.rewardCurrency} rate is not positive`);
  if (from === rate.baseCurrency && to === rate.rewardCurrency) {
    // amount/10^from × fx/10^scale × 10^to
    return divideRoundHalfUp(amount * rate.baseFx.digits * 10n ** toDigits, scale * 10n ** fromDigits);
  }
  if (from === rate.rewardCurrency && to === rate.baseCurrency) {
    // amount/10^from ÷ (fx/10^scale) × 10^to
    return divideRoundHalfUp(amount * scale * 10n ** toDigits, rate.baseFx.digits * 10n ** fromDigits);
  }
  throw new RangeError(`the ${rate.baseCurrency}→${rate.rewardCurrency} rate does not convert ${from} to ${to}`);
}
