import { describe, expect, it } from 'vitest';
import { loadCatalog, rewardAmount } from '../../src/catalog/catalog.js';

describe('the catalog as orders use it', () => {
  const catalog = loadCatalog(undefined);

  it('finds an item by utid, with its amounts in minor units', () => {
    expect(catalog.findItem('U561593')).toStrictEqual({
      utid: 'U561593',
      rewardName: 'Amazon.com Gift Card',
      brandKey: 'B916708',
      brandName: 'Amazon.com',
      currencyCode: 'USD',
      valueType: 'VARIABLE_VALUE',
      rewardType: 'gift card',
      status: 'active',
      faceValue: undefined,
      minValue: 1n,
      maxValue: 200_000n,
      isWholeAmountValueRequired: false,
      fee: { type: 'PERCENTAGE', percent: { digits: 0n, scale: 0 } },
      countries: ['US'],
      credentialTypes: ['claimCode'],
      redemptionInstructions: '<p>Go to amazon.com/redeem and enter the claim code.</p>',
    });
    expect(catalog.findItem('U857123')).toMatchObject({ valueType: 'FIXED_VALUE', faceValue: 1000n, brandName: 'Starbucks' });
    // The seed's one item with a fee: the Visa reward card, 2.5 % of its value (docs/catalog.md).
    expect(catalog.items().filter((item) => item.fee.type !== 'PERCENTAGE' || item.fee.percent.digits !== 0n)).toStrictEqual([
      expect.objectContaining({ utid: 'U247896', fee: { type: 'PERCENTAGE', percent: { digits: 25n, scale: 1 } } }),
    ]);
    expect(catalog.findItem('U000000')).toBeUndefined();
    expect(catalog.items()).toHaveLength(17);
    expect(catalog.catalogName).toBe('Tessera Sandbox Catalog');
  });

  it('accepts an amount only within what the item is sold for', () => {
    const amazon = catalog.findItem('U561593')!;
    expect(rewardAmount(amazon, 25.5)).toBe(2550n);
    expect(rewardAmount(amazon, 0.01)).toBe(1n);
    expect(rewardAmount(amazon, 2000)).toBe(200_000n);
    expect(() => rewardAmount(amazon, 2000.01)).toThrow('The amount 2000.01 is outside the range 0.01 USD to 2000 USD of U561593');
    expect(() => rewardAmount(amazon, 0)).toThrow('The amount 0 is not a positive amount of USD');
    expect(() => rewardAmount(amazon, 1.001)).toThrow('The amount 1.001 has more decimals than USD has');
    expect(() => rewardAmount(catalog.findItem('U857123')!, 11)).toThrow('The amount 11 is not the face value 10 USD of U857123');
    expect(rewardAmount(catalog.findItem('U857123')!, 10)).toBe(1000n);
    // Apple asks for whole dollars.
    expect(() => rewardAmount(catalog.findItem('U664810')!, 10.5)).toThrow('The amount 10.5 must be a whole number of USD for U664810');
    expect(rewardAmount(catalog.findItem('U664810')!, 10)).toBe(1000n);
  });
});
