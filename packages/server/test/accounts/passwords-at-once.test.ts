import { describe, expect, it, vi } from 'vitest';
import { BUSY_RETRY_AFTER_SECONDS, PasswordHasher, WAITING_PER_HASH } from '../../src/accounts/passwords.js';
import { defaultPasswordHashes } from '../../src/config/config.js';
import { TesseraError } from '../../src/errors/tessera-error.js';
import { heldDerive } from '../support/held-derive.js';
import { PASSWORD } from '../support/portal.js';
import { TEST_PASSWORD_COST } from '../support/services.js';

const BUSY = { code: 'busy', message: 'The server is checking too many passwords right now: try again in a moment', retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS };

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TesseraError);
  const { code, message, retryAfterSeconds } = error as TesseraError;
  return { code, message, retryAfterSeconds };
}

describe('password hashes at once (issue 19: sign-ins starved token issuance)', () => {
  it('runs at most `atOnce` derivations, queues `waiting` more in order, and refuses the next with busy', async () => {
    const stored = await new PasswordHasher(TEST_PASSWORD_COST, { atOnce: 1 }).hash(PASSWORD);
    const held = heldDerive();
    const hasher = new PasswordHasher(TEST_PASSWORD_COST, { atOnce: 2, waiting: 3, derive: held.derive });

    const admitted = [hasher.verify(PASSWORD, stored), hasher.verify('a wrong password here', stored), hasher.hash(PASSWORD), hasher.verifyNobody(PASSWORD), hasher.verify(PASSWORD, stored)];
    await vi.waitFor(() => expect(held.started()).toBe(2));
    expect(hasher.pending).toBe(5);

    // Past the two running and the three waiting, every kind of hash is refused at once, and nothing is queued.
    expect(await refusal(hasher.verify(PASSWORD, stored))).toStrictEqual(BUSY);
    expect(await refusal(hasher.verifyNobody(PASSWORD))).toStrictEqual(BUSY);
    expect(await refusal(hasher.hash(PASSWORD))).toStrictEqual(BUSY);
    expect(hasher.pending).toBe(5);

    // One ends: the first waiting starts, and one place in the queue is free again.
    held.releaseOne();
    await vi.waitFor(() => expect(held.started()).toBe(3));
    expect(hasher.pending).toBe(4);
    const sixth = hasher.verify(PASSWORD, stored);
    expect(hasher.pending).toBe(5);
    expect(held.started()).toBe(3);
    expect(await refusal(hasher.verify(PASSWORD, stored))).toStrictEqual(BUSY);

    // Let everything go: each admitted hash gives its own answer, and never more than two ran at once.
    const settled = Promise.all([...admitted, sixth]);
    await vi.waitFor(
      () => {
        held.releaseAll();
        expect(hasher.pending).toBe(0);
      },
      { timeout: 30_000 },
    );
    expect(held.started()).toBe(6);
    const [right, wrong, hash, nobody, again, sixthResult] = await settled;
    expect({ right, wrong, nobody, again, sixthResult }).toStrictEqual({
      right: { matches: true, outdated: false },
      wrong: { matches: false, outdated: false },
      nobody: false,
      again: { matches: true, outdated: false },
      sixthResult: { matches: true, outdated: false },
    });
    expect(hash).toMatch(/^scrypt\$10\$8\$1\$/);
    expect(hasher.pending).toBe(0);
  });

  it('an unknown email spends one derivation at the current cost, through the same queue', async () => {
    const held = heldDerive();
    const hasher = new PasswordHasher(TEST_PASSWORD_COST, { atOnce: 1, waiting: 0, derive: held.derive });
    const nobody = hasher.verifyNobody(PASSWORD);
    await vi.waitFor(() => expect(held.started()).toBe(1));
    expect(await refusal(hasher.verifyNobody(PASSWORD))).toStrictEqual(BUSY);
    held.releaseAll();
    expect(await nobody).toBe(false);
    expect(held.started()).toBe(1);
  });

  it(`by default runs TESSERA_PASSWORD_HASHES' default at once, with ${WAITING_PER_HASH} waiting for each`, () => {
    const hasher = new PasswordHasher(TEST_PASSWORD_COST);
    expect({ atOnce: hasher.atOnce, waiting: hasher.waiting }).toStrictEqual({ atOnce: defaultPasswordHashes(), waiting: defaultPasswordHashes() * WAITING_PER_HASH });
    const three = new PasswordHasher(TEST_PASSWORD_COST, { atOnce: 3 });
    expect({ atOnce: three.atOnce, waiting: three.waiting }).toStrictEqual({ atOnce: 3, waiting: 3 * WAITING_PER_HASH });
  });
});
