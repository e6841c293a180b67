import { createHash } from 'node:crypto';

/** The `prev_hash` of a chain's first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * sha256(prevHash + canonical JSON of the fields), hex. Canonical: the keys in sorted order, so the same
 * entry hashes the same whatever order a row's columns come back in from either store. Chaining each
 * hash into the next makes a changed or removed entry break every link after it.
 */
export function chainHash(prevHash: string, fields: Readonly<Record<string, string | number | null>>): string {
  const canonical = JSON.stringify(Object.fromEntries(Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : 1))));
  return createHash('sha256').update(prevHash + canonical, 'utf8').digest('hex');
}
