import { createHash } from 'node:crypto';

/** The `prev_hash` of a chain's first entry. */
export const GENESIS_HASH = '0'.repeat(64);

type HashedFields = Readonly<Record<string, string | number | null>>;

/**
 * sha256(prevHash + canonical JSON of the fields), hex. Canonical: the keys in sorted order, so the same
 * entry hashes the same whatever order a row's columns come back in from either store. Chaining each
 * hash into the next makes a changed or removed entry break every link after it.
 */
export function chainHash(prevHash: string, fields: HashedFields): string {
  return createHash('sha256').update(prevHash + JSON.stringify(sortedFields(Object.entries(fields))), 'utf8').digest('hex');
}

/**
 * The canonical JSON {@link chainHash} covers, on either side of the number `name`, for a store that
 * fills that number in itself (PostgreSQL's quota claim numbers its audit entry, store/migrations.ts):
 * `chainHash(prev, { ...fields, [name]: n })` is sha256(prev + head + n + tail) for any integer n.
 */
export function canonicalJsonAround(fields: HashedFields, name: string): { head: string; tail: string } {
  const others = Object.entries(fields).filter(([key]) => key !== name);
  // The members of a canonical object, without its braces.
  const members = (entries: [string, string | number | null][]) => JSON.stringify(sortedFields(entries)).slice(1, -1);
  const before = members(others.filter(([key]) => key < name));
  const after = members(others.filter(([key]) => key > name));
  return { head: `{${before && `${before},`}${JSON.stringify(name)}:`, tail: `${after && `,${after}`}}` };
}

function sortedFields(entries: [string, string | number | null][]): Record<string, string | number | null> {
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : 1)));
}
