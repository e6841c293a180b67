import type { ItemFee } from '../catalog/catalog.js';
import { divideRoundHalfUp } from '../catalog/money.js';

/**
 * The fee of an order, in minor units of the currency it is charged in: what the item's fee (catalog.ts, ItemFee)
 * adds to the value, and what the account's balance goes down by on top of it (MoneyView's `fee`; its `total` is
 * value and fee). Exact, in integers, rounded once, half away from zero, to the charged currency's minor unit:
 * - PERCENTAGE: that percent of the value charged (2.5 % of 10.10 USD is 25.25 ¢, 25 ¢);
 * - FLAT: the amount in the item's currency, converted to the charged one as the value is (`toCharged`).
 */
export function orderFee(fee: ItemFee, chargedMinor: bigint, toCharged: (itemMinor: bigint) => bigint): bigint {
  if (fee.type === 'PERCENTAGE') return divideRoundHalfUp(chargedMinor * fee.percent.digits, 100n * 10n ** BigInt(fee.percent.scale));
  return fee.amount === 0n ? 0n : toCharged(fee.amount);
}
