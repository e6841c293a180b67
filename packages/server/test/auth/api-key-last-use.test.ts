import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiKeyLastUse } from '../../src/auth/api-key-last-use.js';
import { createApiKey, listApiKeys, setApiKeyStatus } from '../../src/credentials/api-keys.js';
import { closeServices, openServices, type Services } from '../../src/services.js';
import { appOn, startDeployment } from '../support/bootstrap.js';
import { wrongByOneCharacter } from '../support/oauth.js';
import { STORE_KINDS, TEST_PASSWORD_COST, type TestEnvironment } from '../support/services.js';
import { basic, createTenant, get, type Tenant } from '../support/tenants.js';


describe.each(STORE_KINDS)("an API key's last use (%s)", (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;
  let acme: Tenant;

  beforeAll(async () => {
    ({ env, app, services, tenants: { acme } } = await startDeployment({ store, tenants: ['acme'] }));
  });
  afterAll(async () => env?.close());
  afterEach(() => vi.restoreAllMocks());

  const lastUsed = async () => (await listApiKeys(services, 'acme')).find((k) => k.id === acme.apiKeyId)!.last_used_at;

  it('is null until the key authenticates, then written at most once a minute', async () => {
    expect(await lastUsed()).toBeNull();
    const markUsed = vi.spyOn(services.apiKeys, 'markUsed');
    const t0 = env.clock.now();
    // Neither a wrong key nor the client's token is a use of the key.
    expect((await get(app, '/raas/v2/whoami', basic('acme', wrongByOneCharacter(acme.apiKey)))).statusCode).toBe(401);
    expect((await get(app, '/raas/v2/whoami', acme.bearer)).statusCode).toBe(200);
    expect(markUsed).not.toHaveBeenCalled();

    // The first use verifies the key, the others come from the guard's memory: one write.
    for (let i = 0; i < 3; i++) expect((await get(app, '/raas/v2/whoami', acme.basic)).statusCode).toBe(200);
    await services.apiGuard.flushLastUse();
    expect(markUsed.mock.calls).toEqual([[[{ id: acme.apiKeyId, at: t0 }]]]);
    expect(await lastUsed()).toBe(new Date(t0).toISOString());

    // 59.999 s later (the status re-read on the way): still no write.
    env.clock.advance(59_999);
    expect((await get(app, '/raas/v2/whoami', acme.basic)).statusCode).toBe(200);
    await services.apiGuard.flushLastUse();
    expect(markUsed).toHaveBeenCalledTimes(1);
    // A minute after the last write: the next.
    env.clock.advance(1);
    expect((await get(app, '/raas/v2/whoami', acme.basic)).statusCode).toBe(200);
    expect((await get(app, '/raas/v2/whoami', acme.basic)).statusCode).toBe(200);
    await services.apiGuard.flushLastUse();
    expect(markUsed.mock.calls).toEqual([[[{ id: acme.apiKeyId, at: t0 }]], [[{ id: acme.apiKeyId, at: t0 + 60_000 }]]]);
    expect(await lastUsed()).toBe(new Date(t0 + 60_000).toISOString());
  });

  it('is not written for a deactivated key', async () => {
    env.clock.advance(60_000);
    await setApiKeyStatus(services, acme.apiKeyId, 'inactive');
    const markUsed = vi.spyOn(services.apiKeys, 'markUsed');
    expect((await get(app, '/raas/v2/whoami', acme.basic)).statusCode).toBe(401);
    expect(markUsed).not.toHaveBeenCalled();
    await setApiKeyStatus(services, acme.apiKeyId, 'active');
  });

  it('never moves back: an instance whose clock is behind leaves a later use in place', async () => {
    const before = await lastUsed();
    await services.apiKeys.markUsed([{ id: acme.apiKeyId, at: Date.parse(before!) - 1_000 }]);
    expect(await lastUsed()).toBe(before);
  });

  it("is written for a batch of keys in one call, each key its own use, none moved back", async () => {
    const second = await createApiKey(services, 'acme');
    const before = Date.parse((await lastUsed())!);
    await services.apiKeys.markUsed([
      { id: second.id, at: before + 5 },
      { id: acme.apiKeyId, at: before - 1 },
    ]);
    const keys = await listApiKeys(services, 'acme');
    expect(keys.find((k) => k.id === acme.apiKeyId)!.last_used_at).toBe(new Date(before).toISOString());
    expect(keys.find((k) => k.id === second.id)!.last_used_at).toBe(new Date(before + 5).toISOString());
    await setApiKeyStatus(services, second.id, 'inactive');
  });

  it('does not hold the request up: the answer comes while the write is still pending', async () => {
    env.clock.advance(60_000);
    const markUsed = vi.spyOn(services.apiKeys, 'markUsed').mockReturnValue(new Promise<void>(() => {}));
    expect((await get(app, '/raas/v2/whoami', acme.basic)).statusCode).toBe(200);
    void services.apiGuard.flushLastUse();
    expect(markUsed).toHaveBeenCalledTimes(1);
  });
});

