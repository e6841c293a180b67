// Shared pieces of the benchmarks: a real `tessera serve` process and autocannon runs against it.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import pg from 'pg';
import { peerClient } from './peers/clients.js';

// BENCH_TESSERA: another copy of bin/tessera.js (with its dist/ beside it) to measure, one that a build of
// the work tree running meanwhile cannot replace under the servers.
const TESSERA = process.env.BENCH_TESSERA ?? new URL('../packages/server/bin/tessera.js', import.meta.url).pathname;
const run = promisify(execFile);
// Whatever becomes of the benchmark, none of its servers outlives it.
const children = new Set();
process.on('exit', () => children.forEach((child) => child.kill('SIGKILL')));
export const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

export async function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * A throwaway deployment in its own data folder (SQLite unless DATABASE_URL is given in `env`). With
 * `clients`, that many platforms of one client each are made first (`clients` of the result: their ids
 * and secrets), straight through the store: a `tessera` command each would take minutes. With `seed`, a
 * function that fills the store (through `cli` and the database itself) before the server starts.
 */
export async function deployment(env = {}, { clients = 0, seed } = {}) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tessera-bench-'));
  const port = await freePort();
  const base = { ...process.env, TESSERA_DATA_DIR: dataDir, TESSERA_MASTER_KEY: randomBytes(32).toString('base64'), PORT: String(port), LOG_LEVEL: 'warn', ...env };
  const cli = async (...args) => JSON.parse((await run(process.execPath, [TESSERA, ...args, '--json'], { env: base })).stdout);
  const made = clients > 0 ? await seedClients(base, clients) : [];
  // `seed({ env, cli, dataDir })`: fills the store before the server starts (bench/scale.js).
  if (seed) await seed({ env: base, cli, dataDir });
  // BENCH_NODE_ARGS: flags for the servers' node, such as `--cpu-prof --cpu-prof-dir=/tmp/profiles`.
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const url = `http://127.0.0.1:${port}`;
  let child;
  const start = async () => {
    child = spawn(process.execPath, [...nodeArgs, TESSERA, 'serve'], { env: base, stdio: ['ignore', process.env.BENCH_VERBOSE ? 'inherit' : 'ignore', 'inherit'] });
    children.add(child);
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${url}/healthz`)).ok) break;
      } catch {
        if (i > 300 || child.exitCode !== null) throw new Error('tessera serve did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  const halt = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    children.delete(child);
  };
  await start();
  return {
    url,
    cli,
    dataDir,
    get pid() {
      return child.pid;
    },
    masterKey: base.TESSERA_MASTER_KEY,
    clients: made,
    /** Stops the server and starts it again on the same store: its caches and its JIT start over. */
    async restart() {
      await halt();
      await start();
    },
    async stop() {
      await halt();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function seedClients(env, count) {
  const { loadConfig } = await import('../packages/server/dist/config/config.js');
  const { closeServices, openServices } = await import('../packages/server/dist/services.js');
  const { createPlatform } = await import('../packages/server/dist/credentials/platforms.js');
  const { createClient } = await import('../packages/server/dist/credentials/oauth-clients.js');
  const { pino } = await import('pino');
  const services = await openServices(loadConfig(env), { log: pino({ level: 'silent' }) });
  try {
    const made = [];
    for (let i = 0; i < count; i++) {
      const platform = `bench-${i}`;
      await createPlatform(services, platform);
      made.push(await createClient(services, platform));
    }
    return made;
  } finally {
    await closeServices(services);
  }
}

/** Runs autocannon for `seconds` and returns requests/s and latency. */
export async function measure(name, options) {
  const result = await autocannon({ connections: 10, duration: Number(process.env.BENCH_SECONDS ?? 5), ...options });
  const statuses = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count]));
  const row = { name, 'req/s': Math.round(result.requests.average), 'p50 ms': result.latency.p50, 'p99 ms': result.latency.p99, statuses: JSON.stringify(statuses), errors: result.errors };
  return row;
}

/** node-oidc-provider (bench/peers/oidc-provider.js) signing with `alg`, in a process of its own. */
export async function peer(alg, { clients = 1 } = {}) {
  const port = await freePort();
  const child = spawn(process.execPath, [new URL('peers/oidc-provider.js', import.meta.url).pathname], {
    env: { ...process.env, PORT: String(port), BENCH_ALG: alg, BENCH_CLIENTS: String(clients) },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  children.add(child);
  await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`node-oidc-provider exited with ${code}`)));
    child.stdout.on('data', (chunk) => chunk.toString().includes('ready') && resolve());
  });
  return {
    url: `http://127.0.0.1:${port}`,
    tokenPath: '/token',
    clients: Array.from({ length: clients }, (_, i) => peerClient(i)),
    pid: child.pid,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r()));
    },
  };
}

/** Resident memory in MiB and CPU seconds (user + system) of process `pid` so far (Linux /proc). */
export function processUsage(pid) {
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  // Fields 14 and 15 of /proc/<pid>/stat (utime, stime), counted after the command name's closing parenthesis.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { rssMiB: rssKb / 1024, cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND };
}

/**
 * PostgreSQL databases and Redis key prefixes of this run's own (on TEST_DATABASE_URL and TEST_REDIS_URL, or
 * the machine's defaults), made by `deployment()` and dropped by `drop()`; `{ available: false, reason }`
 * when either does not answer. Databases of earlier runs that died before dropping theirs go first.
 */
export async function services() {
  const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
  const redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await admin.connect();
    await redis.connect();
  } catch (error) {
    await admin.end().catch(() => {});
    redis.disconnect();
    return { available: false, reason: `${error.message} (set TEST_DATABASE_URL and TEST_REDIS_URL)` };
  }
  const { rows } = await admin.query("select datname from pg_database where datname like 'tessera\\_bench\\_%'");
  for (const { datname } of rows) {
    const pid = Number(datname.split('_')[2]);
    if (!isRunning(pid)) await admin.query(`drop database if exists ${datname} with (force)`);
  }
  const made = [];
  const versions = `PostgreSQL ${(await admin.query('show server_version')).rows[0].server_version}, Redis ${/redis_version:(\S+)/.exec(await redis.info('server'))?.[1]}`;
  return {
    available: true,
    describe: `${versions}; a database and a Redis key prefix of the run's own per deployment, dropped after`,
    /** The settings of a new, empty deployment. */
    async deployment() {
      const name = `tessera_bench_${process.pid}_${Date.now().toString(36)}_${made.length}`;
      await admin.query(`create database ${name}`);
      made.push(name);
      const databaseUrl = new URL(adminUrl);
      databaseUrl.pathname = `/${name}`;
      return { DATABASE_URL: databaseUrl.toString(), REDIS_URL: redisUrl, REDIS_KEY_PREFIX: `${name}:` };
    },
    async drop() {
      for (const name of made) {
        await admin.query(`drop database if exists ${name} with (force)`);
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${name}:*`, 'COUNT', 1000);
          if (keys.length) await redis.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      }
      await admin.end();
      redis.disconnect();
    },
  };
}

function isRunning(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
