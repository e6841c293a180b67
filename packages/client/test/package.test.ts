// The package as integrators get it: plain Node, from the repo root, right after `npm install`.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, REPO_DIR } from './helpers/build.js';

let dir: string;

function node(file: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file], { cwd: REPO_DIR, env: { PATH: process.env.PATH, ...env }, timeout: 20_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? 1 : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  await ensureBuilt();
  // A folder at the repo root (git ignores .tessera-test-*/): '@tessera/client' resolves as it does there.
  dir = await mkdtemp(join(REPO_DIR, '.tessera-test-client-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('@tessera/client from plain Node', () => {
  it('imports from an .mjs file', async () => {
    const file = join(dir, 'import.mjs');
    await writeFile(
      file,
      `import { TokenManager, RedisTokenStore, FileTokenStore, MemoryTokenStore, basicAuthorization, TANGO_SANDBOX, TokenError } from '@tessera/client';
console.log([TokenManager, RedisTokenStore, FileTokenStore, MemoryTokenStore, basicAuthorization, TokenError].map((f) => typeof f).join(','), TANGO_SANDBOX.scope);`,
    );
    expect(await node(file)).toEqual({ code: 0, stdout: 'function,function,function,function,function,function raas.all\n', stderr: '' });
  });

  it('loads ioredis only when a Redis store is used', async () => {
    const file = join(dir, 'lazy.mjs');
    await writeFile(
      file,
      `import { TokenManager, MemoryTokenStore, RedisTokenStore } from '@tessera/client';
const tokens = new TokenManager({ tokenUrl: 'http://127.0.0.1:9/oauth/token', clientId: 'c', clientSecret: 's', store: new MemoryTokenStore() });
void tokens;
const store = new RedisTokenStore({ url: 'redis://127.0.0.1:9' });
console.error('--- before first use');
await store.read('k').catch(() => undefined);
await store.close();`,
    );
    // NODE_DEBUG=module logs every CommonJS load; ioredis is CommonJS.
    const { code, stderr } = await node(file, { NODE_DEBUG: 'module' });
    expect(code).toBe(0);
    const [before, after] = stderr.split('--- before first use');
    expect(before).not.toMatch(/ioredis/);
    expect(after).toMatch(/ioredis/);
  });
});
