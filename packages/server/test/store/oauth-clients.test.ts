import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, deleteClient, listClients, setClientStatus } from '../../src/credentials/oauth-clients.js';
import { createPlatform } from '../../src/credentials/platforms.js';
import { TesseraError } from '../../src/errors/tessera-error.js';
import type { Services } from '../../src/services.js';
import { openDatabase } from '../../src/store/database.js';
import { OAuthClientStore } from '../../src/store/oauth-clients.js';
import { STORE_RETRY_AFTER_SECONDS } from '../../src/store/store-unavailable.js';
import { startDeployment } from '../support/bootstrap.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';

describe.each(STORE_KINDS)('platforms and client credentials on %s', (store) => {
  let env: TestEnvironment;
  let services: Services;

  beforeAll(async () => {
    ({ env, services } = await startDeployment({ store }));
  });
  afterAll(async () => env.close());

  it.each(['ab', 'a'.repeat(65), 'has:colon', 'has space', 'ünïcode', ''])('refuses the platform name %j', async (name) => {
    await expect(createPlatform(services, name)).rejects.toThrow(
      new TesseraError('invalid_input', `Invalid platform name "${name}": use 3 to 64 characters from A-Z, a-z, 0-9, ".", "_" and "-"`),
    );
  });

  it('refuses a platform name that exists', async () => {
    await createPlatform(services, 'Acme.io_2-x');
    await expect(createPlatform(services, 'Acme.io_2-x')).rejects.toThrow(new TesseraError('conflict', 'Platform Acme.io_2-x already exists'));
  });

  it('creates recognisable ids and 256-bit secrets', async () => {
    await createPlatform(services, 'formats');
    const created = await createClient(services, 'formats', 'Formats');
    expect(created.client_id).toMatch(/^cli_[0-9A-Za-z]{22}$/);
    expect(created.client_secret).toMatch(/^tsc_secret_[0-9A-Za-z]{43}$/);
    expect(created.name).toBe('Formats');
  });

  it('refuses a client for a platform that does not exist', async () => {
    await expect(createClient(services, 'nowhere')).rejects.toThrow(new TesseraError('not_found', 'Platform nowhere does not exist'));
  });

  it('allows two active clients, even under 20 concurrent creates', async () => {
    await createPlatform(services, 'crowded');
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => createClient(services, 'crowded', `c${i}`)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    for (const result of results.filter((r) => r.status === 'rejected')) {
      expect((result as PromiseRejectedResult).reason).toEqual(
        new TesseraError('limit_reached', 'Platform crowded already has 2 active client credentials: deactivate one first'),
      );
    }
    expect(await listClients(services, 'crowded')).toHaveLength(2);
  });

  // Two SQLite connections in one process would block each other's event loop; across processes SQLite
  // is covered by the `tessera` command tests.
  it.skipIf(store === 'sqlite')('allows two active clients across two instances creating at once', async () => {
    const other = await env.open();
    await createPlatform(services, 'two-instances');
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => createClient(i % 2 ? services : other, 'two-instances', `c${i}`)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
  });

  it('deactivates, refuses a third activation, deletes only inactive clients', async () => {
    await createPlatform(services, 'rotation');
    const first = await createClient(services, 'rotation', 'first');
    await createClient(services, 'rotation', 'second');
    await expect(deleteClient(services, first.client_id)).rejects.toThrow(
      new TesseraError('conflict', `Client ${first.client_id} is active: deactivate it before deleting it`),
    );
    expect(await setClientStatus(services, first.client_id, 'inactive')).toMatchObject({ client_id: first.client_id, status: 'inactive', platform: 'rotation' });
    const third = await createClient(services, 'rotation', 'third');
    await expect(setClientStatus(services, first.client_id, 'active')).rejects.toThrow(
      new TesseraError('limit_reached', 'Platform rotation already has 2 active client credentials: deactivate one first'),
    );
    await deleteClient(services, first.client_id);
    expect((await listClients(services, 'rotation')).map((c) => c.client_id).sort()).toEqual(
      [third.client_id, (await listClients(services, 'rotation')).find((c) => c.name === 'second')!.client_id].sort(),
    );
    await expect(deleteClient(services, first.client_id)).rejects.toThrow(new TesseraError('not_found', `Client ${first.client_id} does not exist`));
    await expect(setClientStatus(services, 'cli_nope', 'inactive')).rejects.toThrow(new TesseraError('not_found', 'Client cli_nope does not exist'));
  });

  it.each(['', 'say "hi"', 'back\\slash', 'snow ☃', 'x'.repeat(101)])('refuses the client name %j', async (name) => {
    await createPlatform(services, `names-${name.length}-${name.charCodeAt(0) || 0}`).catch(() => {});
    await expect(createClient(services, `names-${name.length}-${name.charCodeAt(0) || 0}`, name)).rejects.toThrow(
      new TesseraError('invalid_input', 'The name may have 1 to 100 characters: letters without accents, digits, spaces and punctuation other than " and \\'),
    );
  });

  it('lists clients without secrets', async () => {
    await createPlatform(services, 'listing');
    const created = await createClient(services, 'listing', 'Listed');
    expect(await listClients(services, 'listing')).toEqual([
      {
        name: 'Listed',
        client_id: created.client_id,
        platform: 'listing',
        status: 'active',
        scope: 'raas.all',
        created_at: new Date(env.clock.now()).toISOString(),
        last_token_issued_at: null,
        next_token_at: null,
      },
    ]);
  });

  it('claims the quota and appends the token_issued entry together; an interval of 0 grants every claim', async () => {
    const platform = await createPlatform(services, 'claims');
    const { client_id } = await createClient(services, 'claims');
    const client = { client_id, platform_id: platform.id };
    const issued = (at: number) => ({ at, actor: client_id, action: 'token_issued', target_id: client_id, source_address: '192.0.2.1', user_agent: null, outcome: 'success' as const });
    const t = env.clock.now();
    const actions = async () => (await services.auditLog.chain(platform.id)).map((e) => [e.action, e.at]);

    expect(await services.oauthClients.claimQuota(client, t, 1_000, issued(t))).toStrictEqual({ granted: true });
    expect(await services.oauthClients.claimQuota(client, t + 999, 1_000, issued(t + 999))).toStrictEqual({ granted: false, lastIssuedAt: t, status: 'active' });
    expect(await actions()).toEqual([['generate', t], ['token_issued', t]]);
    // Claims that commit out of the order of their clocks (a token signed slowly): with the quota off, granted.
    expect(await services.oauthClients.claimQuota(client, t + 5, 0, issued(t + 5))).toStrictEqual({ granted: true });
    expect(await services.oauthClients.claimQuota(client, t + 4, 0, issued(t + 4))).toStrictEqual({ granted: true });
    expect(await actions()).toEqual([['generate', t], ['token_issued', t], ['token_issued', t + 5], ['token_issued', t + 4]]);
    await setClientStatus(services, client_id, 'inactive');
    expect(await services.oauthClients.claimQuota(client, t + 10_000, 0, issued(t + 10_000))).toMatchObject({ granted: false, status: 'inactive' });
    expect((await actions()).at(-1)).toEqual(['deactivate', t]);
  });

  it('keeps no secret in the database: a dump holds only digests', async () => {
    await createPlatform(services, 'dumped');
    const { client_secret } = await createClient(services, 'dumped');
    const { db } = services.database;
    const dump: unknown[] = [];
    for (const table of ['platforms', 'oauth_clients', 'signing_keys', 'revoked_tokens'] as const) {
      dump.push(...(await db.selectFrom(table).selectAll().execute()));
    }
    const text = JSON.stringify(dump);
    expect(text).not.toContain(client_secret);
    expect(text).not.toContain(client_secret.slice('tsc_secret_'.length));
    // and the signing keys' private parts are sealed: no private RSA exponent in the clear
    expect(text).not.toMatch(/"d":"/);
    expect((await sql<{ n: number }>`select count(*) as n from signing_keys`.execute(db)).rows[0]!.n).toBeGreaterThan(0);
  });
});

describe('the quota claim on PostgreSQL (a prepared statement outside Kysely)', () => {
  it('is a 503 when PostgreSQL cannot be reached, and counts as a failed query', async () => {
    const failed: unknown[] = [];
    // Port 1: nothing listens there, so the connection is refused at once.
    const database = openDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:1/none', dataDir: '/nonexistent', onQueryError: (error) => failed.push(error) });
    try {
      const store = new OAuthClientStore(database);
      const issued = { at: 1, actor: 'cli_x', action: 'token_issued', target_id: 'cli_x', source_address: null, user_agent: null, outcome: 'success' as const };
      await expect(store.claimQuota({ client_id: 'cli_x', platform_id: 'plt_x' }, 1, 0, issued)).rejects.toMatchObject({ code: 'unavailable', retryAfterSeconds: STORE_RETRY_AFTER_SECONDS });
      expect(failed).toHaveLength(1);
    } finally {
      await database.db.destroy();
    }
  });
});
