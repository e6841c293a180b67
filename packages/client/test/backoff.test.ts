import { describe, expect, it } from 'vitest';
import { Backoff } from '../src/backoff.js';

describe('Backoff', () => {
  it('doubles from the minimum up to the maximum', () => {
    const backoff = new Backoff(100, 1_000);
    expect([1, 2, 3, 4, 5, 6].map(() => backoff.next())).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('waits after a failure, and not before notBefore', () => {
    const backoff = new Backoff(1_000, 60_000);
    expect(backoff.waiting(0)).toBe(false);
    backoff.fail(10_000);
    expect(backoff.waiting(10_999)).toBe(true);
    expect(backoff.waiting(11_000)).toBe(false);
    backoff.fail(11_000, 50_000); // 2 s, but a Retry-After until 50 s
    expect(backoff.waiting(49_999)).toBe(true);
    expect(backoff.waiting(50_000)).toBe(false);
  });

  it('succeed() restarts the delays but keeps the running wait; clearWait() the opposite; reset() both', () => {
    const backoff = new Backoff(1_000, 60_000);
    backoff.fail(0);
    backoff.fail(0); // 2 s
    backoff.succeed();
    expect(backoff.waiting(1_999)).toBe(true);
    backoff.fail(0);
    expect(backoff.waiting(1_000)).toBe(false); // 1 s again

    backoff.fail(0); // 2 s
    backoff.clearWait();
    expect(backoff.waiting(0)).toBe(false);
    expect(backoff.next()).toBe(4_000);

    backoff.fail(0);
    backoff.reset();
    expect(backoff.waiting(0)).toBe(false);
    expect(backoff.next()).toBe(1_000);
  });
});
