import { createHash, randomInt } from 'node:crypto';

/**
 * Tango-style reference order ids, e.g. RA261128-482913-705118: RA, the day (YYMMDD, UTC), then 40 random bits'
 * worth of digits; the deposits' reference ids (funding/account-funding.ts) are made here too.
 */
export function newReferenceOrderId(now: number): string {
  const day = new Date(now).toISOString().slice(2, 10).replace(/-/g, '');
  const six = () => String(randomInt(1_000_000)).padStart(6, '0');
  return `RA${day}-${six()}-${six()}`;
}

/**
 * A digest of an order's criteria (the request body, keys sorted), so that a retry under an externalRefID
 * (the same criteria: the first order again) is told from another order reusing it (a conflict).
 */
export function criteriaDigest(criteria: unknown): string {
  return createHash('sha256').update(canonicalJson(criteria)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
