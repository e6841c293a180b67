import { scrypt, type ScryptOptions } from 'node:crypto';
import type { DeriveKey } from '../../src/accounts/passwords.js';

/**
 * A key derivation that waits to be let go: the test sees how many hashes run at once (`started`) and
 * ends them when it chooses (`releaseAll`, `releaseOne`), with no timing at all. Once let go it is scrypt.
 */
export function heldDerive() {
  const held: Array<() => void> = [];
  let started = 0;
  const derive: DeriveKey = async (password, salt, cost, length) => {
    started += 1;
    await new Promise<void>((resolve) => held.push(resolve));
    const options: ScryptOptions = { N: 2 ** cost.logN, r: cost.r, p: cost.p, maxmem: 256 * 2 ** cost.logN * cost.r };
    return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, length, options, (error, key) => (error ? reject(error) : resolve(key))));
  };
  return {
    derive,
    /** Derivations begun so far. */
    started: () => started,
    releaseOne: () => held.shift()?.(),
    releaseAll: () => held.splice(0).forEach((release) => release()),
  };
}
