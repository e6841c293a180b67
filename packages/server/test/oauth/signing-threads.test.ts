import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/listen.js';
import { tesseraJsonInProcess } from '../support/cli-in-process.js';
import { startServer } from '../support/processes.js';

const NO_PROC = existsSync('/proc/self/task') ? false : 'threads are counted in /proc (Linux)';
if (NO_PROC) console.warn(`signing-threads.test.ts skipped: ${NO_PROC}`);

// Tokens are signed on libuv's thread pool, sized by TESSERA_SIGNING_THREADS as `tessera serve` starts
// (bin/tessera.js): a process that has signed holds that many more threads.
describe.skipIf(NO_PROC)('TESSERA_SIGNING_THREADS', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function threadsAfterSigning(signingThreads: string, passwordHashes = '1') {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'tessera-threads-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const env = { TESSERA_DATA_DIR: dataDir, TESSERA_MASTER_KEY: randomBytes(32).toString('base64'), DATABASE_URL: '', REDIS_URL: '' };
    const server = await startServer({ ...env, PORT: String(await freePort()), LOG_LEVEL: 'info', TESSERA_SIGNING_THREADS: signingThreads, TESSERA_PASSWORD_HASHES: passwordHashes });
    cleanups.push(() => server.stop());
    // The client by the command's program in this process: the threads counted are the server's, and a
    // process per command would only add start-ups (the cli/ suites run the command as a process).
    await tesseraJsonInProcess(['platform', 'create', 'threads'], env);
    const { json: client } = await tesseraJsonInProcess(['client', 'create', '--platform', 'threads'], env);
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: client.client_id as string, client_secret: client.client_secret as string });
    const response = await fetch(`${server.url}/oauth/token`, { method: 'POST', body });
    expect(response.status).toBe(200);
    return { threads: readdirSync(`/proc/${server.child.pid}/task`).length, output: server.output() };
  }

  it('sizes the pool that signs: 9 threads make 8 more than 1, and the ready line says so', async () => {
    const one = await threadsAfterSigning('1');
    const nine = await threadsAfterSigning('9');
    expect(nine.threads - one.threads).toBe(8);
    expect(nine.output).toContain('"signingThreads":9');
  });

  // Issue 19: scrypt and signatures share the pool; at most TESSERA_PASSWORD_HASHES hashes run at once
  // (accounts/passwords.ts), each on a thread added for it, so they never hold the threads that sign.
  it('adds a thread for each of TESSERA_PASSWORD_HASHES beside the signing threads', async () => {
    const one = await threadsAfterSigning('2', '1');
    const four = await threadsAfterSigning('2', '4');
    expect(four.threads - one.threads).toBe(3);
    expect(four.output).toContain('"signingThreads":2,"passwordHashes":4');
  });
});
