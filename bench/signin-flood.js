// What a flood of portal sign-ins costs token issuance (issue 19: bursts of 45–60 sign-ins stalled a
// concurrent POST /oauth/token for 4.5 to 23 s, scrypt and token signing sharing libuv's thread pool).
// One client asks for tokens one after another (RS256, TESSERA_QUOTA_INTERVAL=0, so every request signs)
// and its latency is measured alone and while a worker thread fires bursts of BENCH_BURST (default 60)
// sign-ins of unknown emails, each from an address of its own (so that no throttle stops them before their
// scrypt), every second. Two `tessera serve` processes, measured in interleaved rounds, medians kept:
//   - bounded: the defaults (TESSERA_PASSWORD_HASHES hashes at once, each on a thread added to the pool);
//   - unbounded, as before issue 19: the pool only the signing threads, and 64 hashes at once.
// After each flood, the time until a token comes within 3× the quiet p50 again (at most a minute): what the
// server had queued.
// Run: node bench/signin-flood.js   (BENCH_ROUNDS=5 rounds of BENCH_SECONDS=2 s per phase by default, BENCH_BEFORE=0
// without the unbounded server; also run by `npm run bench:all`). Writes its section of bench/RESULTS.md,
// which `npm run bench` keeps.
import { readFileSync, writeFileSync } from 'node:fs';
import os, { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const BURST = Number(process.env.BENCH_BURST ?? 60);
/** The heading of this benchmark's section of bench/RESULTS.md (bench/compare.js keeps it). */
const SECTION = '## Sign-ins beside token issuance (issue 19)';
const EVERY_MS = 1000;

if (!isMainThread) {
  // The flood: a burst every EVERY_MS, whatever became of the last one; counts the answers by status.
  const { url, seconds } = workerData;
  const statuses = {};
  let n = 0;
  const until = performance.now() + seconds * 1000;
  const signIn = async () => {
    n += 1;
    const response = await fetch(`${url}/portal/api/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` },
      body: JSON.stringify({ email: `nobody-${n}@example.com`, password: 'a wrong password, long enough' }),
    }).catch(() => undefined);
    statuses[response?.status ?? 'error'] = (statuses[response?.status ?? 'error'] ?? 0) + 1;
    await response?.arrayBuffer();
  };
  const inFlight = new Set();
  while (performance.now() < until) {
    for (let i = 0; i < BURST; i++) {
      const request = signIn().finally(() => inFlight.delete(request));
      inFlight.add(request);
    }
    await new Promise((resolve) => setTimeout(resolve, EVERY_MS));
  }
  // The answers of the last bursts, for at most 5 s: what is still unanswered then is counted as such.
  await Promise.race([Promise.all(inFlight), new Promise((resolve) => setTimeout(resolve, 5000))]);
  if (inFlight.size) statuses['unanswered after 5 s'] = inFlight.size;
  parentPort.postMessage(statuses);
} else {
  const { deployment } = await import('./support.js');
  const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
  const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
  const basic = (id, secret) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

  const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))];
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const summary = (latencies) => ({ p50: percentile(latencies, 50), p99: percentile(latencies, 99), count: latencies.length });

  async function server(name, env) {
    const s = await deployment({ TESSERA_QUOTA_INTERVAL: '0', TESSERA_TRUST_PROXY: '127.0.0.1', ...env });
    await s.cli('platform', 'create', 'flood');
    const client = await s.cli('client', 'create', '--platform', 'flood');
    const token = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.client_id, client.client_secret) }, body: 'grant_type=client_credentials' };
    return { name, ...s, token, quiet: [], flood: [], drain: [], statuses: {}, failed: 0 };
  }

  /** Token requests one after another for `seconds`: each one's latency in ms (a failed one counts until it failed). */
  async function tokens(s, seconds) {
    const latencies = [];
    const until = performance.now() + seconds * 1000;
    while (performance.now() < until) {
      const started = performance.now();
      try {
        const response = await fetch(`${s.url}/oauth/token`, s.token);
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`${s.name}: token request answered ${response.status}`);
      } catch (error) {
        if (!/fetch failed/.test(error.message)) throw error;
        s.failed += 1; // the connection closed under it (the unbounded server, minutes behind)
      }
      latencies.push(performance.now() - started);
    }
    return latencies;
  }

  /** Token latencies while bursts of sign-ins arrive for 1 + `seconds` s (the first second fills the queue). */
  async function beside(s, seconds) {
    const flood = new Worker(new URL(import.meta.url), { workerData: { url: s.url, seconds: seconds + 1 } });
    const done = new Promise((resolve) => flood.once('message', resolve));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const latencies = await tokens(s, seconds);
    const statuses = await done;
    await flood.terminate();
    for (const [status, count] of Object.entries(statuses)) s.statuses[status] = (s.statuses[status] ?? 0) + count;
    // What the server queued is worked off before the next quiet phase: until a token comes within 3× the
    // quiet p50 again (at most a minute). How long that takes is a figure of its own.
    const started = performance.now();
    const fast = 3 * Math.max(5, median(s.quiet.map((r) => r.p50)));
    while (performance.now() - started < 60_000) {
      const [latency] = await tokens(s, 0.001);
      if (latency < fast) break;
    }
    s.drain.push(performance.now() - started);
    return latencies;
  }

  const oldPool = String(Math.max(2, availableParallelism()));
  const servers = [await server('bounded (defaults)', {})];
  // BENCH_BEFORE=0 leaves it out: its floods take a minute to drain on two cores.
  if (process.env.BENCH_BEFORE !== '0') {
    servers.push(await server(`unbounded, as before issue 19 (UV_THREADPOOL_SIZE=${oldPool}, TESSERA_PASSWORD_HASHES=64)`, { UV_THREADPOOL_SIZE: oldPool, TESSERA_PASSWORD_HASHES: '64' }));
  }
  try {
    for (const s of servers) await tokens(s, 1); // warm-up
    for (let round = 1; round <= ROUNDS; round++) {
      for (const s of servers) {
        s.quiet.push(summary(await tokens(s, SECONDS)));
        s.flood.push(summary(await beside(s, SECONDS)));
      }
      console.log(`round ${round}: ${servers.map((s) => `${s.name.split(' ')[0]} quiet p50 ${s.quiet.at(-1).p50.toFixed(1)} p99 ${s.quiet.at(-1).p99.toFixed(1)}, flood p50 ${s.flood.at(-1).p50.toFixed(1)} p99 ${s.flood.at(-1).p99.toFixed(1)} ms`).join('; ')}`);
    }
  } finally {
    for (const s of servers) await s.stop();
  }
  const fmt = (n) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
  const lines = [
    SECTION,
    '',
    `Written by \`node bench/signin-flood.js\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; ${os.cpus().length} cores, load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}. ` +
      `POST /oauth/token (RS256, SQLite), one client asking in turn, alone (quiet) and beside bursts of ${BURST} portal sign-ins of unknown emails every ${EVERY_MS} ms, each from an address of its own (flood); ` +
      `${ROUNDS} interleaved rounds of ${SECONDS} s per phase, each figure the median of the rounds, each ratio the median of the rounds' flood/quiet ratios.`,
    '',
    '| server | quiet p50 ms | quiet p99 ms | flood p50 ms | flood p99 ms | p50 ratio | p99 ratio | back to quiet after a flood, s | sign-in answers during the floods |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of servers) {
    const q50 = median(s.quiet.map((r) => r.p50));
    const q99 = median(s.quiet.map((r) => r.p99));
    const f50 = median(s.flood.map((r) => r.p50));
    const f99 = median(s.flood.map((r) => r.p99));
    const r50 = median(s.flood.map((r, i) => r.p50 / s.quiet[i].p50));
    const r99 = median(s.flood.map((r, i) => r.p99 / s.quiet[i].p99));
    const answers = Object.entries(s.statuses).map(([status, count]) => `${count} × ${status}`).join(', ') + (s.failed ? `; ${s.failed} token requests failed` : '');
    lines.push(`| ${s.name} | ${fmt(q50)} | ${fmt(q99)} | ${fmt(f50)} | ${fmt(f99)} | ${r50.toFixed(1)}× | ${r99.toFixed(1)}× | ${(median(s.drain) / 1000).toFixed(1)} | ${answers} |`);
  }
  lines.push('');
  console.log(`\n${lines.join('\n')}`);
  // This section of RESULTS.md, replaced in place (bench/compare.js writes the rest, and keeps it).
  const file = new URL('RESULTS.md', import.meta.url);
  const results = readFileSync(file, 'utf8');
  const start = results.indexOf(SECTION);
  const end = start < 0 ? -1 : results.indexOf('\n## ', start + SECTION.length);
  const before = start < 0 ? `${results.trimEnd()}\n\n` : results.slice(0, start);
  writeFileSync(file, before + lines.join('\n') + (end < 0 ? '' : results.slice(end)));
  process.exit(0);
}
