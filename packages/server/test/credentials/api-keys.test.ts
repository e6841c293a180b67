import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { CREDENTIAL_STATUS_CHANNEL } from '../../src/credentials/credential-events.js';
import { createApiKey, deleteApiKey, listApiKeys, revealApiKey, setApiKeyStatus } from '../../src/credentials/api-keys.js';
import { createClient, deleteClient, setClientStatus } from '../../src/credentials/oauth-clients.js';
import { createPlatform } from '../../src/credentials/platforms.js';
import { digest, PREFIX } from '../../src/crypto/secrets.js';
import { TesseraError } from '../../src/errors/tessera-error.js';
import type { Services } from '../../src/services.js';
import { refusal } from '../support/refusal.js';
import { startDeployment } from '../support/bootstrap.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';
import { basic, get } from '../support/tenants.js';

describe.each(STORE_KINDS)('RaaS API keys (%s)', (store) => {
  let env: TestEnvironment;
  let services: Services;
  let app: FastifyInstance;

  beforeAll(async () => {
    ({ env, app, services } = await startDeployment({ store }));
    await createPlatform(services, 'acme');
  });
  afterAll(async () => env?.close());

  it('creates keys of 256 random bits with their own prefix, and reveals them', async () => {
    const created = await createApiKey(services, 'acme');
    expect(created.id).toMatch(/^key_[0-9A-Za-z]{22}$/);
    expect(created.api_key).toMatch(/^tsk_live_[0-9A-Za-z]{43}$/);
    expect(PREFIX.apiKey).not.toBe(PREFIX.clientSecret);
    expect(created.api_key.startsWith(PREFIX.clientSecret)).toBe(false);
    expect(await revealApiKey(services, created.id)).toStrictEqual(created);
    const stored = await services.apiKeys.find(created.id);
    expect(stored?.key_digest).toBe(digest(created.api_key));
    expect(stored?.key_sealed).toMatch(/^v1\./);
    // The sealed key is bound to its row: moved onto another id it does not open.
    expect(() => services.sealedBox.open(stored!.key_sealed, 'api-key:key_other')).toThrow();
    await setApiKeyStatus(services, created.id, 'inactive');
    await deleteApiKey(services, created.id);
  });

  it('allows at most two active keys per platform, and lists them without the keys', async () => {
    const first = await createApiKey(services, 'acme');
    const second = await createApiKey(services, 'acme');
    expect(await refusal(createApiKey(services, 'acme'))).toStrictEqual({
      code: 'limit_reached',
      message: 'Platform acme already has 2 active API keys: deactivate one first',
    });
    const listed = await listApiKeys(services, 'acme');
    // Oldest first; created in the same millisecond, so by id.
    expect(listed).toStrictEqual(
      [first.id, second.id].sort().map((id) => ({
        id,
        platform: 'acme',
        status: 'active',
        created_at: '2026-11-28T12:00:00.000Z',
        status_changed_at: '2026-11-28T12:00:00.000Z',
        last_used_at: null,
      })),
    );
    expect(JSON.stringify(listed)).not.toContain(first.api_key);

    // Rotation: deactivate one, create a third; the deactivated one cannot come back while two are active.
    env.clock.advance(1_000);
    expect(await setApiKeyStatus(services, first.id, 'inactive')).toStrictEqual({
      id: first.id,
      platform: 'acme',
      status: 'inactive',
      created_at: '2026-11-28T12:00:00.000Z',
      status_changed_at: '2026-11-28T12:00:01.000Z',
      last_used_at: null,
    });
    const third = await createApiKey(services, 'acme');
    expect(await refusal(setApiKeyStatus(services, first.id, 'active'))).toStrictEqual({
      code: 'limit_reached',
      message: 'Platform acme already has 2 active API keys: deactivate one first',
    });
    // A deactivated key can still be revealed (and reactivated later).
    expect((await revealApiKey(services, first.id)).api_key).toBe(first.api_key);

    // Delete only once deactivated.
    expect(await refusal(deleteApiKey(services, third.id))).toStrictEqual({
      code: 'conflict',
      message: `API key ${third.id} is active: deactivate it before deleting it`,
    });
    await deleteApiKey(services, first.id);
    expect(await refusal(revealApiKey(services, first.id))).toStrictEqual({ code: 'not_found', message: `API key ${first.id} does not exist` });
    for (const id of [second.id, third.id]) {
      await setApiKeyStatus(services, id, 'inactive');
      await deleteApiKey(services, id);
    }
    expect(await listApiKeys(services, 'acme')).toStrictEqual([]);
  });

  it('names what is missing', async () => {
    expect(await refusal(createApiKey(services, 'nope'))).toStrictEqual({ code: 'not_found', message: 'Platform nope does not exist' });
    expect(await refusal(listApiKeys(services, 'nope'))).toStrictEqual({ code: 'not_found', message: 'Platform nope does not exist' });
    for (const action of [
      () => revealApiKey(services, 'key_missing'),
      () => setApiKeyStatus(services, 'key_missing', 'inactive'),
      () => deleteApiKey(services, 'key_missing'),
    ]) {
      expect(await refusal(action())).toStrictEqual({ code: 'not_found', message: 'API key key_missing does not exist' });
    }
  });

  it('lets exactly two of 20 concurrent creates succeed', async () => {
    await createPlatform(services, 'racing');
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => createApiKey(services, 'racing')));
    const created = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(created).toHaveLength(2);
    expect(refused).toHaveLength(18);
    for (const r of refused) expect((r.reason as TesseraError).code).toBe('limit_reached');
    expect((await listApiKeys(services, 'racing')).filter((k) => k.status === 'active')).toHaveLength(2);
  });

  it('announces every change of status on the credential-status channel', async () => {
    const messages: unknown[] = [];
    await services.cache.subscribe(CREDENTIAL_STATUS_CHANNEL, (message) => messages.push(JSON.parse(message)));
    await createPlatform(services, 'announcing');
    const key = await createApiKey(services, 'announcing');
    const client = await createClient(services, 'announcing');
    await setApiKeyStatus(services, key.id, 'inactive');
    await deleteApiKey(services, key.id);
    await setClientStatus(services, client.client_id, 'inactive');
    await deleteClient(services, client.client_id);
    expect(messages).toStrictEqual([
      { type: 'api_key', id: key.id },
      { type: 'api_key', id: key.id },
      { type: 'oauth_client', id: client.client_id },
      { type: 'oauth_client', id: client.client_id },
    ]);
  });

  it('leaves no key in the clear anywhere in the database', async () => {
    await createPlatform(services, 'dumped');
    const key = await createApiKey(services, 'dumped');
    // Used over HTTP and revealed, so every write path has run.
    expect((await get(app, '/raas/v2/whoami', basic('dumped', key.api_key))).statusCode).toBe(200);
    await revealApiKey(services, key.id);

    const db = services.database.db;
    const tables =
      services.database.dialect === 'sqlite'
        ? (await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db)).rows.map((r) => r.name)
        : (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(db)).rows.map(
            (r) => r.name,
          );
    expect(tables).toEqual(expect.arrayContaining(['api_keys', 'platforms', 'oauth_clients', 'customers', 'accounts']));
    let dump = '';
    for (const table of tables) {
      const { rows } = await sql`select * from ${sql.table(table)}`.execute(db);
      dump += JSON.stringify(rows);
    }
    expect(dump).toContain(key.id);
    expect(dump).toContain(digest(key.api_key));
    const random = key.api_key.slice(PREFIX.apiKey.length);
    for (const needle of [key.api_key, random, random.slice(0, 16), random.slice(-16), Buffer.from(key.api_key).toString('base64')]) {
      expect(dump).not.toContain(needle);
    }
  });
});
