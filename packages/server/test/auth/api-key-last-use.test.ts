import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiKeyLastUse } from '../../src/auth/api-key-last-use.js';
import { listApiKeys, setApiKeyStatus } from '../../src/credentials/api-keys.js';
import { closeServices, openServices, type Services } from '../../src/services.js';
import { appOn, startDeployment } from '../support/bootstrap.js';
import { wrongByOneCharacter } from '../support/oauth.js';
import { STORE_KINDS, TEST_PASSWORD_COST, type TestEnvironment } from '../support/services.js';
import { basic, createTenant, get, type Tenant } from '../support/tenants.js';

/** Waits for the writes the guard started without waiting for them. */
async function settled(spy: { mock: { results: Array<{ value: unknown }> } }): Promise<void> {
  await Promise.allSettled(spy.mock.results.map((r) => r.value));
}

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
    await settled(markUsed);
    expect(markUsed.mock.calls).toEqual([[acme.apiKeyId, t0]]);
    expect(await lastUsed()).toBe(new Date(t0).toISOString());

    // 59.999 s later (the status re-read on the way): still no write.
    env.clock.advance(59_999);
    expect((await get(app, '/raas/v2/whoami', acme.basic)).statusCode).toBe(200);
    expect(markUsed).toHaveBeenCalledTimes(1);
    // A minute after the last write: the next.
    env.clock.advance(1);
    expect((await get(app, '/raas/v2/whoami', acme.basic)).statusCode).toBe(200);
    expect((await get(app, '/raas/v2/whoami', acme.basic)).statusCode).toBe(200);
    await settled(markUsed);
    expect(markUsed.mock.calls).toEqual([
      [acme.apiKeyId, t0],
      [acme.apiKeyId, t0 + 60_000],
    ]);
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
    await services.apiKeys.markUsed(acme.apiKeyId, Date.parse(before!) - 1_000);
    expect(await lastUsed()).toBe(before);
  });

  it('does not hold the request up: the answer comes while the write is still pending', async () => {
    env.clock.advance(60_000);
    const markUsed = vi.spyOn(services.apiKeys, 'markUsed').mockReturnValue(new Promise<void>(() => {}));
    expect((await get(app, '/raas/v2/whoami', acme.basic)).statusCode).toBe(200);
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
      expect((await get(app, '/raas/v2/whoami', acme.basic)).statusCode).toBe(200);
      expect((await get(app, '/raas/v2/whoami', globex.basic)).statusCode).toBe(200);
      await settled(markUsed);
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

  it('is caught even when the store throws instead of rejecting', () => {
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
    expect(errors).toEqual([new Error('thrown')]);
  });
});

describe('the memory of last writes', () => {
  it('holds at most maxKeys keys, forgetting the oldest first (which is then written again sooner)', async () => {
    const writes: Array<[string, number]> = [];
    const lastUse = new ApiKeyLastUse({ markUsed: async (id, now) => void writes.push([id, now]) }, () => {}, 2);
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
    expect(writes.slice(4)).toEqual([['key_c', 60_002]]);
  });
});
