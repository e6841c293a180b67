import { Type, type Static } from 'typebox';
import { TesseraError } from '../errors/tessera-error.js';
import { checkShape, type DataSource, dataError, readJsonFile } from './data-file.js';
import { type Decimal, fromMinorUnits, minorDigits, parseDecimal, toMinorUnits } from './money.js';
import seed from './seed-catalog.json' with { type: 'json' };

/**
 * The reward catalog: brands and their items (utids), as Tango's `GET /catalogs` shows them. The seed
 * ships with the server (seed-catalog.json); TESSERA_CATALOG_FILE replaces it with the operator's own
 * file in the same format, Tango's CatalogViewVerbose (docs/catalog.md). Loaded once at start-up.
 */

const TEXT = Type.String({ maxLength: 20_000 });
const DATE = Type.String({ format: 'date-time' });
const NAME = Type.String({ minLength: 1, maxLength: 200 });
const AMOUNT = Type.Number({ minimum: 0 });

/** Tango's value types: one face value, or any amount from minValue to maxValue. */
const VALUE_TYPES = ['FIXED_VALUE', 'VARIABLE_VALUE'] as const;

/** The file's item: Tango's ItemViewVerbose, closed so that a misspelt field is refused, not ignored. */
const ItemFile = Type.Object(
  {
    utid: Type.String({ pattern: '^U[0-9]{6}$', description: "Tango's format: U and six digits" }),
    rewardName: NAME,
    currencyCode: Type.String({ pattern: '^[A-Z]{3}$' }),
    status: Type.String({ minLength: 1 }),
    valueType: Type.Enum(VALUE_TYPES),
    rewardType: Type.String({ minLength: 1 }),
    isWholeAmountValueRequired: Type.Boolean(),
    exchangeRateRule: Type.Optional(Type.String()),
    faceValue: Type.Optional(AMOUNT),
    minValue: Type.Optional(AMOUNT),
    maxValue: Type.Optional(AMOUNT),
    fee: Type.Object({ type: Type.Optional(Type.String()), value: Type.Optional(Type.Number()) }, { additionalProperties: false }),
    createdDate: DATE,
    lastUpdateDate: DATE,
    countries: Type.Array(Type.String({ pattern: '^[A-Z]{2}$' }), { minItems: 1 }),
    credentialTypes: Type.Array(Type.String({ minLength: 1 })),
    redemptionInstructions: TEXT,
  },
  { additionalProperties: false },
);

const BrandRequirementsFile = Type.Object(
  {
    displayInstructions: TEXT,
    termsAndConditionsInstructions: TEXT,
    disclaimerInstructions: TEXT,
    alwaysShowDisclaimer: Type.Boolean(),
  },
  { additionalProperties: false },
);

const BrandFile = Type.Object(
  {
    brandKey: Type.String({ pattern: '^B[0-9]{6}$', description: "Tango's format: B and six digits" }),
    brandName: NAME,
    disclaimer: TEXT,
    description: TEXT,
    shortDescription: TEXT,
    terms: TEXT,
    createdDate: DATE,
    lastUpdateDate: DATE,
    brandRequirements: Type.Optional(BrandRequirementsFile),
    imageUrls: Type.Record(Type.String(), Type.String({ format: 'uri' })),
    status: Type.String({ minLength: 1 }),
    items: Type.Array(ItemFile, { minItems: 1 }),
  },
  { additionalProperties: false },
);

/** The format of TESSERA_CATALOG_FILE: Tango's CatalogViewVerbose. */
export const CatalogFile = Type.Object({ catalogName: NAME, brands: Type.Array(BrandFile) }, { additionalProperties: false });
export type CatalogFile = Static<typeof CatalogFile>;
export type BrandFile = Static<typeof BrandFile>;
export type ItemFile = Static<typeof ItemFile>;

/**
 * What an order of an item costs on top of its value: the item's `fee` (the reference's CostAdjustmentEntity,
 * `{type, value}`). Tango's catalog shows `PERCENTAGE`, a percent of the reward's value; the sandbox also takes
 * `FLAT`, an amount in the item's currency per reward (docs/catalog.md).
 */
