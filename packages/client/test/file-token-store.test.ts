import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTokenFile, FileTokenStore, TokenManager } from '../src/index.js';
import { storeContract, token } from './helpers/store-contract.js';
import { ScriptedServer } from './helpers/token-server.js';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const DAY = 86_400_000;

let dir: string;
let n = 0;
const nextPath = () => join(dir, `store-${++n}`, 'tokens.json');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-file-store-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('FileTokenStore', () => {
  storeContract(() => new FileTokenStore({ path: nextPath() }));

  it('defaults to the file tessera-token uses: $XDG_CACHE_HOME/tessera/tokens.json, else ~/.cache/tessera/tokens.json', () => {
    expect(defaultTokenFile({ XDG_CACHE_HOME: '/var/cache/me' })).toBe('/var/cache/me/tessera/tokens.json');
    expect(defaultTokenFile({})).toBe(join(homedir(), '.cache', 'tessera', 'tokens.json'));
    expect(new FileTokenStore().path).toBe(defaultTokenFile());
    expect(() => new FileTokenStore({ path: '' })).toThrow('FileTokenStore: path must be a non-empty string');
  });

  it('creates the file with mode 0600 (and its folder with 0700), and leaves no temporary file', async () => {
    const path = nextPath();
    const store = new FileTokenStore({ path });
    await store.write('k1', token('tok-a', T0 + DAY), DAY);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(path, '..'))).mode & 0o777).toBe(0o700);
    expect(await readdir(join(path, '..'))).toEqual(['tokens.json']);
  });

  it('takes the lock as an O_EXCL lock file, mode 0600, removed on release', async () => {
    const path = nextPath();
    const store = new FileTokenStore({ path });
    const lock = await store.lock('k1', 10_000);
    const files = await readdir(join(path, '..'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^tokens\.json\.[0-9a-f]{24}\.lock$/);
    const lockPath = join(path, '..', files[0]!);
    expect((await stat(lockPath)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(lockPath, 'utf8'))).toMatchObject({ pid: process.pid });
    // Another process (another store object on the same file) is refused while it is held.
    expect(await new FileTokenStore({ path }).lock('k1', 10_000)).toBeNull();
    await lock!.release();
    expect(await readdir(join(path, '..'))).toEqual([]);
  });

  it('breaks a stale lock file left by a crashed process', async () => {
    const path = nextPath();
    const store = new FileTokenStore({ path });
    const crashed = await store.lock('k1', 10_000);
    expect(crashed).not.toBeNull();
    const [name] = await readdir(join(path, '..'));
    const lockPath = join(path, '..', name!);
    const stale = { owner: 'dead', pid: 999_999, expiresAt: Date.now() - 1 };
    await writeFile(lockPath, JSON.stringify(stale));
    const taken = await store.lock('k1', 10_000);
    expect(taken).not.toBeNull();
    expect(JSON.parse(await readFile(lockPath, 'utf8')).owner).not.toBe('dead');
  });

  it('reads a damaged file as empty and replaces it on the next write', async () => {
    const path = nextPath();
    const store = new FileTokenStore({ path });
    await store.write('k1', token('tok-a', T0 + DAY), DAY);
    await writeFile(path, '{ not json');
    expect(await store.read('k1')).toEqual({ token: null, retryAt: null });
    await store.write('k1', token('tok-b', T0 + DAY), DAY);
    expect((await store.read('k1')).token).toEqual(token('tok-b', T0 + DAY));
  });

  it('keeps one consistent file under concurrent writers', async () => {
    const path = nextPath();
    const writers = Array.from({ length: 20 }, (_, i) => new FileTokenStore({ path }).write('k1', token(`tok-${i}`, T0 + i * 1000), DAY));
    await Promise.all(writers);
    expect((await new FileTokenStore({ path }).read('k1')).token).toEqual(token('tok-19', T0 + 19_000));
  });

  it('holds what a token manager stores: the token record, never the client secret', async () => {
    const server = await ScriptedServer.start();
    try {
      const path = nextPath();
      const secret = 'tsc_secret_file-store-check';
      const tokens = new TokenManager({
        tokenUrl: server.tokenUrl,
        clientId: 'cli_file',
        clientSecret: secret,
        store: new FileTokenStore({ path }),
        now: () => T0,
      });
      expect(await tokens.getToken()).toBe('tok-1');
      const text = await readFile(path, 'utf8');
      expect(text).not.toContain(secret);
      expect(text).not.toContain('cli_file');
      const restarted = new TokenManager({
        tokenUrl: server.tokenUrl,
        clientId: 'cli_file',
        clientSecret: secret,
        store: new FileTokenStore({ path }),
        now: () => T0 + 1000,
      });
      expect(await restarted.getToken()).toBe('tok-1');
      expect(server.tokenRequests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
