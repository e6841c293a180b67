// Times are shown in UTC, as the audit log and the API state them: one clock for a whole team.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

const parse = (iso: string): Date | null => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
};

/** "14 Sep 2026" (UTC). */
export function formatDate(iso: string): string {
  const d = parse(iso);
  return d ? `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}` : iso;
}

/** "14 Sep 2026, 08:12" (UTC); `never` for null. */
export function formatDateTime(iso: string | null, never = 'Never'): string {
  if (iso === null) return never;
  const d = parse(iso);
  return d ? `${formatDate(iso)}, ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}` : iso;
}

/** "2026-11-29 10:55:08", for the audit log's UTC column. */
export function formatTimestamp(iso: string): string {
  const d = parse(iso);
  return d ? d.toISOString().replace('T', ' ').slice(0, 19) : iso;
}

/**
 * Whole cents as money: 10017 → "$100.17" (USD), "€1,234.00" (EUR). The API gives integers; this only
 * divides for display, so no sum is ever made of floating-point amounts.
 */
export function formatMoney(cents: number, currency = 'USD'): string {
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency}`;
  }
}

/**
 * An amount in the currency's minor units as money: 2500 USD → "$25.00", 1500 JPY → "¥1,500" (ISO 4217's
 * digits, as the browser's Intl knows them). Orders give integers in the reward's or the account's currency.
 */
export function formatMinor(minor: number, currency: string): string {
  try {
    const format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    return format.format(minor / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
  } catch {
    return `${minor} ${currency} (minor units)`;
  }
}

/**
 * What a person typed as an amount in dollars ("100", "25.5", "1,000.00") in whole cents, exactly (read as
 * text, never multiplied as a float); null when it is not such an amount.
 */
export function parseMoney(text: string): number | null {
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text.trim().replace(/^\$/, '').replace(/,/g, ''));
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

const BRANDS: Record<string, string> = { visa: 'Visa', mastercard: 'Mastercard', amex: 'American Express', discover: 'Discover' };

/** "Visa •••• 1111" */
export function cardName(brand: string, lastFour: string): string {
  return `${BRANDS[brand] ?? 'Card'} •••• ${lastFour}`;
}
