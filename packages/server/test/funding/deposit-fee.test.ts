import { describe, expect, it } from 'vitest';
import { centsOf, depositFeeCents, dollars } from '../../src/funding/deposit-fee.js';

describe('deposit amounts and the 3.5 % fee, in whole cents', () => {
  it('reads an amount in dollars as exact cents, from its decimal spelling rather than a binary product', () => {
    // 0.07 * 100 is 7.000000000000001 and 1.15 * 100 is 114.99999999999999 in binary floating point.
    expect([0.07, 1.15, 10.1, 100, 0.01, 100000].map(centsOf)).toStrictEqual([7, 115, 1010, 10000, 1, 10_000_000]);
  });

  it('refuses zero, negatives, fractions of a cent, too much, and what is no finite number', () => {
    for (const amount of [0, -1, 0.001, 10.005, 100000.01, 1e21, 1e-7, Number.NaN, Number.POSITIVE_INFINITY]) expect(centsOf(amount), String(amount)).toBeUndefined();
  });

  it('rounds the fee half up to the cent', () => {
    // 3.5 % of: $100 = 350 ¢; $10.10 = 35.35 ¢; $1.00 = 3.5 ¢; $0.10 = 0.35 ¢; $0.15 = 0.525 ¢; $100,000 = 350,000 ¢.
    expect([10000, 1010, 100, 10, 15, 10_000_000].map((cents) => depositFeeCents(cents))).toStrictEqual([350, 35, 4, 0, 1, 350_000]);
  });

  it('shows cents as dollars with their shortest decimal spelling', () => {
    expect([10350, 1045, 7, 11120].map(dollars).map(String)).toStrictEqual(['103.5', '10.45', '0.07', '111.2']);
  });
});
