import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Config } from '../../src/config/config.js';

export const TESSERA_BIN = fileURLToPath(new URL('../../bin/tessera.js', import.meta.url));

const run = promisify(execFile);

/** Runs `tessera <args>` in its own process; resolves with exit code and output (never rejects on exit code). */
export async function tessera(
  args: string[],
  env: Record<string, string | undefined>,
  options: { cwd?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [TESSERA_BIN, ...args], { env: { ...process.env, ...env }, timeout: 60_000, ...options });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** `tessera … --json` and its one JSON object. */
export async function tesseraJson(
  args: string[],
  env: Record<string, string | undefined>,
  options: { cwd?: string } = {},
): Promise<{ code: number; json: Record<string, unknown> }> {
  const result = await tessera([...args, '--json'], env, options);
  const lines = result.stdout.trim().split('\n');
  if (lines.length !== 1) throw new Error(`expected one JSON line, got: ${result.stdout} ${result.stderr}`);
  return { code: result.code, json: JSON.parse(lines[0]!) };
}

/**
 * The environment of a `tessera` command run against a test deployment's store (and Redis, where it has
 * one): its data folder, master key, database and key prefix; `extra` adds or overrides settings.
 */
export function cliEnvOf(config: Pick<Config, 'dataDir' | 'masterKey' | 'databaseUrl' | 'redisUrl' | 'redisKeyPrefix'>, extra: Record<string, string> = {}): Record<string, string> {
  return {
    TESSERA_DATA_DIR: config.dataDir,
    TESSERA_MASTER_KEY: config.masterKey ?? '',
    DATABASE_URL: config.databaseUrl ?? '',
    REDIS_URL: config.redisUrl ?? '',
    REDIS_KEY_PREFIX: config.redisKeyPrefix,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

/** The environment of `tessera serve` as `npm start` runs it: SQLite in `dataDir`, no Redis, a fresh master key, on loopback `port`. */
export function sqliteServerEnv(dataDir: string, port: number): Record<string, string> {
  return {
    PORT: String(port),
    HOST: '127.0.0.1',
    TESSERA_DATA_DIR: dataDir,
    TESSERA_MASTER_KEY: randomBytes(32).toString('base64'),
    DATABASE_URL: '',
    REDIS_URL: '',
  };
}

/** Starts `tessera serve` and resolves once it answers /healthz. */
export async function startServer(
  env: Record<string, string | undefined>,
): Promise<{ child: ChildProcess; url: string; stop: () => Promise<void>; output: () => string }> {
  const child = spawn(process.execPath, [TESSERA_BIN, 'serve'], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = `http://${env.HOST ?? '127.0.0.1'}:${env.PORT}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`tessera serve exited with ${child.exitCode}: ${output}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`tessera serve did not start: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    url,
    /** Everything the process wrote so far, stdout and stderr. */
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
