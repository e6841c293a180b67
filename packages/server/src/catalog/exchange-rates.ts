import { Type, type Static } from 'typebox';
import { TesseraError } from '../errors/tessera-error.js';
import { checkShape, type DataSource, dataError, readJsonFile } from './data-file.js';
import { convertMinorUnits, type FxRate, minorDigits, parseDecimal } from './money.js';
import seed from './seed-exchange-rates.json' with { type: 'json' };

/**
 * Exchange rates, as Tango's `GET /exchangerates` shows them: `baseFx` units of `rewardCurrency` for one
 * of `baseCurrency` (USD→CAD 1.3599). The seed ships with the server (seed-exchange-rates.json);
 * TESSERA_EXCHANGE_RATES_FILE replaces it with the operator's file in the same format, Tango's
 * ExchangeRatesWithDisclaimer (docs/catalog.md). Rates are exact decimals (money.ts), never floats.
 */

const Currency = Type.String({ pattern: '^[A-Z]{3}$' });

/** The format of TESSERA_EXCHANGE_RATES_FILE: Tango's ExchangeRatesWithDisclaimer. */
export const ExchangeRatesFile = Type.Object(
  {
    disclaimer: Type.String({ maxLength: 2000 }),
    exchangeRates: Type.Array(
      Type.Object(
        {
          baseCurrency: Currency,
          rewardCurrency: Currency,
          baseFx: Type.Number({ exclusiveMinimum: 0 }),
          lastModifiedDate: Type.String({ format: 'date-time' }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type ExchangeRatesFile = Static<typeof ExchangeRatesFile>;

export class ExchangeRates {
  private readonly byPair = new Map<string, FxRate>();

  constructor(
    /** The view GET /exchangerates serves, as it is. */
    readonly view: ExchangeRatesFile,
    source: DataSource,
  ) {
    view.exchangeRates.forEach((rate, i) => {
      const at = `exchangeRates[${i}]`;
      for (const field of ['baseCurrency', 'rewardCurrency'] as const) {
        if (minorDigits(rate[field]) === undefined) throw dataError(source, `${at}.${field}`, `${rate[field]} is not an ISO 4217 currency code`);
      }
      if (rate.baseCurrency === rate.rewardCurrency) throw dataError(source, `${at}.rewardCurrency`, 'is the same as baseCurrency');
      const key = pair(rate.baseCurrency, rate.rewardCurrency);
      if (this.byPair.has(key)) throw dataError(source, at, `repeats the ${rate.baseCurrency}→${rate.rewardCurrency} rate`);
      this.byPair.set(key, { baseCurrency: rate.baseCurrency, rewardCurrency: rate.rewardCurrency, baseFx: parseDecimal(rate.baseFx)! });
    });
  }

  /** The rate from `baseCurrency` to `rewardCurrency`, as listed (not inverted, not chained). */
  rate(baseCurrency: string, rewardCurrency: string): FxRate | undefined {
    return this.byPair.get(pair(baseCurrency, rewardCurrency));
  }

  /**
   * `amount` minor units of `from` in minor units of `to`: the same amount for the same currency, else
   * along the listed rate between the two, whichever way it is listed (money.ts, convertMinorUnits, says
   * how it rounds). A TesseraError (`invalid_input`) when no rate links them.
   */
  convert(amount: bigint, from: string, to: string): { amount: bigint; rate: FxRate | undefined } {
    if (from === to) return { amount, rate: undefined };
    const rate = this.rate(to, from) ?? this.rate(from, to);
    if (!rate) throw new TesseraError('invalid_input', `There is no exchange rate between ${from} and ${to}`);
    return { amount: convertMinorUnits(amount, from, to, rate), rate };
  }
}

function pair(base: string, reward: string): string {
  return `${base}>${reward}`;
}

const EXCHANGE_RATES_SETTING = 'TESSERA_EXCHANGE_RATES_FILE';

/** The rates of `file` (TESSERA_EXCHANGE_RATES_FILE), or the seed when it is unset; a ConfigError naming the bad field otherwise. */
export function loadExchangeRates(file: string | undefined): ExchangeRates {
  const source: DataSource = { setting: EXCHANGE_RATES_SETTING, file };
  const data = file === undefined ? seed : readJsonFile({ ...source, file });
  return new ExchangeRates(checkShape<ExchangeRatesFile>(source, ExchangeRatesFile, data), source);
}
