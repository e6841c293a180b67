import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ACTOR, recordAudit } from '../../src/audit/record-audit.js';
import { verifyAudit } from '../../src/audit/verify-audit.js';
import { createHash } from 'node:crypto';
import { GENESIS_HASH } from '../../src/crypto/audit-hash.js';
import { createApiKey, deleteApiKey, revealApiKey, setApiKeyStatus } from '../../src/credentials/api-keys.js';
import { createClient, deleteClient, resetClientQuota, setClientStatus } from '../../src/credentials/oauth-clients.js';
import { createPlatform } from '../../src/credentials/platforms.js';
import type { Services } from '../../src/services.js';
import type { AuditEntry } from '../../src/store/audit-log.js';
import { startDeployment } from '../support/bootstrap.js';
import { timeOfOrderedId } from '../support/ordered-ids.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';

describe.each(STORE_KINDS)('the audit log on %s', (store) => {
  let env: TestEnvironment;
  let services: Services;

  beforeAll(async () => {
    ({ env, services } = await startDeployment({ store }));
  });
  afterAll(async () => env?.close());

  const rows = async (platformId: string): Promise<AuditEntry[]> => services.auditLog.chain(platformId);
  /** An entry without what the store makes (id, hashes), to compare exactly. */
  const fields = ({ id: _id, hash: _hash, prev_hash: _prev, ...rest }: AuditEntry) => rest;

  it('appends a hash chain: seq 1, 2, 3, each linked to the one before', async () => {
    const platform = await createPlatform(services, 'chain');
    for (const action of ['generate', 'deactivate', 'delete'] as const) {
      await recordAudit(services, CLI_ACTOR, { platformId: platform.id, action, targetId: 'cli_x' });
    }
    const chain = await rows(platform.id);
    expect(chain.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(chain.map((e) => e.prev_hash)).toEqual([GENESIS_HASH, chain[0]!.hash, chain[1]!.hash]);
    for (const entry of chain) {
      expect(entry.id).toMatch(/^aud_[0-9A-Za-z]{22}$/);
      // Written out here, not by the code under test: sha256(prev_hash + JSON of the other fields, keys sorted).
      const { hash, prev_hash, ...rest } = entry;
      const canonical = JSON.stringify(Object.fromEntries(Object.keys(rest).sort().map((k) => [k, rest[k as keyof typeof rest]])));
      expect(Object.keys(rest).sort()).toEqual(['action', 'actor', 'at', 'id', 'outcome', 'platform_id', 'seq', 'source_address', 'target_id', 'user_agent']);
      expect(hash).toBe(createHash('sha256').update(prev_hash + canonical).digest('hex'));
    }
    // Each id carries its entry's time in its leading bits (a later entry, a larger id).
    expect(chain.map((e) => timeOfOrderedId(e.id, 'aud_'))).toEqual(chain.map((e) => e.at));
    const newest = await services.auditLog.list(platform.id, {}, 2);
    expect(newest.map((e) => e.action)).toEqual(['delete', 'deactivate']);
    expect((await services.auditLog.list(platform.id, { before: 2 }, 2)).map((e) => e.action)).toEqual(['generate']);
  });

  it('gives each entry an id that sorts by its time, so the id index grows at its end', async () => {
    const platform = await createPlatform(services, 'ordered');
    for (let i = 0; i < 5; i++) {
      env.clock.advance(1);
      await recordAudit(services, CLI_ACTOR, { platformId: platform.id, action: 'generate', targetId: `cli_${i}` });
    }
    const chain = await rows(platform.id);
    expect(chain.map((e) => e.at)).toEqual(Array.from({ length: 5 }, (_, i) => chain[0]!.at + i));
    expect(chain.map((e) => e.id)).toEqual(chain.map((e) => e.id).sort());
    expect(chain.map((e) => timeOfOrderedId(e.id, 'aud_'))).toEqual(chain.map((e) => e.at));
  });

  it('records every credential action done through the services, exactly, and never a secret', async () => {
    const platform = await createPlatform(services, 'acme');
    const at = env.clock.now();
    const ann = { actor: 'ann@example.com', sourceAddress: '203.0.113.7', userAgent: 'Mozilla/5.0' };

    const client = await createClient(services, 'acme', 'Acme');
    await setClientStatus(services, client.client_id, 'inactive', ann);
    await setClientStatus(services, client.client_id, 'active');
    await resetClientQuota(services, client.client_id);
    await setClientStatus(services, client.client_id, 'inactive');
    await deleteClient(services, client.client_id, ann);
    const key = await createApiKey(services, 'acme', ann);
    await revealApiKey(services, key.id);
    await setApiKeyStatus(services, key.id, 'inactive');
    await deleteApiKey(services, key.id);

    const cli = { actor: 'cli', source_address: null, user_agent: null };
    const byAnn = { actor: ann.actor, source_address: ann.sourceAddress, user_agent: ann.userAgent };
    const entry = (seq: number, who: object, action: string, target_id: string) => ({ platform_id: platform.id, seq, at, ...who, action, target_id, outcome: 'success' });
    const chain = await rows(platform.id);
    expect(chain.map(fields)).toStrictEqual([
      entry(1, cli, 'generate', client.client_id),
      entry(2, byAnn, 'deactivate', client.client_id),
      entry(3, cli, 'activate', client.client_id),
      entry(4, cli, 'reset_quota', client.client_id),
      entry(5, cli, 'deactivate', client.client_id),
      entry(6, byAnn, 'delete', client.client_id),
      entry(7, byAnn, 'generate', key.id),
      entry(8, cli, 'reveal', key.id),
      entry(9, cli, 'deactivate', key.id),
      entry(10, cli, 'delete', key.id),
    ]);

    const dump = JSON.stringify(await sql`select * from audit_log`.execute(services.database.db));
    expect(dump).toContain(key.id);
    for (const secret of [client.client_secret, key.api_key, key.api_key.slice('tsk_live_'.length), client.client_secret.slice('tsc_secret_'.length)]) {
      expect(dump).not.toContain(secret);
    }
  });

  it('records a refused action on an existing credential or platform as a failure, after the refusal rolled back', async () => {
    const platform = await createPlatform(services, 'refusals');
    const ann = { actor: 'ann@example.com', sourceAddress: '203.0.113.7', userAgent: 'Mozilla/5.0' };
    const first = await createApiKey(services, 'refusals');
    const second = await createApiKey(services, 'refusals');
    await expect(createApiKey(services, 'refusals', ann)).rejects.toMatchObject({ code: 'limit_reached' });
    await setApiKeyStatus(services, first.id, 'inactive');
    const third = await createApiKey(services, 'refusals');
    await expect(setApiKeyStatus(services, first.id, 'active', ann)).rejects.toMatchObject({ code: 'limit_reached' });
    await expect(deleteApiKey(services, second.id, ann)).rejects.toMatchObject({ code: 'conflict' });
    const client = await createClient(services, 'refusals');
    await expect(createClient(services, 'refusals', 'no "quotes"')).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(deleteClient(services, client.client_id)).rejects.toMatchObject({ code: 'conflict' });
    // A key that no longer opens (a damaged sealed value): the reveal of an existing key failed.
    await services.database.db.updateTable('api_keys').set({ key_sealed: 'v1.damaged' }).where('id', '=', third.id).execute();
    await expect(revealApiKey(services, third.id, ann)).rejects.toThrow();

    const cli = { actor: 'cli', source_address: null, user_agent: null };
    const byAnn = { actor: ann.actor, source_address: ann.sourceAddress, user_agent: ann.userAgent };
    const at = env.clock.now();
    const entry = (seq: number, who: object, action: string, target_id: string, outcome = 'success') => ({ platform_id: platform.id, seq, at, ...who, action, target_id, outcome });
    expect((await rows(platform.id)).map(fields)).toStrictEqual([
      entry(1, cli, 'generate', first.id),
      entry(2, cli, 'generate', second.id),
      // Nothing was made: no id to name.
      entry(3, byAnn, 'generate', '', 'failure'),
      entry(4, cli, 'deactivate', first.id),
      entry(5, cli, 'generate', third.id),
      entry(6, byAnn, 'activate', first.id, 'failure'),
      entry(7, byAnn, 'delete', second.id, 'failure'),
      entry(8, cli, 'generate', client.client_id),
      entry(9, cli, 'generate', '', 'failure'),
      entry(10, cli, 'delete', client.client_id, 'failure'),
      entry(11, byAnn, 'reveal', third.id, 'failure'),
    ]);
    expect((await verifyAudit(services)).ok).toBe(true);
  });

  it('writes no entry for a refusal that names no existing platform or credential: never what a person typed', async () => {
    const platform = await createPlatform(services, 'typos');
    const key = await createApiKey(services, 'typos');
    const client = await createClient(services, 'typos');
    const before = await services.database.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
    // Ids mistyped, and a secret pasted where an id belongs.
    for (const typed of ['key_missing', key.api_key, client.client_secret]) {
      await expect(setApiKeyStatus(services, typed, 'inactive')).rejects.toMatchObject({ code: 'not_found' });
      await expect(setApiKeyStatus(services, typed, 'active')).rejects.toMatchObject({ code: 'not_found' });
      await expect(deleteApiKey(services, typed)).rejects.toMatchObject({ code: 'not_found' });
      await expect(revealApiKey(services, typed)).rejects.toMatchObject({ code: 'not_found' });
      await expect(setClientStatus(services, typed, 'inactive')).rejects.toMatchObject({ code: 'not_found' });
      await expect(deleteClient(services, typed)).rejects.toMatchObject({ code: 'not_found' });
      await expect(resetClientQuota(services, typed)).rejects.toMatchObject({ code: 'not_found' });
    }
    await expect(createApiKey(services, 'no-such-platform')).rejects.toMatchObject({ code: 'not_found' });
    await expect(createClient(services, 'no-such-platform')).rejects.toMatchObject({ code: 'not_found' });
    const after = await services.database.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
    expect(Number(after.count)).toBe(Number(before.count));
    expect((await rows(platform.id)).map((e) => e.action)).toEqual(['generate', 'generate']);
    const dump = JSON.stringify(await sql`select * from audit_log`.execute(services.database.db));
    expect(dump).not.toContain(key.api_key);
    expect(dump).not.toContain(client.client_secret);
  });

  it('keeps the refusal as the answer when its entry cannot be written', async () => {
    await createPlatform(services, 'no-log');
    const key = await createApiKey(services, 'no-log');
    await createApiKey(services, 'no-log');
    const db = services.database.db;
    await sql`alter table audit_log rename to audit_log_away`.execute(db);
    try {
      await expect(deleteApiKey(services, key.id)).rejects.toMatchObject({ code: 'conflict', message: `API key ${key.id} is active: deactivate it before deleting it` });
      await expect(createApiKey(services, 'no-log')).rejects.toMatchObject({ code: 'limit_reached' });
    } finally {
      await sql`alter table audit_log_away rename to audit_log`.execute(db);
    }
  });

  it('keeps a user agent to its first 512 characters', async () => {
    const platform = await createPlatform(services, 'long-agent');
    await createApiKey(services, 'long-agent', { actor: 'ann@example.com', userAgent: 'x'.repeat(600) });
    expect((await rows(platform.id))[0]!.user_agent).toBe('x'.repeat(512));
  });

  it('commits an action and its entry together: when the entry cannot be written, nothing changes', async () => {
    const platform = await createPlatform(services, 'atomic');
    const client = await createClient(services, 'atomic');
    const db = services.database.db;
    await sql`alter table audit_log rename to audit_log_away`.execute(db);
    try {
      await expect(createClient(services, 'atomic')).rejects.toThrow();
      await expect(setClientStatus(services, client.client_id, 'inactive')).rejects.toThrow();
    } finally {
      await sql`alter table audit_log_away rename to audit_log`.execute(db);
    }
    expect((await services.oauthClients.listByPlatform(platform.id)).map((c) => [c.client_id, c.status])).toEqual([[client.client_id, 'active']]);
    expect((await rows(platform.id)).map((e) => e.action)).toEqual(['generate']);
  });

  it('verifies an intact log, counting every entry', async () => {
    const { count } = await services.database.db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    expect(await verifyAudit(services)).toStrictEqual({ ok: true, checked: Number(count) });
  });

  it('names the entry whose action or target was changed', async () => {
    const platform = await services.platforms.findByName('acme');
    const third = (await rows(platform!.id))[2]!;
    for (const change of [{ action: 'reveal' }, { target_id: 'cli_someone_else' }]) {
      await services.database.db.updateTable('audit_log').set(change).where('id', '=', third.id).execute();
      expect(await verifyAudit(services)).toMatchObject({
        ok: false,
        broken: { problem: 'changed', platform_id: platform!.id, platformName: 'acme', seq: 3, id: third.id },
      });
      await services.database.db.updateTable('audit_log').set({ action: third.action, target_id: third.target_id }).where('id', '=', third.id).execute();
      expect((await verifyAudit(services)).ok).toBe(true);
    }
  });

  it('names the gap a removed middle entry leaves, and a removal hidden by renumbering', async () => {
    const platform = await services.platforms.findByName('acme');
    const chain = await rows(platform!.id);
    const [fourth, fifth] = [chain[3]!, chain[4]!];
    await services.database.db.deleteFrom('audit_log').where('id', '=', fourth.id).execute();
    expect(await verifyAudit(services)).toMatchObject({
      ok: false,
      broken: { problem: 'removed', platform_id: platform!.id, platformName: 'acme', seq: 4, id: fifth.id },
    });
    // Renumbering the rest to close the gap breaks the hashes instead (seq is hashed, and so is the link).
    for (const later of chain.slice(4)) {
      await services.database.db.updateTable('audit_log').set({ seq: later.seq - 1 }).where('id', '=', later.id).execute();
    }
    expect(await verifyAudit(services)).toMatchObject({ ok: false, broken: { problem: 'changed', seq: 4, id: fifth.id } });
    for (const later of chain.slice(4).reverse()) {
      await services.database.db.updateTable('audit_log').set({ seq: later.seq }).where('id', '=', later.id).execute();
    }
    await services.database.db.insertInto('audit_log').values(fourth).execute();
    expect((await verifyAudit(services)).ok).toBe(true);
  });
});
