import { expect, it } from 'vitest';
import type { TokenRecord, TokenStore } from '../../src/index.js';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const DAY = 86_400_000;

export function token(accessToken: string, expiresAt: number): TokenRecord {
  return { accessToken, tokenType: 'Bearer', scope: 'raas.all', obtainedAt: expiresAt - DAY, expiresAt };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The guarantees every TokenStore gives, run against each implementation. */
export function storeContract(make: () => TokenStore): void {
  it('reads nothing for an unknown key', async () => {
    expect(await make().read('token:unknown')).toEqual({ token: null, retryAt: null });
  });

  it('writes a token and reads it back exactly', async () => {
    const store = make();
    expect(await store.write('k1', token('tok-a', T0 + DAY), DAY)).toEqual(token('tok-a', T0 + DAY));
    expect(await store.read('k1')).toEqual({ token: token('tok-a', T0 + DAY), retryAt: null });
  });

  it('never replaces a token by one that expires earlier or at the same time (compare-and-set)', async () => {
    const store = make();
    await store.write('k1', token('tok-later', T0 + 2 * DAY), DAY);
    expect(await store.write('k1', token('tok-earlier', T0 + DAY), DAY)).toEqual(token('tok-later', T0 + 2 * DAY));
    expect(await store.write('k1', token('tok-same', T0 + 2 * DAY), DAY)).toEqual(token('tok-later', T0 + 2 * DAY));
    expect((await store.read('k1')).token).toEqual(token('tok-later', T0 + 2 * DAY));
    expect(await store.write('k1', token('tok-latest', T0 + 3 * DAY), DAY)).toEqual(token('tok-latest', T0 + 3 * DAY));
    expect((await store.read('k1')).token).toEqual(token('tok-latest', T0 + 3 * DAY));
  });

  it('deletes a token only if it is the one named (compare-and-delete)', async () => {
    const store = make();
    await store.write('k1', token('tok-a', T0 + DAY), DAY);
    expect(await store.delete('k1', 'tok-other')).toBe(false);
    expect((await store.read('k1')).token).toEqual(token('tok-a', T0 + DAY));
    expect(await store.delete('k1', 'tok-a')).toBe(true);
    expect((await store.read('k1')).token).toBeNull();
    expect(await store.delete('k1', 'tok-a')).toBe(false);
  });

  it('keeps keys apart', async () => {
    const store = make();
    await store.write('k1', token('tok-1', T0 + DAY), DAY);
    await store.write('k2', token('tok-2', T0 + DAY), DAY);
    await store.setRetryAt('k2', T0 + 60_000, 60_000);
    expect(await store.read('k1')).toEqual({ token: token('tok-1', T0 + DAY), retryAt: null });
    expect(await store.read('k2')).toEqual({ token: token('tok-2', T0 + DAY), retryAt: T0 + 60_000 });
  });

  it('clears retryAt on clearRetryAt, keeping the token', async () => {
    const store = make();
    await store.write('k1', token('tok-1', T0 + DAY), DAY);
    await store.setRetryAt('k1', T0 + 60_000, 60_000);
    await store.clearRetryAt!('k1');
    expect(await store.read('k1')).toEqual({ token: token('tok-1', T0 + DAY), retryAt: null });
    await store.clearRetryAt!('k-unknown');
    await store.setRetryAt('k1', T0 + 30_000, 60_000);
    expect((await store.read('k1')).retryAt).toBe(T0 + 30_000);
  });

  it('keeps the later retryAt', async () => {
    const store = make();
    await store.setRetryAt('k1', T0 + 60_000, 60_000);
    await store.setRetryAt('k1', T0 + 30_000, 60_000);
    expect((await store.read('k1')).retryAt).toBe(T0 + 60_000);
    await store.setRetryAt('k1', T0 + 90_000, 60_000);
    expect((await store.read('k1')).retryAt).toBe(T0 + 90_000);
  });

  it('drops entries after their TTL', async () => {
    const store = make();
    await store.write('k1', token('tok-a', T0 + DAY), 60);
    await store.setRetryAt('k1', T0 + 60_000, 60);
    await sleep(120);
    expect(await store.read('k1')).toEqual({ token: null, retryAt: null });
  });

  it('gives the lock to one holder at a time', async () => {
    const store = make();
    const results = await Promise.all(Array.from({ length: 10 }, () => store.lock('k1', 10_000)));
    const held = results.filter((l) => l !== null);
    expect(held).toHaveLength(1);
    expect(await store.lock('k1', 10_000)).toBeNull();
    expect(await store.lock('k2', 10_000)).not.toBeNull();
    await held[0]!.release();
    const next = await store.lock('k1', 10_000);
    expect(next).not.toBeNull();
    await next!.release();
  });

  it('lets a lock expire, and a late release does not free the next holder’s lock', async () => {
    const store = make();
    const first = await store.lock('k1', 80);
    expect(first).not.toBeNull();
    await sleep(150);
    const second = await store.lock('k1', 10_000);
    expect(second).not.toBeNull();
    await first!.release(); // too late: it is not the holder any more
    expect(await store.lock('k1', 10_000)).toBeNull();
    await second!.release();
    expect(await store.lock('k1', 10_000)).not.toBeNull();
  });
}
