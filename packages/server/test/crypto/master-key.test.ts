import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/listen.js';
import { tesseraJsonInProcess } from '../support/cli-in-process.js';
import { tessera, tesseraJson } from '../support/processes.js';

// Each step starts a process (about a second, more on a loaded machine): generous timeouts.
describe('a missing master.key with sealed data in the store', { timeout: 90_000 }, () => {
  let dataDir: string;
  afterAll(async () => rm(dataDir, { recursive: true, force: true }));

  it('stops start-up saying the key is missing, where it was expected and how to restore it, and writes no new key', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'tessera-key-'));
    const env = { TESSERA_DATA_DIR: dataDir, TESSERA_MASTER_KEY: '', DATABASE_URL: '', REDIS_URL: '' };
    const keyFile = path.join(dataDir, 'master.key');
    // A first start seals a signing key and an API key under a generated master key (the command's
    // program in this process: what follows, the start-ups that fail, runs as processes).
    expect((await tesseraJsonInProcess(['platform', 'create', 'acme'], env)).code).toBe(0);
    expect((await tesseraJsonInProcess(['apikey', 'create', '--platform', 'acme'], env)).code).toBe(0);
    await unlink(keyFile);

    const expected =
      `The master key is missing: the store ${path.join(dataDir, 'tessera.db')} holds signing keys and API keys sealed under a master key, ` +
      `expected in ${keyFile} since TESSERA_MASTER_KEY is not set. Restore that file from your backup (mode 0600), or set ` +
      'TESSERA_MASTER_KEY to the base64 key it held. No new key was generated: it could not open the existing data.';
    expect(await tesseraJson(['apikey', 'list', '--platform', 'acme'], env)).toEqual({ code: 1, json: { error: { code: 'cannot_start', message: expected } } });
    await expect(stat(keyFile)).rejects.toThrow('ENOENT');

    const serve = await tessera(['serve'], { ...env, PORT: String(await freePort()), LOG_LEVEL: 'info' });
    expect(serve.code).toBe(1);
    expect(serve.stdout).toContain(expected);
    expect(serve.stdout).not.toContain('is not the key they were sealed with');
    await expect(stat(keyFile)).rejects.toThrow('ENOENT');
  });

  it('names the key file, not TESSERA_MASTER_KEY, when the file holds another key', async () => {
    const env = { TESSERA_DATA_DIR: dataDir, TESSERA_MASTER_KEY: '', DATABASE_URL: '', REDIS_URL: '' };
    const keyFile = path.join(dataDir, 'master.key');
    await writeFile(keyFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    expect(await tesseraJson(['platform', 'list'], env)).toEqual({
      code: 1,
      json: { error: { code: 'cannot_start', message: `Cannot decrypt the signing keys: the master key in ${keyFile} is not the key they were sealed with` } },
    });
  });
});
