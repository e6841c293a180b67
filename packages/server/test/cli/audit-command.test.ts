import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQLITE_FILE } from '../../src/store/database.js';
import { tessera, tesseraJson } from '../support/processes.js';
import { createTestEnvironment, type TestEnvironment } from '../support/services.js';

/** `tessera audit …` in its own process, on an SQLite store the test then tampers with directly. */
describe('tessera audit', () => {
  let env: TestEnvironment;
  let cliEnv: Record<string, string>;

  beforeAll(async () => {
    env = await createTestEnvironment();
    cliEnv = { TESSERA_DATA_DIR: env.config.dataDir, TESSERA_MASTER_KEY: env.config.masterKey!, DATABASE_URL: '', REDIS_URL: '', LOG_LEVEL: 'warn' };
  });
  afterAll(async () => env?.close());

  // Each command is a process of its own (about a second, more on a loaded machine).
  const SLOW = 90_000;

  it('lists what the command did, verifies the chain, and names the entry changed behind its back', { timeout: SLOW }, async () => {
    expect((await tessera(['platform', 'create', 'acme'], cliEnv)).code).toBe(0);
    const created = await tesseraJson(['client', 'create', '--platform', 'acme'], cliEnv);
    const clientId = created.json.client_id as string;
    expect((await tessera(['client', 'deactivate', clientId], cliEnv)).code).toBe(0);

    const listed = await tesseraJson(['audit', 'list', '--platform', 'acme', '--limit', '1'], cliEnv);
    expect(listed.code).toBe(0);
    const entries = listed.json.entries as Array<Record<string, unknown>>;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ seq: 2, actor: 'cli', action: 'deactivate', target_id: clientId, outcome: 'success', source_address: null });
    expect(entries[0]!.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const table = await tessera(['audit', 'list', '--platform', 'acme'], cliEnv);
    expect(table.stdout.split('\n')[0]).toBe('at                        seq  actor  action      target_id                   outcome  source_address  id');
    expect(table.stdout).not.toContain(created.json.client_secret as string);

    expect(await tesseraJson(['audit', 'verify'], cliEnv)).toStrictEqual({ code: 0, json: { ok: true, checked: 2 } });
    const ok = await tessera(['audit', 'verify'], cliEnv);
    expect(ok).toMatchObject({ code: 0, stdout: 'OK: 2 audit entries verified\n' });

    const sqlite = new SQLite(path.join(env.config.dataDir, SQLITE_FILE));
    const first = sqlite.prepare('select id, platform_id from audit_log where seq = 1').get() as { id: string; platform_id: string };
    sqlite.prepare("update audit_log set target_id = 'cli_someone_else' where id = ?").run(first.id);
    sqlite.close();

    expect(await tesseraJson(['audit', 'verify'], cliEnv)).toStrictEqual({
      code: 1,
      json: { ok: false, checked: 0, broken: { problem: 'changed', platform_id: first.platform_id, platformName: 'acme', seq: 1, id: first.id } },
    });
    expect(await tessera(['audit', 'verify'], cliEnv)).toMatchObject({ code: 1, stdout: `BROKEN: audit entry platform acme, seq 1 (${first.id}) was changed\n` });
  });

  it('refuses an unknown platform and a bad --limit', { timeout: SLOW }, async () => {
    expect(await tesseraJson(['audit', 'list', '--platform', 'nowhere'], cliEnv)).toMatchObject({
      code: 1,
      json: { error: { code: 'not_found', message: expect.stringMatching(/^Platform nowhere does not exist in /) } },
    });
    expect((await tessera(['audit', 'list', '--platform', 'acme', '--limit', '0'], cliEnv)).code).not.toBe(0);
  });
});
