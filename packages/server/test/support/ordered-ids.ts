const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The time (ms) a time-ordered id carries in its leading 48 bits, decoded here, not by the code under test. */
export function timeOfOrderedId(id: string, prefix: string): number {
  const value = [...id.slice(prefix.length)].reduce((n, c) => n * 62n + BigInt(BASE62.indexOf(c)), 0n);
  return Number(value >> 80n);
}
