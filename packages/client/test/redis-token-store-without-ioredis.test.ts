// ioredis is an optional peer dependency: a RedisTokenStore without it fails with a typed, stable error.
import { describe, expect, it, vi } from 'vitest';

vi.doMock('ioredis', () => {
  throw new Error("Cannot find package 'ioredis'");
});

const { RedisTokenStore, StoreError } = await import('../src/index.js');

describe('RedisTokenStore without ioredis installed', () => {
  it('rejects with a StoreError (store_error) that says what to install', async () => {
    const store = new RedisTokenStore({ url: 'redis://127.0.0.1:9' });
    const err = await store.read('k').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toMatchObject({
      code: 'store_error',
      message: 'RedisTokenStore needs the ioredis package, an optional peer dependency of @tessera/client: npm install ioredis',
    });
    await store.close();
  });
});
