import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQLITE_FILE } from '../../src/store/database.js';
import { tesseraInProcess, tesseraJsonInProcess } from '../support/cli-in-process.js';
import { cliEnvOf, tessera, tesseraJson } from '../support/processes.js';
import { startDeployment } from '../support/bootstrap.js';
import type { TestEnvironment } from '../support/services.js';

/**
 * `tessera audit …` on an SQLite store the test then tampers with directly: each command and the text
 * and CSV answers in their own processes, as a person runs them; the JSON answers and the refusals by
 * the same program in this process (support/cli-in-process.ts), which spares a Node start-up per check.
 */
describe('tessera audit', () => {
  let env: TestEnvironment;
  let cliEnv: Record<string, string>;

  beforeAll(async () => {
    ({ env } = await startDeployment());
    cliEnv = cliEnvOf(env.config);
  });
  afterAll(async () => env?.close());

  // A command in a process of its own takes about a second, more on a loaded machine.
  const SLOW = 90_000;

  it('lists what the command did, verifies the chain, and names the entry changed behind its back', { timeout: SLOW }, async () => {
    expect((await tessera(['platform', 'create', 'acme'], cliEnv)).code).toBe(0);
    const created = await tesseraJson(['client', 'create', '--platform', 'acme'], cliEnv);
    const clientId = created.json.client_id as string;
    expect((await tessera(['client', 'deactivate', clientId], cliEnv)).code).toBe(0);

    const listed = await tesseraJsonInProcess(['audit', 'list', '--platform', 'acme', '--limit', '1'], cliEnv);
    expect(listed.code).toBe(0);
    const entries = listed.json.entries as Array<Record<string, unknown>>;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ seq: 2, actor: 'cli', action: 'deactivate', target_id: clientId, outcome: 'success', source_address: null });
    expect(entries[0]!.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const table = await tessera(['audit', 'list', '--platform', 'acme'], cliEnv);
    expect(table.stdout.split('\n')[0]).toBe('at                        seq  actor  action      target_id                   outcome  source_address  id');
    expect(table.stdout).not.toContain(created.json.client_secret as string);

    expect(await tesseraJsonInProcess(['audit', 'verify'], cliEnv)).toStrictEqual({ code: 0, json: { ok: true, checked: 2 } });
    const ok = await tessera(['audit', 'verify'], cliEnv);
    expect(ok).toMatchObject({ code: 0, stdout: 'OK: 2 audit entries verified\n' });

    const sqlite = new SQLite(path.join(env.config.dataDir, SQLITE_FILE));
    const first = sqlite.prepare('select id, platform_id from audit_log where seq = 1').get() as { id: string; platform_id: string };
    sqlite.prepare("update audit_log set target_id = 'cli_someone_else' where id = ?").run(first.id);
    sqlite.close();

    expect(await tesseraJsonInProcess(['audit', 'verify'], cliEnv)).toStrictEqual({
      code: 1,
      json: { ok: false, checked: 0, broken: { problem: 'changed', platform_id: first.platform_id, platformName: 'acme', seq: 1, id: first.id } },
    });
    expect(await tessera(['audit', 'verify'], cliEnv)).toMatchObject({ code: 1, stdout: `BROKEN: audit entry platform acme, seq 1 (${first.id}) was changed\n` });
  });

  it('filters by action and time, pages with --before, and exports CSV', { timeout: SLOW }, async () => {
    expect((await tessera(['platform', 'create', 'beta'], cliEnv)).code).toBe(0);
    const first = (await tesseraJson(['apikey', 'create', '--platform', 'beta'], cliEnv)).json.id as string;
    const second = (await tesseraJson(['apikey', 'create', '--platform', 'beta'], cliEnv)).json.id as string;
    expect((await tessera(['apikey', 'create', '--platform', 'beta'], cliEnv)).code).toBe(1);
    expect((await tessera(['apikey', 'reveal', first], cliEnv)).code).toBe(0);

    const list = (...args: string[]) => tesseraJsonInProcess(['audit', 'list', '--platform', 'beta', ...args], cliEnv);
    const page = (result: { code: number; json: Record<string, unknown> }) => ({
      code: result.code,
      entries: (result.json.entries as Array<Record<string, unknown>>).map((e) => [e.seq, e.action, e.target_id, e.outcome]),
      next: result.json.next,
    });
    const [generates, older, fromBefore, upToBefore, all, text, csv] = await Promise.all([
      list('--action', 'generate', '--limit', '2'),
      list('--action', 'generate', '--before', '2'),
      list('--from', '2000-01-01'),
      list('--from', '2000-01-01', '--to', '2000-01-02T00:00:00Z'),
      list('--to', '2999-12-31T23:59:59.999+01:00'),
      tessera(['audit', 'list', '--platform', 'beta', '--limit', '1'], cliEnv),
      tessera(['audit', 'list', '--platform', 'beta', '--action', 'generate', '--csv'], cliEnv),
    ]);
    expect(page(generates)).toStrictEqual({
      code: 0,
      entries: [
        [3, 'generate', '', 'failure'],
        [2, 'generate', second, 'success'],
      ],
      next: 2,
    });
    expect(page(older)).toStrictEqual({ code: 0, entries: [[1, 'generate', first, 'success']], next: null });
    expect(page(fromBefore).entries.map(([seq]) => seq)).toEqual([4, 3, 2, 1]);
    expect(page(upToBefore)).toStrictEqual({ code: 0, entries: [], next: null });
    expect(page(all).entries.map(([seq]) => seq)).toEqual([4, 3, 2, 1]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^at +seq +actor +action +target_id +outcome +source_address +id\n\\S+Z +4 +cli +reveal +${first} +success +aud_\\w+\n\\(older entries: add --before 4\\)\n$`));

    expect(csv.code).toBe(0);
    const csvLines = csv.stdout.split('\r\n');
    expect(csvLines[0]).toBe('at,actor,action,target_id,source_address,user_agent,outcome,seq,id');
    expect(csvLines.slice(1)).toEqual([
      expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z,cli,generate,,,,failure,3,aud_\w+$/),
      expect.stringMatching(new RegExp(`^\\S+Z,cli,generate,${second},,,success,2,aud_\\w+$`)),
      expect.stringMatching(new RegExp(`^\\S+Z,cli,generate,${first},,,success,1,aud_\\w+$`)),
      '',
    ]);
  });

  it('refuses bad filters with what is wrong', { timeout: SLOW }, async () => {
    const [badTime, localTime, csvPaged, csvJson, badAction, tooMany, badBefore] = await Promise.all([
      tesseraInProcess(['audit', 'list', '--platform', 'acme', '--from', 'yesterday'], cliEnv),
      tesseraInProcess(['audit', 'list', '--platform', 'acme', '--to', '2026-11-28T12:00:00'], cliEnv),
      tesseraInProcess(['audit', 'list', '--platform', 'acme', '--csv', '--limit', '5'], cliEnv),
      tesseraInProcess(['audit', 'list', '--platform', 'acme', '--csv', '--json'], cliEnv),
      tesseraJsonInProcess(['audit', 'list', '--platform', 'acme', '--action', 'nope'], cliEnv),
      tesseraInProcess(['audit', 'list', '--platform', 'acme', '--limit', '201'], cliEnv),
      tesseraInProcess(['audit', 'list', '--platform', 'acme', '--before', '0'], cliEnv),
    ]);
    const iso = 'use an ISO 8601 time with its offset, e.g. 2026-11-28T12:00:00Z, or a date (midnight UTC)';
    expect(badTime).toMatchObject({ code: 1, stdout: '', stderr: `error: option '--from <time>' argument 'yesterday' is invalid. ${iso}\n` });
    expect(localTime).toMatchObject({ code: 1, stdout: '', stderr: `error: option '--to <time>' argument '2026-11-28T12:00:00' is invalid. ${iso}\n` });
    expect(csvPaged).toMatchObject({ code: 1, stdout: '', stderr: "error: option '--csv' cannot be used with option '--limit <n>'\n" });
    expect(csvJson).toMatchObject({ code: 1, stdout: '', stderr: "error: option '--csv' cannot be used with option '--json'\n" });
    expect(badAction).toStrictEqual({ code: 1, json: { error: { code: 'invalid_input', message: expect.stringMatching(/^Unknown audit action: use one of generate, /) } } });
    expect(tooMany).toMatchObject({ code: 1, stderr: "error: option '--limit <n>' argument '201' is invalid. use a whole number from 1 to 200\n" });
    expect(badBefore).toMatchObject({ code: 1, stderr: "error: option '--before <seq>' argument '0' is invalid. use a whole number from 1\n" });
  });

  it('refuses an unknown platform and a bad --limit', { timeout: SLOW }, async () => {
    expect(await tesseraJsonInProcess(['audit', 'list', '--platform', 'nowhere'], cliEnv)).toMatchObject({
      code: 1,
      json: { error: { code: 'not_found', message: expect.stringMatching(/^Platform nowhere does not exist in /) } },
    });
    expect((await tesseraInProcess(['audit', 'list', '--platform', 'acme', '--limit', '0'], cliEnv)).code).not.toBe(0);
  });
});
