import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './listen.js';

// Database and Redis servers of a test's own, on spare ports, that the test may stop and start again:
// the fault suites never touch the machine's shared PostgreSQL (5432) or Redis (6379).

const run = promisify(execFile);

/** Debian's PostgreSQL binaries (initdb, pg_ctl), the newest version installed; undefined when absent. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')) && existsSync(path.join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : path.join(root, versions[0], 'bin');
}

/** The redis-server binary on PATH, or undefined. */
export function redisServerBinary(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = path.join(dir, 'redis-server');
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Why a fault suite that needs `what` must skip (said once), or false; in CI a missing binary fails instead. */
export function binarySkipReason(what: 'postgres' | 'redis'): string | false {
  const found = what === 'postgres' ? postgresBinDir() : redisServerBinary();
  if (found) return false;
  const missing = what === 'postgres' ? 'initdb and pg_ctl (under /usr/lib/postgresql/*/bin)' : 'redis-server';
  if (process.env.CI) throw new Error(`CI must run the fault suites, but ${missing} is not installed`);
  console.warn(`Skipping the ${what} fault suites: ${missing} is not installed`);
  return `${missing} not installed`;
}

/** PostgreSQL refuses to run as root: as root, its commands run as the `postgres` user. */
const asRoot = userInfo().uid === 0;

async function runAsPostgres(binary: string, args: string[]): Promise<void> {
  const [command, full] = asRoot ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
  await run(command, full, { timeout: 60_000 });
}

export interface ThrowawayPostgres {
  port: number;
  /** A connection URL to `database` on this cluster. */
  url(database?: string): string;
  createDatabase(name: string): Promise<string>;
  /** `pg_ctl stop -m immediate`: every connection cut at once, as in a crash. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Starts it when it is stopped. */
  ensureRunning(): Promise<void>;
  /** Stops it and removes its files. */
  destroy(): Promise<void>;
}

/** initdb and start a PostgreSQL cluster of its own in a temporary folder, on a spare port. */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('initdb and pg_ctl are not installed');
  const dir = await mkdtemp(path.join(tmpdir(), 'tessera-pg-'));
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const data = path.join(dir, 'data');
  const port = await freePort();
  await runAsPostgres(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '--no-instructions']);
  const pgCtl = path.join(bin, 'pg_ctl');
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=50`;
  const start = () => runAsPostgres(pgCtl, ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', '-t', '30', 'start']);
  const stop = () => runAsPostgres(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']);
  await start();
  let running = true;
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      await client.query(`CREATE DATABASE ${name}`);
      await client.end();
      return url(name);
    },
    async stop() {
      await stop();
      running = false;
    },
    async start() {
      await start();
      running = true;
    },
    async ensureRunning() {
      if (running) return;
      await start();
      running = true;
    },
    async destroy() {
      if (running) await stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface ThrowawayRedis {
  port: number;
  url: string;
  /** SIGKILL: gone at once, nothing saved. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: nothing was saved). */
  start(): Promise<void>;
}

/** A `redis-server` of its own on a spare port, keeping nothing on disk. */
export async function startThrowawayRedis(): Promise<ThrowawayRedis> {
  const binary = redisServerBinary();
  if (!binary) throw new Error('redis-server is not installed');
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    const started = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${output}`)), 15_000);
      started.stdout!.on('data', (d: Buffer) => {
        output += d;
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      started.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}: ${output}`));
      });
    });
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async kill() {
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        running.once('exit', () => resolve());
        running.kill('SIGKILL');
      });
    },
    start,
  };
}