export type ItemFee = { type: 'PERCENTAGE'; percent: Decimal } | { type: 'FLAT'; amount: bigint };

const FEE_TYPES = ['PERCENTAGE', 'FLAT'];

/** An item as orders use it: its amounts in minor units of its currency. */
export interface CatalogItem {
  utid: string;
  rewardName: string;
  brandKey: string;
  brandName: string;
  currencyCode: string;
  valueType: (typeof VALUE_TYPES)[number];
  rewardType: string;
  status: string;
  /** FIXED_VALUE: the one amount it is sold for. */
  faceValue: bigint | undefined;
  /** VARIABLE_VALUE: the least and the most one reward may be. */
  minValue: bigint | undefined;
  maxValue: bigint | undefined;
  /** Only whole units of the currency (no cents) when true. */
  isWholeAmountValueRequired: boolean;
  fee: ItemFee;
  countries: readonly string[];
  credentialTypes: readonly string[];
  redemptionInstructions: string;
}

/** The long texts `verbose=false` leaves out of each brand (and each item's redemption instructions). */
export type BrandSummary = Omit<BrandFile, 'description' | 'shortDescription' | 'terms' | 'disclaimer' | 'items'> & {
  items: Array<Omit<ItemFile, 'redemptionInstructions'>>;
};

export class Catalog {
  private readonly byUtid = new Map<string, CatalogItem>();
  /** The views, built once: GET /catalogs serves them as they are. */
  readonly verbose: CatalogFile;
  readonly summary: { catalogName: string; brands: BrandSummary[] };

  constructor(file: CatalogFile, source: DataSource) {
    this.verbose = file;
    const brandKeys = new Set<string>();
    file.brands.forEach((brand, b) => {
      if (brandKeys.has(brand.brandKey)) throw dataError(source, `brands[${b}].brandKey`, `${brand.brandKey} appears twice`);
      brandKeys.add(brand.brandKey);
      brand.items.forEach((item, i) => {
        const at = `brands[${b}].items[${i}]`;
        if (this.byUtid.has(item.utid)) throw dataError(source, `${at}.utid`, `${item.utid} appears twice`);
        this.byUtid.set(item.utid, catalogItem(brand, item, at, source));
      });
    });
    this.summary = {
      catalogName: file.catalogName,
      brands: file.brands.map(({ description: _d, shortDescription: _s, terms: _t, disclaimer: _x, items, ...brand }) => ({
        ...brand,
        items: items.map(({ redemptionInstructions: _r, ...item }) => item),
      })),
    };
  }

  get catalogName(): string {
    return this.verbose.catalogName;
  }

  /** The item with this utid, or undefined. */
  findItem(utid: string): CatalogItem | undefined {
    return this.byUtid.get(utid);
  }

  /** Every item, in the catalog's order. */
  items(): CatalogItem[] {
    return [...this.byUtid.values()];
  }
}

function catalogItem(brand: BrandFile, item: ItemFile, at: string, source: DataSource): CatalogItem {
  if (minorDigits(item.currencyCode) === undefined) throw dataError(source, `${at}.currencyCode`, `${item.currencyCode} is not an ISO 4217 currency code`);
  const amount = (field: 'faceValue' | 'minValue' | 'maxValue'): bigint | undefined => {
    const value = item[field];
    if (value === undefined) return undefined;
    const minor = toMinorUnits(value, item.currencyCode);
    if (minor === undefined) throw dataError(source, `${at}.${field}`, `${value} has more decimals than ${item.currencyCode} has`);
    return minor;
  };
  const [faceValue, minValue, maxValue] = [amount('faceValue'), amount('minValue'), amount('maxValue')];
  if (item.valueType === 'FIXED_VALUE' && faceValue === undefined) throw dataError(source, `${at}.faceValue`, 'is required for a FIXED_VALUE item');
  if (item.valueType === 'VARIABLE_VALUE') {
    if (minValue === undefined) throw dataError(source, `${at}.minValue`, 'is required for a VARIABLE_VALUE item');
    if (maxValue === undefined) throw dataError(source, `${at}.maxValue`, 'is required for a VARIABLE_VALUE item');
    if (minValue > maxValue) throw dataError(source, `${at}.minValue`, `${item.minValue} is more than maxValue ${item.maxValue}`);
  }
  return {
    utid: item.utid,
    rewardName: item.rewardName,
    brandKey: brand.brandKey,
    brandName: brand.brandName,
    currencyCode: item.currencyCode,
    valueType: item.valueType,
    rewardType: item.rewardType,
    status: item.status,
    faceValue,
    minValue,
    maxValue,
    isWholeAmountValueRequired: item.isWholeAmountValueRequired,
    fee: itemFee(item, at, source),
    countries: item.countries,
    credentialTypes: item.credentialTypes,
    redemptionInstructions: item.redemptionInstructions,
  };
}

