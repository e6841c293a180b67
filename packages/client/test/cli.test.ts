import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLIENT_DIR, ensureBuilt } from './helpers/build.js';
import { deleteRedisKeys, redisSkipReason, TEST_REDIS_URL, uniqueRedisPrefix } from '../../../test-support/redis.js';
import { FileTokenStore, tokenCacheKey } from '../src/index.js';
import { issueTokens, ScriptedServer } from './helpers/token-server.js';

const skipRedis = await redisSkipReason('tessera-token --redis');
const BIN = join(CLIENT_DIR, 'bin', 'tessera-token.js');
const SECRET = 'tsc_secret_cli-check-0123456789';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env.PATH, HOME: dir, ...env }, timeout: 20_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

let server: ScriptedServer;
let dir: string;
let file: string;
let n = 0;

beforeAll(async () => {
  await ensureBuilt();
  server = await ScriptedServer.start();
  dir = await mkdtemp(join(tmpdir(), 'tessera-cli-'));
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  file = join(dir, `tokens-${++n}.json`);
  server.tokenRequests.length = 0;
});

const env = () => ({ TESSERA_TOKEN_URL: server.tokenUrl, TESSERA_CLIENT_ID: 'cli_cli', TESSERA_CLIENT_SECRET: SECRET });

describe('tessera-token', () => {
  it('prints a token, and on the next run the stored one without a request', async () => {
    const first = await cli(['--file', file], env());
    expect(first).toEqual({ code: 0, stdout: 'tok-1\n', stderr: '' });
    const second = await cli(['--file', file], env());
    expect(second).toEqual({ code: 0, stdout: 'tok-1\n', stderr: '' });
    expect(server.tokenRequests).toHaveLength(1);
    expect(server.tokenRequests[0]!.form).toEqual({ grant_type: 'client_credentials', client_id: 'cli_cli', client_secret: SECRET, scope: 'raas.all' });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('prints JSON with --json', async () => {
    const run = await cli(['--file', file, '--json', '--audience', 'https://api.tangocard.com/', '--scope', 'raas.all'], env());
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['access_token', 'token_type', 'expires_in', 'expires_at', 'scope']);
    expect(out).toMatchObject({ access_token: 'tok-1', token_type: 'Bearer', scope: 'raas.all' });
    expect(out.expires_in).toBeGreaterThan(86_390);
    expect(out.expires_in).toBeLessThanOrEqual(86_400);
    expect(server.tokenRequests[0]!.form.audience).toBe('https://api.tangocard.com/');
  });

  it('takes everything from arguments, warning that a secret in argv shows in ps', async () => {
    const run = await cli(['--token-url', server.tokenUrl, '--client-id', 'cli_argv', '--client-secret', SECRET, '--file', file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('tok-1\n');
    expect(run.stderr).toBe('tessera-token: warning: --client-secret is visible to other users in ps; set TESSERA_CLIENT_SECRET instead\n');
  });

  it('defaults to a file store in the XDG cache folder', async () => {
    const cache = join(dir, `xdg-${n}`);
    expect((await cli([], { ...env(), XDG_CACHE_HOME: cache })).stdout).toBe('tok-1\n');
    expect((await stat(join(cache, 'tessera', 'tokens.json'))).mode & 0o777).toBe(0o600);
  });

  it('exits 2 on bad usage', async () => {
    const run = await cli(['--file', file], { TESSERA_TOKEN_URL: server.tokenUrl, TESSERA_CLIENT_SECRET: SECRET });
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: 'tessera-token: a client id is required (--client-id or TESSERA_CLIENT_ID)\nTry tessera-token --help.\n',
    });
    expect((await cli(['--bogus'], env())).code).toBe(2);
    expect((await cli(['--tango', 'staging'], env())).code).toBe(2);
  });

  it('exits 1 with the error code, never the secret', async () => {
    server.tokenHandler = () => ({ status: 401, json: { error: 'invalid_client', error_description: 'Client authentication failed' } });
    try {
      const run = await cli(['--file', file], env());
      expect(run).toEqual({
        code: 1,
        stdout: '',
        stderr: 'tessera-token: Token endpoint rejected the client credentials (HTTP 401 invalid_client: Client authentication failed) [invalid_client]\n',
      });
      const json = await cli(['--file', join(dir, 'other.json'), '--json'], env());
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout)).toEqual({
        error: { code: 'invalid_client', message: 'Token endpoint rejected the client credentials (HTTP 401 invalid_client: Client authentication failed)' },
      });
      expect(run.stderr + json.stdout).not.toContain(SECRET);
    } finally {
      server.tokenHandler = (_r, i) => ({ json: { access_token: `tok-${i + 1}`, token_type: 'Bearer', expires_in: 86_400 } });
    }
  });

  it('reports the quota with the time of the next token', async () => {
    server.tokenHandler = () => ({ status: 400, headers: { 'retry-after': '72000' }, json: { error: 'rate_limit_exceeded' } });
    try {
      const run = await cli(['--file', file, '--json'], env());
      expect(run.code).toBe(1);
      const { error } = JSON.parse(run.stdout) as { error: { code: string; retry_at: string } };
      expect(error.code).toBe('rate_limited');
      expect(Date.parse(error.retry_at) - Date.now()).toBeGreaterThan(71_000_000);
    } finally {
      server.tokenHandler = (_r, i) => ({ json: { access_token: `tok-${i + 1}`, token_type: 'Bearer', expires_in: 86_400 } });
    }
  });

  it('shares the token of a run without --audience with a run given the default audience', async () => {
    expect((await cli(['--file', file], env())).stdout).toBe('tok-1\n');
    expect((await cli(['--file', file, '--audience', `${server.origin}/raas/v2`], env())).stdout).toBe('tok-1\n');
    expect(server.tokenRequests).toHaveLength(1);
  });

  it('with --retry-now, clears the stored refusal and gets a token (after tessera client reset-quota)', async () => {
    server.tokenHandler = () => ({ status: 400, headers: { 'retry-after': '72000' }, json: { error: 'rate_limit_exceeded' } });
    const key = tokenCacheKey({ tokenUrl: server.tokenUrl, clientId: 'cli_cli', audience: `${server.origin}/raas/v2` });
    const store = new FileTokenStore({ path: file });
    try {
      expect((await cli(['--file', file], env())).code).toBe(1);
      expect((await store.read(key)).retryAt).not.toBeNull();
      server.tokenHandler = issueTokens; // the administrator reset the quota
      const refused = await cli(['--file', file], env()); // the refusal is still kept: no request
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/\[rate_limited\]\n$/);
      expect(server.tokenRequests).toHaveLength(1);
      expect(await cli(['--file', file, '--retry-now'], env())).toEqual({ code: 0, stdout: 'tok-2\n', stderr: '' });
      expect(server.tokenRequests).toHaveLength(2);
      expect(await store.read(key)).toMatchObject({ token: { accessToken: 'tok-2' }, retryAt: null });
      // The next run, without the flag, takes that token.
      expect((await cli(['--file', file], env())).stdout).toBe('tok-2\n');
      expect(server.tokenRequests).toHaveLength(2);
    } finally {
      server.tokenHandler = issueTokens;
    }
  });

  it('reports bad usage as the JSON error shape with --json', async () => {
    expect(await cli(['--bogus', '--json'], env())).toEqual({
      code: 2,
      stdout: `${JSON.stringify({ error: { code: 'invalid_argument', message: "unknown option '--bogus'" } })}\n`,
      stderr: '',
    });
    const missing = await cli(['--token-url'], env());
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^tessera-token: .*--token-url.*\nTry tessera-token --help\.\n$/);
    expect((await cli(['positional'], env())).code).toBe(2);
  });

  it('prints its version', async () => {
    const { version } = JSON.parse(await readFile(join(CLIENT_DIR, 'package.json'), 'utf8')) as { version: string };
    expect(await cli(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect((await cli(['-v'])).stdout).toBe(`${version}\n`);
  });

  it('prints its help', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: tessera-token \[options\]/);
  });

  it.skipIf(skipRedis)('shares the token through Redis with --redis', async () => {
    const prefix = uniqueRedisPrefix();
    try {
      const args = ['--redis', TEST_REDIS_URL, '--key-prefix', prefix];
      expect((await cli(args, env())).stdout).toBe('tok-1\n');
      expect((await cli(args, env())).stdout).toBe('tok-1\n');
      expect(server.tokenRequests).toHaveLength(1);
    } finally {
      await deleteRedisKeys(prefix);
    }
  });
});
