import { describe, expect, it } from 'vitest';
import { loadExchangeRates } from '../../src/catalog/exchange-rates.js';
import { convertMinorUnits, divideRoundHalfUp, fromMinorUnits, minorDigits, parseDecimal, toMinorUnits } from '../../src/catalog/money.js';

describe('exact money', () => {
  it('reads amounts into minor units through their decimal spelling, never a float product', () => {
    // 1.15 * 100 is 114.99999999999999 in binary floating point; 1.15 USD is 115 cents.
    expect(toMinorUnits(1.15, 'USD')).toBe(115n);
    expect(toMinorUnits(19.99, 'USD')).toBe(1999n);
    expect(toMinorUnits(0.01, 'USD')).toBe(1n);
    expect(toMinorUnits(2000, 'USD')).toBe(200_000n);
    expect(toMinorUnits('1e2', 'USD')).toBe(10_000n);
    expect(toMinorUnits(500, 'JPY')).toBe(500n);
    expect(toMinorUnits(1.234, 'KWD')).toBe(1234n);
    // More decimals than the currency has is refused, not rounded; so is what spells no number.
    expect(toMinorUnits(5.001, 'USD')).toBeUndefined();
    expect(toMinorUnits(1.5, 'JPY')).toBeUndefined();
    expect(toMinorUnits(Number.NaN, 'USD')).toBeUndefined();
    expect(toMinorUnits('12abc', 'USD')).toBeUndefined();
    expect(() => toMinorUnits(1, 'XYZ')).toThrow('XYZ is not an ISO 4217 currency code');
  });

  it('sums in minor units: ten times 0.10 is exactly 1.00', () => {
    let total = 0n;
    for (let i = 0; i < 10; i++) total += toMinorUnits(0.1, 'USD')!;
    expect(total).toBe(100n);
    expect(fromMinorUnits(total, 'USD')).toBe(1);
    expect(fromMinorUnits(1999n, 'USD')).toBe(19.99);
    expect(fromMinorUnits(-5n, 'USD')).toBe(-0.05);
    expect(fromMinorUnits(500, 'JPY')).toBe(500);
  });

  it('knows each currency’s minor unit from ICU', () => {
    expect([minorDigits('USD'), minorDigits('EUR'), minorDigits('JPY'), minorDigits('KWD'), minorDigits('usd'), minorDigits('XYZ')]).toStrictEqual([2, 2, 0, 3, undefined, undefined]);
  });

  it('parses decimals exactly', () => {
    expect(parseDecimal(1.3599)).toStrictEqual({ digits: 13599n, scale: 4 });
    expect(parseDecimal('-0.5')).toStrictEqual({ digits: -5n, scale: 1 });
    expect(parseDecimal(1e21)).toStrictEqual({ digits: 10n ** 21n, scale: 0 });
    expect(parseDecimal(Infinity)).toBeUndefined();
  });

  it('rounds half away from zero, once', () => {
    expect([divideRoundHalfUp(5n, 10n), divideRoundHalfUp(4n, 10n), divideRoundHalfUp(15n, 10n), divideRoundHalfUp(-5n, 10n), divideRoundHalfUp(-4n, 10n)]).toStrictEqual([1n, 0n, 2n, -1n, 0n]);
    expect(() => divideRoundHalfUp(1n, 0n)).toThrow(RangeError);
  });

  it('converts along a rate either way, rounding exactly where floating point would not', () => {
    const rates = loadExchangeRates(undefined); // the seed: USD→EUR 0.9214, USD→CAD 1.3599, USD→JPY 149.62
    // 575.00 USD × 0.9214 = 529.805 EUR exactly: half up, 529.81. Math.round(575 * 0.9214 * 100) gives 529.80.
    expect(Math.round(575 * 0.9214 * 100)).toBe(52_980);
    expect(rates.convert(57_500n, 'USD', 'EUR')).toStrictEqual({ amount: 52_981n, rate: { baseCurrency: 'USD', rewardCurrency: 'EUR', baseFx: { digits: 9214n, scale: 4 } } });
    // A reward in CAD charged to a USD account: 50.00 CAD ÷ 1.3599 = 36.7674… USD, 36.77.
    expect(rates.convert(5000n, 'CAD', 'USD').amount).toBe(3677n);
    expect(rates.convert(10_000n, 'USD', 'CAD').amount).toBe(13_599n);
    // Currencies of different minor units: 10.00 USD is 1,496.2 yen, 1,496; 1,000 yen is 6.6836… USD, 6.68.
    expect(rates.convert(1000n, 'USD', 'JPY').amount).toBe(1496n);
    expect(rates.convert(1000n, 'JPY', 'USD').amount).toBe(668n);
    expect(rates.convert(1234n, 'USD', 'USD')).toStrictEqual({ amount: 1234n, rate: undefined });
    expect(() => rates.convert(100n, 'EUR', 'CAD')).toThrow('There is no exchange rate between EUR and CAD');
    expect(() => convertMinorUnits(100n, 'EUR', 'GBP', rates.rate('USD', 'CAD')!)).toThrow(RangeError);
  });
});
