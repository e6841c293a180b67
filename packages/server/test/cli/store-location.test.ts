import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDataDir } from '../../src/config/config.js';
import { tessera, tesseraJson } from '../support/processes.js';

// A project laid out like this repository: a workspace root and a package folder below it.
describe('the store the tessera command uses', { timeout: 60_000 }, () => {
  let project: string;
  let subfolder: string;
  let store: string;
  // No TESSERA_DATA_DIR: the default folder is the point.
  const env = { TESSERA_DATA_DIR: '', TESSERA_MASTER_KEY: '', DATABASE_URL: '', REDIS_URL: '' };

  beforeAll(async () => {
    project = await mkdtemp(path.join(tmpdir(), 'tessera-project-'));
    subfolder = path.join(project, 'packages', 'server');
    await mkdir(subfolder, { recursive: true });
    await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'p', private: true, workspaces: ['packages/server'] }));
    await writeFile(path.join(subfolder, 'package.json'), JSON.stringify({ name: 'server' }));
    store = path.join(project, 'data', 'tessera.db');
  });
  afterAll(async () => rm(project, { recursive: true, force: true }));

  it('defaults to the data folder of the project root, found from any folder inside it', async () => {
    expect(defaultDataDir(subfolder)).toBe(path.join(project, 'data'));
    expect(defaultDataDir(project)).toBe(path.join(project, 'data'));
    // Outside any project: the working directory.
    const loose = await mkdtemp(path.join(tmpdir(), 'tessera-loose-'));
    try {
      expect(defaultDataDir(loose)).toBe(path.join(loose, 'data'));
      await writeFile(path.join(loose, 'package.json'), '{"name":"single"}');
      await mkdir(path.join(loose, 'src'));
      expect(defaultDataDir(path.join(loose, 'src'))).toBe(path.join(loose, 'data'));
    } finally {
      await rm(loose, { recursive: true, force: true });
    }
  });

  it('says on stderr when it creates a new, empty store', async () => {
    const created = await tessera(['platform', 'create', 'acme', '--json'], env, { cwd: project });
    expect(created.code).toBe(0);
    expect(created.stdout).toBe('{"platformName":"acme"}\n');
    expect(created.stderr).toContain(`tessera: no store at ${store} yet: creating a new, empty one (TESSERA_DATA_DIR or DATABASE_URL selects another)\n`);
    expect(existsSync(store)).toBe(true);
  });

  it('says nothing about the store where a person would expect it', async () => {
    const listed = await tessera(['platform', 'list', '--json'], env, { cwd: project });
    expect({ ...listed, stdout: JSON.parse(listed.stdout) }).toEqual({
      code: 0,
      stdout: { platforms: [{ platformName: 'acme', created_at: expect.any(String) }] },
      stderr: '',
    });
  });

  it('finds the same store from a package folder, and says which it uses', async () => {
    const listed = await tessera(['client', 'list', '--platform', 'acme', '--json'], env, { cwd: subfolder });
    expect(listed).toEqual({ code: 0, stdout: '{"platformName":"acme","clients":[]}\n', stderr: `tessera: using the project's store at ${store}\n` });
    expect(existsSync(path.join(subfolder, 'data'))).toBe(false);
  });

  it('names the store in a "does not exist" error', async () => {
    expect(await tesseraJson(['client', 'list', '--platform', 'globex'], env, { cwd: subfolder })).toEqual({
      code: 1,
      json: { error: { code: 'not_found', message: `Platform globex does not exist in ${store}` } },
    });
  });
});