/** The item's fee, checked: a known type, not negative, at most 100 %, a flat amount in the currency's decimals; no value is no fee. */
function itemFee(item: ItemFile, at: string, source: DataSource): ItemFee {
  const type = item.fee.type ?? 'PERCENTAGE';
  const value = item.fee.value ?? 0;
  if (!FEE_TYPES.includes(type)) throw dataError(source, `${at}.fee.type`, `${type} is not a fee type the sandbox charges: PERCENTAGE or FLAT`);
  if (!(value >= 0)) throw dataError(source, `${at}.fee.value`, `${value} is negative`);
  if (type === 'PERCENTAGE') {
    if (value > 100) throw dataError(source, `${at}.fee.value`, `${value} is more than 100 percent`);
    return { type, percent: parseDecimal(value)! };
  }
  const amount = toMinorUnits(value, item.currencyCode);
  if (amount === undefined) throw dataError(source, `${at}.fee.value`, `${value} has more decimals than ${item.currencyCode} has`);
  return { type: 'FLAT', amount };
}

/**
 * The amount of a reward of `item`, in its minor units, or a TesseraError (`invalid_input`) saying why
 * the item cannot be ordered for `amount`: more decimals than the currency has, a fraction where whole
 * units are required, not the face value of a fixed item, or outside a variable item's range.
 */
export function rewardAmount(item: CatalogItem, amount: number): bigint {
  const minor = toMinorUnits(amount, item.currencyCode);
  const shown = (value: bigint) => `${fromMinorUnits(value, item.currencyCode)} ${item.currencyCode}`;
  if (minor === undefined) throw new TesseraError('invalid_input', `The amount ${amount} has more decimals than ${item.currencyCode} has`);
  if (minor <= 0n) throw new TesseraError('invalid_input', `The amount ${amount} is not a positive amount of ${item.currencyCode}`);
  const unit = 10n ** BigInt(minorDigits(item.currencyCode)!);
  if (item.isWholeAmountValueRequired && minor % unit !== 0n) {
    throw new TesseraError('invalid_input', `The amount ${amount} must be a whole number of ${item.currencyCode} for ${item.utid}`);
  }
  if (item.valueType === 'FIXED_VALUE' && minor !== item.faceValue) {
    throw new TesseraError('invalid_input', `The amount ${amount} is not the face value ${shown(item.faceValue!)} of ${item.utid}`);
  }
  if (item.valueType === 'VARIABLE_VALUE' && (minor < item.minValue! || minor > item.maxValue!)) {
    throw new TesseraError('invalid_input', `The amount ${amount} is outside the range ${shown(item.minValue!)} to ${shown(item.maxValue!)} of ${item.utid}`);
  }
  return minor;
}

const CATALOG_SETTING = 'TESSERA_CATALOG_FILE';

/** The catalog of `file` (TESSERA_CATALOG_FILE), or the seed when it is unset; a ConfigError naming the bad field otherwise. */
export function loadCatalog(file: string | undefined): Catalog {
  const source: DataSource = { setting: CATALOG_SETTING, file };
  const data = file === undefined ? seed : readJsonFile({ ...source, file });
  return new Catalog(checkShape<CatalogFile>(source, CatalogFile, data), source);
}
