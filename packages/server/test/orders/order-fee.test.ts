import { describe, expect, it } from 'vitest';
import { convertMinorUnits, parseDecimal } from '../../src/catalog/money.js';
import { orderFee } from '../../src/orders/order-fee.js';

const cadToUsd = (minor: bigint) => convertMinorUnits(minor, 'CAD', 'USD', { baseCurrency: 'USD', rewardCurrency: 'CAD', baseFx: parseDecimal('1.3599')! });
const percent = (value: string) => ({ type: 'PERCENTAGE' as const, percent: parseDecimal(value)! });

describe('an order’s fee, exact in minor units of the charged currency', () => {
  it('PERCENTAGE: that percent of the value charged, rounded once, half away from zero', () => {
    const unused = () => {
      throw new Error('a percentage is not converted');
    };
    expect(orderFee(percent('2.5'), 1010n, unused)).toBe(25n); // 25.25 ¢
    expect(orderFee(percent('2.5'), 1020n, unused)).toBe(26n); // 25.5 ¢
    expect(orderFee(percent('2.5'), 1000n, unused)).toBe(25n);
    expect(orderFee(percent('0'), 123_456n, unused)).toBe(0n);
    expect(orderFee(percent('100'), 735n, unused)).toBe(735n);
    // 0.1 % of 0.01: a twentieth of a cent is no cent.
    expect(orderFee(percent('0.1'), 1n, unused)).toBe(0n);
  });

  it('FLAT: the amount in the item’s currency, converted to the charged one as the value is', () => {
    // 1.00 CAD at USD→CAD 1.3599 is 0.7353… USD: 0.74.
    expect(orderFee({ type: 'FLAT', amount: 100n }, 735n, cadToUsd)).toBe(74n);
    expect(orderFee({ type: 'FLAT', amount: 195n }, 2500n, (minor) => minor)).toBe(195n);
    expect(orderFee({ type: 'FLAT', amount: 0n }, 2500n, cadToUsd)).toBe(0n);
  });
});
