// How fast the `tessera` command answers, and how much memory an idle server holds: what a person
// waits for at every command, and what one instance costs at rest (SQLite, in-process cache).
// `tessera client list` and `node -e 0` run in interleaved rounds (the machine's own speed drifts;
// the difference between the two is what Tessera adds); medians of wall time.
// Run: node bench/cli-startup.js   (BENCH_ROUNDS rounds, 11 by default)
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deployment } from './support.js';

const TESSERA = new URL('../packages/server/bin/tessera.js', import.meta.url).pathname;
const rounds = Number(process.env.BENCH_ROUNDS ?? 11);
const dataDir = await mkdtemp(path.join(tmpdir(), 'tessera-bench-cli-'));
const env = { ...process.env, TESSERA_DATA_DIR: dataDir, TESSERA_MASTER_KEY: '', DATABASE_URL: '', REDIS_URL: '' };
execFileSync(process.execPath, [TESSERA, 'platform', 'create', 'acme'], { env, stdio: 'ignore' });

/** Wall-clock milliseconds of one run of `args`. */
function time(args) {
  const before = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { env, stdio: 'ignore' });
  const wall = Number(process.hrtime.bigint() - before) / 1e6;
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited with ${result.status}`);
  return wall;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const command = [];
const bare = [];
for (let i = 0; i < rounds; i++) {
  command.push(time([TESSERA, 'client', 'list', '--platform', 'acme', '--json']));
  bare.push(time(['-e', '0']));
}
await rm(dataDir, { recursive: true, force: true });

// Idle memory: a fresh server, ten seconds after it answers.
const server = await deployment();
await new Promise((r) => setTimeout(r, 10_000));
const pid = spawnSync('pgrep', ['-f', `${TESSERA} serve`, '-n']).stdout.toString().trim();
const rssMb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
await server.stop();

console.log(`The tessera command and an idle server (${rounds} interleaved rounds, medians)`);
console.table([
  { what: 'tessera client list --platform acme --json', value: Math.round(median(command)), unit: 'ms', target: '< 300' },
  { what: 'node -e 0 (Node.js itself)', value: Math.round(median(bare)), unit: 'ms', target: '' },
  { what: 'idle `tessera serve` RSS', value: Math.round(rssMb), unit: 'MB', target: '< 80' },
]);
