import { Type } from 'typebox';
import * as example from './examples.js';

/**
 * The views of Tango's "Catalogs" and "Exchange Rates" operations (the console's swagger.json:
 * CatalogViewVerbose, BrandViewWithItemsVerbose, ItemViewVerbose, BrandRequirements, CostAdjustmentEntity,
 * ExchangeRatesWithDisclaimer, ExchangeRateView), with Tango's field names and required fields. The data
 * behind them is catalog/ (the seed or the operator's file, in this same format).
 */

const Fee = Type.Object({ type: Type.Optional(Type.String()), value: Type.Optional(Type.Number()) }, { description: 'Fee (CostAdjustmentEntity)' });

const BrandRequirements = Type.Object(
  {
    displayInstructions: Type.String(),
    termsAndConditionsInstructions: Type.String(),
    disclaimerInstructions: Type.String(),
    alwaysShowDisclaimer: Type.Boolean(),
  },
  { description: 'How the brand must be shown with its rewards (BrandRequirements)' },
);

/** An item's fields but its redemption instructions: the item of `verbose=false`. */
const itemFields = {
  utid: Type.String({ description: 'Utid - Unique Tango Card ID.' }),
  rewardName: Type.String(),
  currencyCode: Type.String(),
  status: Type.String(),
  valueType: Type.String({ description: 'FIXED_VALUE (faceValue) or VARIABLE_VALUE (minValue to maxValue)' }),
  rewardType: Type.String({ description: 'e.g. gift card, cash equivalent, reward link, charity' }),
  isWholeAmountValueRequired: Type.Boolean(),
  exchangeRateRule: Type.Optional(Type.String()),
  faceValue: Type.Optional(Type.Number()),
  minValue: Type.Optional(Type.Number()),
  maxValue: Type.Optional(Type.Number()),
  fee: Fee,
  createdDate: Type.String(),
  lastUpdateDate: Type.String(),
  countries: Type.Array(Type.String()),
  credentialTypes: Type.Array(Type.String()),
};

const ItemViewVerbose = Type.Object({ ...itemFields, redemptionInstructions: Type.String() }, { $id: 'ItemViewVerbose' });

/** A brand's fields but its long texts: the brand of `verbose=false`. */
const brandFields = {
  brandKey: Type.String(),
  brandName: Type.String(),
  createdDate: Type.String(),
  lastUpdateDate: Type.String(),
  brandRequirements: Type.Optional(BrandRequirements),
  imageUrls: Type.Record(Type.String(), Type.String(), { description: 'Brand images in various sizes' }),
  status: Type.String(),
};

const BrandViewWithItemsVerbose = Type.Object(
  {
    ...brandFields,
    disclaimer: Type.String(),
    description: Type.String(),
    shortDescription: Type.String(),
    terms: Type.String(),
    items: Type.Array(ItemViewVerbose),
  },
  { $id: 'BrandViewWithItemsVerbose' },
);

export const CatalogViewVerbose = Type.Object(
  { catalogName: Type.String(), brands: Type.Array(BrandViewWithItemsVerbose) },
  { $id: 'CatalogViewVerbose', description: 'The whole catalog (verbose=true, the default)', examples: [example.CATALOG_VIEW_VERBOSE] },
);

/**
 * `verbose=false`: the same catalog without each brand's description, shortDescription, terms and
 * disclaimer, nor each item's redemptionInstructions, the texts that make most of its size. Tango's
 * reference names this view CatalogView and leaves its fields undefined.
 */
export const CatalogView = Type.Object(
  {
    catalogName: Type.String(),
    brands: Type.Array(Type.Object({ ...brandFields, items: Type.Array(Type.Object(itemFields, { $id: 'ItemView' })) }, { $id: 'BrandViewWithItems' })),
  },
  { $id: 'CatalogView', description: 'The catalog without the long texts (verbose=false)' },
);

export const CatalogQuery = Type.Object({
  verbose: Type.Optional(
    Type.Boolean({ default: true, description: "Verbose payload: false leaves out brands' descriptions, terms and disclaimers and items' redemption instructions", examples: [true] }),
  ),
});

const ExchangeRateView = Type.Object(
  {
    baseCurrency: Type.String({ description: 'The currency accounts are charged in' }),
    baseFx: Type.Number({ description: 'Units of rewardCurrency for one of baseCurrency' }),
    lastModifiedDate: Type.String(),
    rewardCurrency: Type.String({ description: 'The currency of the reward' }),
  },
  { $id: 'ExchangeRateView' },
);

export const ExchangeRatesWithDisclaimer = Type.Object(
  { disclaimer: Type.String(), exchangeRates: Type.Array(ExchangeRateView) },
  { $id: 'ExchangeRatesWithDisclaimer', description: 'The exchange rates orders use', examples: [example.EXCHANGE_RATES] },
);
