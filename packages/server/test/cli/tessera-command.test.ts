import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/listen.js';
import { tesseraJsonInProcess } from '../support/cli-in-process.js';
import { startServer, tessera, tesseraJson } from '../support/processes.js';

// Each step starts a process (about a second, more on a loaded machine): generous timeouts.
describe('the tessera command', { timeout: 60_000 }, () => {
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'tessera-cli-'));
    env = { TESSERA_DATA_DIR: dataDir, TESSERA_MASTER_KEY: '', DATABASE_URL: '', REDIS_URL: '' };
  });
  afterAll(async () => rm(dataDir, { recursive: true, force: true }));

  it('creates a master key file with mode 0600 on first use, and warns', async () => {
    const result = await tessera(['platform', 'create', 'first-platform', '--json'], env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ platformName: 'first-platform' });
    expect(result.stderr).toContain('TESSERA_MASTER_KEY is not set: generated a master key');
    expect((await stat(path.join(dataDir, 'master.key'))).mode & 0o777).toBe(0o600);
    expect(Buffer.from((await readFile(path.join(dataDir, 'master.key'), 'utf8')).trim(), 'base64')).toHaveLength(32);
  });

  it('refuses a bad platform name with a clear message, as JSON and as text', async () => {
    expect(await tesseraJson(['platform', 'create', 'bad:name'], env)).toEqual({
      code: 1,
      json: { error: { code: 'invalid_input', message: 'Invalid platform name "bad:name": use 3 to 64 characters from A-Z, a-z, 0-9, ".", "_" and "-"' } },
    });
    const text = await tessera(['platform', 'create', 'x'], env);
    expect(text.code).toBe(1);
    expect(text.stderr).toContain('Error: Invalid platform name "x"');
  });

  it('manages client credentials end to end', async () => {
    await tesseraJson(['platform', 'create', 'acme'], env);
    const created = await tesseraJson(['client', 'create', '--platform', 'acme', '--name', 'Acme prod'], env);
    expect(created.code).toBe(0);
    expect(created.json).toEqual({ name: 'Acme prod', client_id: expect.stringMatching(/^cli_/), client_secret: expect.stringMatching(/^tsc_secret_/) });
    const clientId = created.json.client_id as string;

    const listed = await tesseraJson(['client', 'list', '--platform', 'acme'], env);
    expect(listed.json).toEqual({
      platformName: 'acme',
      clients: [
        {
          name: 'Acme prod',
          client_id: clientId,
          platform: 'acme',
          status: 'active',
          scope: 'raas.all',
          created_at: expect.any(String),
          last_token_issued_at: null,
          next_token_at: null,
        },
      ],
    });
    expect(JSON.stringify(listed.json)).not.toContain(created.json.client_secret as string);

    // The steps after: the same program in this process (support/cli-in-process.ts), a Node start-up spared each.
    expect((await tesseraJsonInProcess(['client', 'delete', clientId], env)).json).toEqual({
      error: { code: 'conflict', message: `Client ${clientId} is active: deactivate it before deleting it` },
    });
    expect((await tesseraJsonInProcess(['client', 'deactivate', clientId], env)).json).toMatchObject({ client_id: clientId, status: 'inactive' });
    expect((await tesseraJsonInProcess(['client', 'activate', clientId], env)).json).toMatchObject({ client_id: clientId, status: 'active' });
    expect((await tesseraJsonInProcess(['client', 'reset-quota', clientId], env)).json).toEqual({ client_id: clientId, quota_reset: true });
    await tesseraJsonInProcess(['client', 'deactivate', clientId], env);
    expect((await tesseraJsonInProcess(['client', 'delete', clientId], env)).json).toEqual({ client_id: clientId, deleted: true });
    expect((await tesseraJsonInProcess(['client', 'reset-quota', clientId], env)).json).toEqual({
      error: { code: 'not_found', message: `Client ${clientId} does not exist in ${path.join(dataDir, 'tessera.db')}` },
    });
  }, 120_000);

  it('lists the platforms, and names the store when a platform is not in it', async () => {
    const listed = await tesseraJson(['platform', 'list'], env);
    expect(listed.code).toBe(0);
    expect(listed.json.platforms).toEqual(expect.arrayContaining([{ platformName: 'acme', created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }]));
    expect((listed.json.platforms as { platformName: string }[]).map((p) => p.platformName)).toEqual(
      [...(listed.json.platforms as { platformName: string }[]).map((p) => p.platformName)].sort(),
    );
    const text = await tessera(['client', 'list', '--platform', 'nowhere'], env);
    expect({ code: text.code, stderr: text.stderr }).toEqual({ code: 1, stderr: `Error: Platform nowhere does not exist in ${path.join(dataDir, 'tessera.db')}\n` });
  });

  it('prints its version', async () => {
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) expect(await tessera([flag], env)).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('deactivates an API key that a running server (SQLite, no Redis) has remembered: refused at once', async () => {
    await tesseraJson(['platform', 'create', 'running'], env);
    const key = (await tesseraJson(['apikey', 'create', '--platform', 'running'], env)).json as { id: string; api_key: string };
    const server = await startServer({ ...env, PORT: String(await freePort()) });
    try {
      const whoami = async () => (await fetch(`${server.url}/raas/v2/whoami`, { headers: { authorization: `Basic ${Buffer.from(`running:${key.api_key}`).toString('base64')}` } })).status;
      expect(await whoami()).toBe(200);
      // The command announces to no one without Redis; the server sees SQLite's data_version move.
      expect((await tesseraJson(['apikey', 'deactivate', key.id], env)).json).toMatchObject({ id: key.id, status: 'inactive' });
      expect(await whoami()).toBe(401);
    } finally {
      await server.stop();
    }
  });

  it('ends with one line naming the port and the setting when the port is taken', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const serve = await tessera(['serve'], { ...env, PORT: String(port), LOG_LEVEL: 'silent' });
      expect(serve).toEqual({
        code: 1,
        stdout: '',
        stderr: `Tessera could not listen on 127.0.0.1:${port}: the port is already in use (is Tessera or another server running?). Set PORT (or HOST) to another.\n`,
      });
    } finally {
      taken.close();
    }
  });

  it('allows two active clients even when 6 processes create at once on SQLite', async () => {
    await tesseraJson(['platform', 'create', 'busy'], env);
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => tesseraJson(['client', 'create', '--platform', 'busy', '--name', `c${i}`], env)));
    expect(results.filter((r) => r.code === 0)).toHaveLength(2);
    for (const refused of results.filter((r) => r.code !== 0)) {
      expect(refused.json).toEqual({
        error: { code: 'limit_reached', message: 'Platform busy already has 2 active client credentials: deactivate one first' },
      });
    }
  });

  it('rotates signing keys, keeping the old key published', async () => {
    const before = await tesseraJson(['keys', 'list'], env);
    const rotated = await tesseraJson(['keys', 'rotate'], env);
    expect(rotated.json).toEqual({ kid: expect.any(String), sign_from: expect.any(String) });
    const after = await tesseraJson(['keys', 'list'], env);
    expect((after.json.keys as unknown[]).length).toBe((before.json.keys as unknown[]).length + 1);
    expect(after.json.keys).toEqual(expect.arrayContaining([...(before.json.keys as unknown[]), { kid: rotated.json.kid, alg: 'RS256' }]));
  });

  it('stops with a message naming a bad setting', async () => {
    expect(await tesseraJson(['keys', 'list'], { ...env, TESSERA_TOKEN_TTL: 'soon' })).toEqual({
      code: 1,
      json: { error: { code: 'invalid_config', message: 'Invalid configuration: TESSERA_TOKEN_TTL must be a whole number, got "soon"' } },
    });
    const serve = await tessera(['serve'], { ...env, PORT: '70000' });
    expect(serve.code).toBe(2);
    expect(serve.stderr.trim()).toBe('Invalid configuration: PORT must be between 1 and 65535, got 70000');
  });

  it('uses TESSERA_MASTER_KEY when set and refuses a wrong one', async () => {
    const other = await mkdtemp(path.join(tmpdir(), 'tessera-cli-'));
    try {
      const key = randomBytes(32).toString('base64');
      const ok = await tessera(['platform', 'create', 'keyed', '--json'], { ...env, TESSERA_DATA_DIR: other, TESSERA_MASTER_KEY: key });
      expect(ok.code).toBe(0);
      expect(ok.stderr).not.toContain('generated a master key');
      const short = await tesseraJson(['keys', 'list'], { ...env, TESSERA_DATA_DIR: other, TESSERA_MASTER_KEY: 'c2hvcnQ=' });
      expect(short.json).toEqual({
        error: { code: 'invalid_config', message: 'Invalid configuration: TESSERA_MASTER_KEY must be 32 bytes in base64 (try: openssl rand -base64 32)' },
      });
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});