describe('a last use that cannot be written', () => {
  let env: TestEnvironment;
  afterAll(async () => env?.close());

  it('is logged as a warning, once a minute, and the request still succeeds: no unhandled rejection', async () => {
    ({ env } = await startDeployment());
    const lines: Array<Record<string, unknown>> = [];
    const stream = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(JSON.parse(String(chunk)));
        callback();
      },
    });
    // The guard is the services' (services.ts), and warns on their log, as the server's other long-lived parts do.
    const services = await openServices(env.config, { log: pino({ level: 'warn' }, stream), now: env.clock.now, passwordCost: TEST_PASSWORD_COST });
    const app = await appOn(services, { logger: { level: 'warn', stream } });
    try {
      const acme = await createTenant(app, services, 'acme');
      const globex = await createTenant(app, services, 'globex');
      const markUsed = vi.spyOn(services.apiKeys, 'markUsed').mockRejectedValue(new Error('the store is away'));
      // Two batches fail within the minute: one warning.
      expect((await get(app, '/raas/v2/whoami', acme.basic)).statusCode).toBe(200);
      await services.apiGuard.flushLastUse();
      expect((await get(app, '/raas/v2/whoami', globex.basic)).statusCode).toBe(200);
      await services.apiGuard.flushLastUse();
      expect(markUsed).toHaveBeenCalledTimes(2);
      const warnings = lines.filter((l) => l.msg === "an API key's last use was not written");
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ level: 40, err: { message: 'the store is away' } });
      expect(JSON.stringify(lines)).not.toContain(acme.apiKey);
    } finally {
      vi.restoreAllMocks();
      await app.close();
      await closeServices(services);
    }
  });

  it('is caught even when the store throws instead of rejecting', async () => {
    const errors: unknown[] = [];
    const lastUse = new ApiKeyLastUse(
      {
        markUsed: () => {
          throw new Error('thrown');
        },
      },
      (error) => errors.push(error),
      10,
    );
    lastUse.used('key_a', 0);
    await lastUse.flush();
    expect(errors).toEqual([new Error('thrown')]);
  });
});

describe('the last uses waiting for their batch', () => {
  afterEach(() => vi.useRealTimers());

  it('are written together a second after the first of them, not one write per key', async () => {
    vi.useFakeTimers();
    const batches: Array<Array<[string, number]>> = [];
    const lastUse = new ApiKeyLastUse({ markUsed: async (uses) => void batches.push(uses.map((u): [string, number] => [u.id, u.at])) }, () => {}, 100);
    lastUse.used('key_a', 10);
    lastUse.used('key_b', 20);
    lastUse.used('key_a', 30);
    vi.advanceTimersByTime(999);
    lastUse.used('key_c', 40);
    expect(batches).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(batches).toEqual([
      [
        ['key_a', 10],
        ['key_b', 20],
        ['key_c', 40],
      ],
    ]);
    // The next use due starts the next batch's second.
    lastUse.used('key_d', 50);
    vi.advanceTimersByTime(1000);
    expect(batches).toEqual([expect.anything(), [['key_d', 50]]]);
  });

  it('are written when the server closes, before the store does', async () => {
    const { env } = await startDeployment({ open: false });
    try {
      const services = await openServices(env.config, { log: pino({ level: 'silent' }), now: env.clock.now, passwordCost: TEST_PASSWORD_COST });
      const app = await appOn(services);
      const acme = await createTenant(app, services, 'acme');
      const usedAt = new Date(env.clock.now()).toISOString();
      expect((await get(app, '/raas/v2/whoami', acme.basic)).statusCode).toBe(200);
      // Closed well within the batch's second: the use is written by the close, not by the timer.
      await app.close();
      await closeServices(services);
      const reopened = await openServices(env.config, { log: pino({ level: 'silent' }), now: env.clock.now, passwordCost: TEST_PASSWORD_COST, listen: false });
      try {
        expect((await listApiKeys(reopened, 'acme')).find((k) => k.id === acme.apiKeyId)!.last_used_at).toBe(usedAt);
      } finally {
        await closeServices(reopened);
      }
    } finally {
      await env.close();
    }
  });
});

describe('the memory of last writes', () => {
  it('holds at most maxKeys keys, forgetting the oldest first (which is then written again sooner)', async () => {
    const writes: Array<[string, number]> = [];
    // Two keys remembered, two uses to a batch: each second use of a new key writes a batch at once.
    const lastUse = new ApiKeyLastUse({ markUsed: async (uses) => void writes.push(...uses.map((u): [string, number] => [u.id, u.at])) }, () => {}, 2);
    lastUse.used('key_a', 0);
    lastUse.used('key_b', 1);
    lastUse.used('key_c', 2);
    lastUse.used('key_b', 3);
    lastUse.used('key_c', 4);
    lastUse.used('key_a', 5);
    expect(writes).toEqual([
      ['key_a', 0],
      ['key_b', 1],
      ['key_c', 2],
      ['key_a', 5],
    ]);
    // A minute after its last write (at 2), not after its last use (at 4).
    lastUse.used('key_c', 60_001);
    lastUse.used('key_c', 60_002);
    lastUse.used('key_c', 60_003);
    await lastUse.flush();
    expect(writes.slice(4)).toEqual([['key_c', 60_002]]);
  });
});
