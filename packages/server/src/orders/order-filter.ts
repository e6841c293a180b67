import { TesseraError } from '../errors/tessera-error.js';
import type { OrderFilter } from '../store/orders.js';

/**
 * The filters of Tango's GET /orders (the RaaS reference's accountIdentifier, customerIdentifier, externalRefID,
 * startDate and endDate), read once for both surfaces that list orders: the RaaS route and the portal's Orders
 * page. The reference has no status filter, and the sandbox's orders are all COMPLETE, so there is none here.
 */
export interface OrderCriteria {
  accountIdentifier?: string | undefined;
  customerIdentifier?: string | undefined;
  externalRefID?: string | undefined;
  startDate?: string | undefined;
  endDate?: string | undefined;
}

const DAY_MS = 86_400_000;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2}))?$/;

/**
 * A startDate or endDate (RFC 3339 §5.6: a full-date or a date-time) as ms since the epoch, and whether it was a
 * date alone; a TesseraError naming the parameter otherwise (2026-02-30 included).
 */
function parseDate(name: string, text: string): { at: number; dateOnly: boolean } {
  const match = RFC3339.exec(text);
  const at = match ? Date.parse(match[4] === undefined ? `${text}T00:00:00Z` : text.toUpperCase()) : NaN;
  // Date.parse rolls 2026-02-30 over to March: the day must read back as written.
  const sameDay = match && !Number.isNaN(at) && (match[4] !== undefined || new Date(at).toISOString().slice(0, 10) === text);
  if (!match || Number.isNaN(at) || !sameDay || Number(match[4] ?? 0) > 23 || Number(match[5] ?? 0) > 59 || Number(match[6] ?? 0) > 59) {
    throw new TesseraError('invalid_input', `The ${name} must be a date or date time according to RFC 3339, e.g. 2016-01-01 or 2016-01-01T00:00:00Z`);
  }
  return { at, dateOnly: match[4] === undefined };
}

/** The store's filter for `criteria`: a date alone includes its whole day, a date time is included itself. */
export function orderFilterOf(criteria: OrderCriteria): OrderFilter {
  const from = criteria.startDate === undefined ? undefined : parseDate('startDate', criteria.startDate).at;
  let before: number | undefined;
  if (criteria.endDate !== undefined) {
    const end = parseDate('endDate', criteria.endDate);
    before = end.at + (end.dateOnly ? DAY_MS : 1);
  }
  if (from !== undefined && before !== undefined && from >= before) throw new TesseraError('invalid_input', 'The startDate must not be after the endDate');
  return { accountIdentifier: criteria.accountIdentifier, customerIdentifier: criteria.customerIdentifier, externalRefID: criteria.externalRefID, from, before };
}
