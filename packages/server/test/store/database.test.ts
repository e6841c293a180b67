import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/listen.js';
import { startServer, tessera, tesseraJson } from '../support/processes.js';

const mode = async (file: string) => (await stat(file)).mode & 0o777;

// Each step starts a process (about a second, more on a loaded machine): generous timeouts.
describe('the SQLite files of the data folder', { timeout: 90_000 }, () => {
  const folders: string[] = [];
  afterAll(async () => {
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
  });
  /** A data folder that existed before, readable by all (as an admin might make it). */
  const dataFolder = async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'tessera-data-'));
    folders.push(folder);
    await chmod(folder, 0o755);
    return folder;
  };
  const environment = (dataDir: string) => ({ TESSERA_DATA_DIR: dataDir, TESSERA_MASTER_KEY: '', DATABASE_URL: '', REDIS_URL: '' });

  it('are created 0600, tessera.db and its WAL and SHM files, in a folder that existed before; looser ones are tightened', async () => {
    const dataDir = await dataFolder();
    const port = await freePort();
    const env = { ...environment(dataDir), PORT: String(port), TESSERA_PUBLIC_URL: `http://127.0.0.1:${port}` };
    const files = ['tessera.db', 'tessera.db-wal', 'tessera.db-shm'].map((name) => path.join(dataDir, name));

    let server = await startServer(env);
    try {
      for (const file of files) expect({ file, mode: await mode(file) }).toEqual({ file, mode: 0o600 });
      expect(await mode(path.join(dataDir, 'master.key'))).toBe(0o600);
    } finally {
      await server.stop();
    }

    // A store left readable by all (by an older version): tightened at the next start.
    await chmod(files[0]!, 0o644);
    server = await startServer(env);
    try {
      for (const file of files) expect({ file, mode: await mode(file) }).toEqual({ file, mode: 0o600 });
    } finally {
      await server.stop();
    }
  });

  it.each([
    ['an empty (0-byte) tessera.db', '', 'is empty (0 bytes), not a Tessera store'],
    ['a tessera.db that is not SQLite', 'platforms,clients\n', 'is not an SQLite database'],
  ])('refuse %s instead of starting afresh, and generate no key', async (_case, content, says) => {
    const dataDir = await dataFolder();
    const file = path.join(dataDir, 'tessera.db');
    await writeFile(file, content);
    const expected = `The database file ${file} ${says}. Restore it from a backup, or move it away to start with an empty store.`;
    expect(await tesseraJson(['keys', 'list'], environment(dataDir))).toEqual({ code: 1, json: { error: { code: 'cannot_start', message: expected } } });
    const serve = await tessera(['serve'], { ...environment(dataDir), PORT: String(await freePort()), LOG_LEVEL: 'info' });
    expect(serve.code).toBe(1);
    expect(serve.stdout).toContain(expected);
    // Nothing written: the file is as it was, and no master key was made for an "empty" store.
    expect((await stat(file)).size).toBe(content.length);
    await expect(stat(path.join(dataDir, 'master.key'))).rejects.toThrow('ENOENT');
  });
});
