import { generateKeyPairSync } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQLITE_FILE } from '../../src/store/database.js';
import { startDeployment } from '../support/bootstrap.js';
import { freePort } from '../support/listen.js';
import { tesseraInProcess, tesseraJsonInProcess } from '../support/cli-in-process.js';
import { cliEnvOf, startServer, tessera } from '../support/processes.js';
import type { TestEnvironment } from '../support/services.js';

/**
 * `tessera audit key | checkpoint | verify --checkpoints | archive | verify-archive` on an SQLite store:
 * the text verdicts of `verify --checkpoints` and `verify-archive` in their own processes, as a person
 * runs them, and `tessera serve` signing on its own; the setup steps, the JSON answers and the refusals
 * by the same program in this process (support/cli-in-process.ts), which spares a Node start-up per check.
 */
describe('tessera audit checkpoints and archives', () => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let cliEnv: Record<string, string>;
  let checkpoints: string;

  beforeAll(async () => {
    ({ env, app } = await startDeployment());
    cliEnv = cliEnvOf(env.config);
    checkpoints = path.join(env.config.dataDir, 'audit-checkpoints.jsonl');
  });
  afterAll(async () => env?.close());

  // A process of its own is about a second, more on a loaded machine.
  const SLOW = 120_000;

  it('prints the key it publishes, signs checkpoints, and names a cut tail and a forged checkpoint', { timeout: SLOW }, async () => {
    expect((await tesseraInProcess(['platform', 'create', 'acme'], cliEnv)).code).toBe(0);
    for (let i = 0; i < 2; i++) expect((await tesseraInProcess(['apikey', 'create', '--platform', 'acme'], cliEnv)).code).toBe(0);

    const key = await tesseraJsonInProcess(['audit', 'key'], cliEnv);
    expect(key).toStrictEqual({ code: 0, json: { kty: 'OKP', crv: 'Ed25519', x: expect.stringMatching(/^[\w-]{43}$/), kid: expect.stringMatching(/^[\w-]{43}$/), use: 'sig', alg: 'EdDSA' } });
    expect((await stat(path.join(env.config.dataDir, 'audit-signing-key'))).mode & 0o777).toBe(0o600);
    const published = await app.inject('/.well-known/tessera-audit-key');
    expect(published.statusCode).toBe(200);
    expect(published.json()).toStrictEqual(key.json);

    const made = await tesseraJsonInProcess(['audit', 'checkpoint', '--platform', 'acme'], cliEnv);
    expect(made).toMatchObject({ code: 0, json: { file: checkpoints, checkpoints: [{ v: 1, kind: 'head', seq: 2, kid: key.json.kid }] } });
    expect((await readFile(checkpoints, 'utf8')).split('\n')).toEqual([JSON.stringify((made.json.checkpoints as unknown[])[0]), '']);

    const [full, since, text] = await Promise.all([
      tesseraJsonInProcess(['audit', 'verify', '--checkpoints'], cliEnv),
      tesseraJsonInProcess(['audit', 'verify', '--since-checkpoint'], cliEnv),
      tessera(['audit', 'verify', '--checkpoints', checkpoints], cliEnv),
    ]);
    expect(full).toStrictEqual({ code: 0, json: { ok: true, checked: 2, findings: [], checkpoints: 1, mode: 'full', kid: key.json.kid } });
    expect(since).toStrictEqual({ code: 0, json: { ok: true, checked: 0, findings: [], checkpoints: 1, mode: 'since-checkpoint', kid: key.json.kid } });
    expect(text).toMatchObject({ code: 0, stdout: 'OK: 2 audit entries verified in full, against 1 signed checkpoints\n' });

    // Someone with the database, not the key, removes the newest entry: the plain verify passes, the checkpoint catches it.
    const sqlite = new SQLite(path.join(env.config.dataDir, SQLITE_FILE));
    const last = sqlite.prepare('select * from audit_log where seq = 2').get() as Record<string, unknown>;
    sqlite.prepare('delete from audit_log where seq = 2').run();
    expect((await tesseraInProcess(['audit', 'verify'], cliEnv)).code).toBe(0);
    const cut = await tesseraInProcess(['audit', 'verify', '--checkpoints'], cliEnv);
    expect(cut).toMatchObject({
      code: 1,
      stdout: `BROKEN (truncated): platform acme, seq 2: entries from seq 2 to 2 were removed from the end of the chain (the checkpoint on line 1 covers seq 2, entry ${String(last.id)})\n`,
    });
    sqlite.prepare('insert into audit_log (id, platform_id, seq, at, actor, action, target_id, source_address, user_agent, outcome, prev_hash, hash) values (@id, @platform_id, @seq, @at, @actor, @action, @target_id, @source_address, @user_agent, @outcome, @prev_hash, @hash)').run(last);
    sqlite.close();

    // A checkpoint altered in the file, and a verifier given another key.
    const line = JSON.parse((await readFile(checkpoints, 'utf8')).trim()) as { seq: number };
    const altered = path.join(env.config.dataDir, 'altered.jsonl');
    await writeFile(altered, `${JSON.stringify({ ...line, seq: 1 })}\n`);
    const otherKey = path.join(env.config.dataDir, 'other.jwk');
    await writeFile(otherKey, JSON.stringify(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' })));
    const [forged, wrongKey] = await Promise.all([
      tesseraJsonInProcess(['audit', 'verify', '--checkpoints', altered], cliEnv),
      tesseraJsonInProcess(['audit', 'verify', '--checkpoints', '--public-key', otherKey], cliEnv),
    ]);
    expect(forged).toMatchObject({ code: 1, json: { ok: false, findings: [{ problem: 'forged_checkpoint', platformName: 'acme', seq: 1, line: 1, message: 'checkpoint on line 1 has a bad signature: it was forged or altered' }] } });
    expect(wrongKey).toMatchObject({ code: 1, json: { ok: false, findings: [{ problem: 'forged_checkpoint', platformName: 'acme', seq: 2, line: 1 }] } });
  });

  it('archives entries before a date, prunes them, and both the archive and the rest verify', { timeout: SLOW }, async () => {
    const keyFile = path.join(env.config.dataDir, 'audit.jwk');
    await writeFile(keyFile, (await tesseraInProcess(['audit', 'key', '--json'], cliEnv)).stdout);
    const archive = path.join(env.config.dataDir, 'archive.jsonl');
    // Every entry so far is before 2999: all but each chain's newest are archived.
    const archived = await tesseraJsonInProcess(['audit', 'archive', '--before', '2999-01-01', '--to', archive], cliEnv);
    expect(archived).toMatchObject({ code: 0, json: { file: archive, entries: 1, chains: [{ from: 1, through: 1, entries: 1 }] } });
    const [alone, again, rest, text] = await Promise.all([
      tesseraJsonInProcess(['audit', 'verify-archive', archive, '--public-key', keyFile], cliEnv),
      tesseraInProcess(['audit', 'archive', '--before', '2999-01-01', '--to', archive], cliEnv),
      tesseraJsonInProcess(['audit', 'verify', '--checkpoints'], cliEnv),
      tessera(['audit', 'verify-archive', archive], cliEnv),
    ]);
    expect(alone).toMatchObject({ code: 0, json: { ok: true, entries: 1, findings: [] } });
    expect(text).toMatchObject({ code: 0, stdout: 'OK: 1 archived audit entries of 1 platform verified\n' });
    expect(again).toMatchObject({ code: 1, stderr: `Error: ${archive} exists: an archive is never overwritten, choose another file\n` });
    expect(rest).toMatchObject({ code: 0, json: { ok: true, checked: 1, findings: [] } });
    expect((await tesseraJsonInProcess(['audit', 'list', '--platform', 'acme'], cliEnv)).json.entries).toMatchObject([{ seq: 2 }]);

    const edited = path.join(env.config.dataDir, 'edited.jsonl');
    await writeFile(edited, (await readFile(archive, 'utf8')).replace('"seq":1', '"seq":7'));
    expect(await tesseraInProcess(['audit', 'verify-archive', edited], cliEnv)).toMatchObject({ code: 1, stdout: expect.stringMatching(/^BROKEN \(removed\): platform plt_\w+, seq 1: line 2: entry seq 1 of platform plt_\w+ is missing \(the next is seq 7, aud_\w+\)\n/) });
  });

  it('the server signs the chains that moved every TESSERA_AUDIT_CHECKPOINT_INTERVAL seconds', { timeout: SLOW }, async () => {
    const file = path.join(env.config.dataDir, 'served-checkpoints.jsonl');
    const server = await startServer({ ...cliEnv, PORT: String(await freePort()), TESSERA_AUDIT_CHECKPOINTS: file, TESSERA_AUDIT_CHECKPOINT_INTERVAL: '1' });
    const seqs = async (): Promise<number[]> => {
      const text = await readFile(file, 'utf8').catch(() => '');
      return text.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { seq: number }).seq);
    };
    const until = async (expected: number[]) => {
      for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
        if ((await seqs()).join() === expected.join()) return;
      }
      throw new Error(`checkpoints ${JSON.stringify(await seqs())}, expected ${JSON.stringify(expected)}: ${server.output()}`);
    };
    try {
      await until([2]);
      // A refused third key is recorded: the chain moved, and only then is it signed again.
      expect((await tesseraInProcess(['apikey', 'create', '--platform', 'acme'], cliEnv)).code).toBe(1);
      await until([2, 3]);
      await new Promise((r) => setTimeout(r, 2_500));
      expect(await seqs()).toEqual([2, 3]);
    } finally {
      await server.stop();
    }
    expect(await tesseraJsonInProcess(['audit', 'verify', '--checkpoints', file], cliEnv)).toMatchObject({ code: 0, json: { ok: true, checkpoints: 2 } });
  });

  it('refuses what it cannot read or parse, saying which file and why', { timeout: SLOW }, async () => {
    const missing = path.join(env.config.dataDir, 'missing.jsonl');
    const notAKey = path.join(env.config.dataDir, 'not-a-key.txt');
    await writeFile(notAKey, 'hello\n');
    const [noFile, badKey, badDate, noPlatform] = await Promise.all([
      tesseraJsonInProcess(['audit', 'verify', '--checkpoints', missing], cliEnv),
      tesseraJsonInProcess(['audit', 'verify', '--checkpoints', '--public-key', notAKey], cliEnv),
      tesseraInProcess(['audit', 'archive', '--before', 'last year', '--to', missing], cliEnv),
      tesseraJsonInProcess(['audit', 'checkpoint', '--platform', 'nowhere'], cliEnv),
    ]);
    expect(noFile).toStrictEqual({ code: 1, json: { error: { code: 'invalid_input', message: `Cannot read the checkpoints file ${missing}: ENOENT` } } });
    expect(badKey).toStrictEqual({ code: 1, json: { error: { code: 'invalid_input', message: `${notAKey} holds no Ed25519 public key: give the JWK of /.well-known/tessera-audit-key or a PEM public key` } } });
    expect(badDate).toMatchObject({ code: 1, stderr: expect.stringContaining("error: option '--before <time>' argument 'last year' is invalid.") });
    expect(noPlatform).toMatchObject({ code: 1, json: { error: { code: 'not_found', message: expect.stringMatching(/^Platform nowhere does not exist in /) } } });
  });
});
