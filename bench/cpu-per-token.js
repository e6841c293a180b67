// `node bench/cpu-per-token.js`: where the CPU of one issued token goes — Tessera's processes (main and
// signing threads), PostgreSQL's backends, Redis — read from /proc while wrk (or autocannon) drives the
// token endpoint: the figures behind bench/PROFILE.md's PostgreSQL section (issue 13, target 5). Two
// instances on one PostgreSQL database and one Redis, 200 clients of their own platforms asking in turn,
// the quota interval 0 (every request persists its claim and audit entry), 50 connections, three rounds
// of BENCH_SECONDS (default 5) after a warm-up. BENCH_ALG: ES256 (default) or RS256. Needs PostgreSQL and
// Redis (TEST_DATABASE_URL, TEST_REDIS_URL, or the machine's defaults).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { deployment, processUsage, services, TICKS_PER_SECOND } from './support.js';
import { loadGenerator } from './load.js';

const CLIENTS = 200;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const alg = process.env.BENCH_ALG ?? 'ES256';

const shared = await services();
if (!shared.available) {
  console.log(`skipped: ${shared.reason}`);
  process.exit(0);
}
const env = { ...(await shared.deployment()), TESSERA_SIGNING_ALG: alg, TESSERA_QUOTA_INTERVAL: '0' };
const a = await deployment(env, { clients: CLIENTS });
const b = await deployment({ ...env, TESSERA_MASTER_KEY: a.masterKey });
const basicAuth = (user, password) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const tokenRequests = (server) => ({
  url: `${server.url}/oauth/token`,
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: 'grant_type=client_credentials&scope=raas.all',
  rotate: a.clients.map((c) => ({ authorization: basicAuth(c.client_id, c.client_secret) })),
});

/** CPU seconds so far of every process named `name` (processes that ended in between are not counted). */
function cpuOf(name) {
  let pids = [];
  try {
    pids = execFileSync('pgrep', ['-x', name], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    // pgrep exits 1 when nothing matches.
  }
  return pids.reduce((sum, pid) => {
    try {
      return sum + processUsage(Number(pid)).cpuSeconds;
    } catch {
      return sum;
    }
  }, 0);
}
/** The machine's busy and total jiffies (/proc/stat's first line: user nice system idle iowait irq softirq …). */
function machine() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
  return { busy: fields[0] + fields[1] + fields[2] + fields[5] + fields[6], all: fields.reduce((x, y) => x + y, 0) };
}
const sample = () => ({ tessera: processUsage(a.pid).cpuSeconds + processUsage(b.pid).cpuSeconds, postgres: cpuOf('postgres'), redis: cpuOf('redis-server'), machine: machine() });

const load = loadGenerator();
const requests = [tokenRequests(a), tokenRequests(b)];
await load.run(requests, { connections: 50, seconds: 2 });
console.log(`${alg}, PostgreSQL + Redis, 2 instances, ${CLIENTS} clients, 50 connections, ${load.name}`);
for (let round = 1; round <= 3; round++) {
  const before = sample();
  const result = await load.run(requests, { connections: 50, seconds: SECONDS });
  const after = sample();
  const perToken = (seconds) => `${Math.round((seconds * 1e6) / result.requests)} µs`;
  const jiffies = after.machine.busy - before.machine.busy;
  console.log(
    `round ${round}: ${Math.round(result.rps)} tokens/s; CPU per token: Tessera ${perToken(after.tessera - before.tessera)}, ` +
      `PostgreSQL ${perToken(after.postgres - before.postgres)}, Redis ${perToken(after.redis - before.redis)}, ` +
      `the whole machine ${perToken(jiffies / TICKS_PER_SECOND)} (${Math.round((100 * jiffies) / (after.machine.all - before.machine.all))} % busy)`,
  );
}
await a.stop();
await b.stop();
await shared.drop();
