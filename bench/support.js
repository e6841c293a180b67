// Shared pieces of the benchmarks: a real `tessera serve` process and autocannon runs against it.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';

const TESSERA = new URL('../packages/server/bin/tessera.js', import.meta.url).pathname;
const run = promisify(execFile);

export async function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A throwaway deployment in its own data folder (SQLite unless DATABASE_URL is given in `env`). */
export async function deployment(env = {}) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tessera-bench-'));
  const port = await freePort();
  const base = { ...process.env, TESSERA_DATA_DIR: dataDir, TESSERA_MASTER_KEY: randomBytes(32).toString('base64'), PORT: String(port), LOG_LEVEL: 'warn', ...env };
  const cli = async (...args) => JSON.parse((await run(process.execPath, [TESSERA, ...args, '--json'], { env: base })).stdout);
  const child = spawn(process.execPath, [TESSERA, 'serve'], { env: base, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      if (i > 300 || child.exitCode !== null) throw new Error('tessera serve did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    cli,
    pid: child.pid,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs autocannon for `seconds` and returns requests/s and latency. */
export async function measure(name, options) {
  const result = await autocannon({ connections: 10, duration: Number(process.env.BENCH_SECONDS ?? 5), ...options });
  const statuses = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count]));
  const row = { name, 'req/s': Math.round(result.requests.average), 'p50 ms': result.latency.p50, 'p99 ms': result.latency.p99, statuses: JSON.stringify(statuses), errors: result.errors };
  return row;
}
