import { describe, expect, it } from 'vitest';
import { TesseraError } from '../../src/errors/tessera-error.js';
import { assertNotExpired, luhnValid, sandboxCard } from '../../src/funding/card-numbers.js';

describe('the sandbox card numbers', () => {
  it('derives the brand and the last four of the published test cards', () => {
    expect(sandboxCard('4111111111111111')).toStrictEqual({ brand: 'visa', lastFour: '1111', declinesCharges: false });
    expect(sandboxCard('5555 5555 5555 4444')).toStrictEqual({ brand: 'mastercard', lastFour: '4444', declinesCharges: false });
    expect(sandboxCard('2223003122003222')).toStrictEqual({ brand: 'mastercard', lastFour: '3222', declinesCharges: false });
    expect(sandboxCard('378282246310005')).toStrictEqual({ brand: 'amex', lastFour: '0005', declinesCharges: false });
    expect(sandboxCard('6011-1111-1111-1117')).toStrictEqual({ brand: 'discover', lastFour: '1117', declinesCharges: false });
    expect(sandboxCard('4000000000000341')).toStrictEqual({ brand: 'visa', lastFour: '0341', declinesCharges: true });
  });

  it('declines 4000000000000002 and refuses what is no card number, never quoting it', () => {
    const refusal = (number: string) => {
      try {
        sandboxCard(number);
      } catch (error) {
        expect(error).toBeInstanceOf(TesseraError);
        expect((error as TesseraError).message).not.toContain(number.slice(0, 6));
        return [(error as TesseraError).code, (error as TesseraError).message];
      }
      return undefined;
    };
    expect(refusal('4000000000000002')).toStrictEqual(['declined', 'The credit card was declined by its issuer']);
    expect(refusal('4111111111111112')).toStrictEqual(['invalid_input', 'The card number is not valid: its check digit is wrong']);
    expect(refusal('41111111111')).toStrictEqual(['invalid_input', 'The card number must have 12 to 19 digits']);
    expect(refusal('4111.1111.1111.1111')).toStrictEqual(['invalid_input', 'The card number must contain only digits (spaces and dashes may separate them)']);
  });

  it('checks the Luhn digit (ISO/IEC 7812-1 Annex B)', () => {
    expect(['79927398713', '4111111111111111', '0'].map(luhnValid)).toStrictEqual([true, true, true]);
    expect(['79927398710', '4111111111111121'].map(luhnValid)).toStrictEqual([false, false]);
  });

  it('takes a card through the last day of its expiration month, in UTC', () => {
    expect(() => assertNotExpired('2026-11', Date.parse('2026-11-30T23:59:59.999Z'))).not.toThrow();
    expect(() => assertNotExpired('2026-11', Date.parse('2026-12-01T00:00:00.000Z'))).toThrow('The credit card expired at the end of 2026-11');
    expect(() => assertNotExpired('2026-12', Date.parse('2027-01-01T00:00:00.000Z'))).toThrow('The credit card expired at the end of 2026-12');
  });
});
