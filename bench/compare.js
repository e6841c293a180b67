// `npm run bench`: Tessera beside node-oidc-provider, each server in a process of its own, driven by the
// same load generator (wrk when it is installed, autocannon otherwise) with 50 connections, in interleaved
// rounds whose medians are kept (one machine's absolute numbers drift by a third from hour to hour; the
// ratios of one run do not). Writes bench/RESULTS.md: the machine, the versions, every figure, and each
// ratio next to its target (issue 13).
//   BENCH_ROUNDS (default 7) rounds of BENCH_SECONDS (default 2) seconds per scenario; BENCH_ONLY (a regular
//   expression on the scenario ids printed by each round) runs only those (and starts only their servers) and
//   writes no RESULTS.md, but for issue 23's section (bench/forward-auth.js) when all its scenarios ran.
//   PostgreSQL + Redis rows need TEST_DATABASE_URL (or postgres://postgres@127.0.0.1:5432/test) and
//   TEST_REDIS_URL (or redis://127.0.0.1:6379); they are left out, with the reason, when either is away.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { deployment, peer, processUsage, services } from './support.js';
import { forwardAuthScenarios, forwardAuthSection, IDS as FORWARD_AUTH_IDS, withSection } from './forward-auth.js';
import { loadGenerator } from './load.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const CONNECTIONS = 50;
// Token rows: this many clients, each of a platform of its own, ask in turn (the quota interval is 0, so
// each may ask again): the issuance a deployment sees, where no two requests wait for one platform's lock.
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 200);
const load = loadGenerator();

const form = (fields) => new URLSearchParams(fields).toString();
const basicAuth = (user, password) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** A Tessera process with one platform, one client and one API key (and `clients` more clients). */
async function tessera(env, options) {
  const server = await deployment({ LOG_LEVEL: 'warn', ...env }, options);
  const platform = `bench-${process.pid}-${Date.now().toString(36)}`;
  await server.cli('platform', 'create', platform);
  const client = await server.cli('client', 'create', '--platform', platform);
  const key = await server.cli('apikey', 'create', '--platform', platform);
  return { ...server, platform, client, key };
}

function tokenRequest(url, clientId, secret) {
  return { url, method: 'POST', headers: { ...FORM, authorization: basicAuth(clientId, secret) }, body: form({ grant_type: 'client_credentials', scope: 'raas.all' }) };
}

/** Token requests of every client in turn. */
function tokenRequests(url, clients) {
  return { ...tokenRequest(url, clients[0].client_id, clients[0].client_secret), rotate: clients.map((c) => ({ authorization: basicAuth(c.client_id, c.client_secret) })) };
}

/** Sends the request once and checks the status the scenario is about, so that no figure measures a mistake. */
async function expectStatus(name, request, status) {
  const response = await fetch(request.url, { method: request.method ?? 'GET', headers: request.headers, body: request.body });
  if (response.status !== status) throw new Error(`${name}: expected ${status}, got ${response.status} ${await response.text()}`);
}

// ---- the deployments -------------------------------------------------------------------------------------
const started = Date.now();
const stops = [];
const keep = (server) => (stops.push(server), server);

const scenarios = [];
/** `pids` are the processes whose memory is sampled while the scenario runs; `connections`, when not CONNECTIONS. */
const only = process.env.BENCH_ONLY && new RegExp(process.env.BENCH_ONLY);
const scenario = (id, name, requests, expected, pids, connections = CONNECTIONS) => (!only || only.test(id)) && scenarios.push({ id, name, requests, expected, pids, connections, samples: [] });
/** Whether BENCH_ONLY selects any of these scenarios: the servers of none selected are not started. */
const wants = (ids) => !only || ids.some((id) => only.test(id));

const issuing = {};
const idle = {};
for (const alg of wants(['tessera-RS256', 'peer-RS256', 'tessera-ES256', 'peer-ES256']) ? ['RS256', 'ES256'] : []) {
  const t = keep(await tessera({ TESSERA_SIGNING_ALG: alg, TESSERA_QUOTA_INTERVAL: '0' }, { clients: CLIENTS }));
  const p = keep(await peer(alg, { clients: CLIENTS }));
  idle[`tessera ${alg}`] = processUsage(t.pid).rssMiB;
  idle[`oidc-provider ${alg}`] = processUsage(p.pid).rssMiB;
  issuing[alg] = { t, p };
  scenario(`tessera-${alg}`, `Tessera, token issued (${alg}, SQLite, ${CLIENTS} clients)`, [tokenRequests(`${t.url}/oauth/token`, t.clients)], 200, [t.pid]);
  scenario(`peer-${alg}`, `node-oidc-provider, token issued (${alg}, in-memory, ${CLIENTS} clients)`, [tokenRequests(p.url + p.tokenPath, p.clients)], 200, [p.pid]);
}

// Refusals and the guard, on the default settings (20-hour quota) except the failure limit, raised so
// that the wrong-secret row measures the 401 path itself; the throttled row runs on the default limit.
let idleRss;
let primeThrottle = async () => {};
if (wants(['status', 'quota', 'wrong', 'unknown', 'throttled', 'bearer', 'status-bearer', 'basic'])) {
  const guard = keep(await tessera({ TESSERA_AUTH_FAILURE_LIMIT: '1000000', TESSERA_AUTH_FAILURE_WINDOW: '1' }));
  const throttled = keep(await tessera({}));
  await new Promise((r) => setTimeout(r, 2000));
  idleRss = processUsage(guard.pid).rssMiB;
  const spent = tokenRequest(`${guard.url}/oauth/token`, guard.client.client_id, guard.client.client_secret);
  const { access_token: accessToken } = await (await fetch(spent.url, spent)).json();
  const wrongSecret = (server) => tokenRequest(`${server.url}/oauth/token`, server.client.client_id, 'tsc_wrong_secret_of_the_right_length_000');
  scenario('status', 'unauthenticated GET /raas/v2/status', [{ url: `${guard.url}/raas/v2/status` }], 200, [guard.pid]);
  scenario('quota', 'quota refusal (400 rate_limit_exceeded)', [spent], 400, [guard.pid]);
  scenario('wrong', 'wrong secret (401 invalid_client)', [wrongSecret(guard)], 401, [guard.pid]);
  // Issue 19: a client id that does not exist must cost what a wrong secret does (its timing must not say which).
  const unknownClient = tokenRequest(`${guard.url}/oauth/token`, 'cli_0000000000000000000000', 'tsc_wrong_secret_of_the_right_length_000');
  scenario('unknown', 'unknown client id (401 invalid_client)', [unknownClient], 401, [guard.pid]);
  primeThrottle = async () => {
    for (let i = 0; i < 120; i++) await fetch(wrongSecret(throttled).url, wrongSecret(throttled));
  };
  scenario('throttled', 'wrong secret, address throttled (429)', [wrongSecret(throttled)], 429, [throttled.pid]);
  scenario('bearer', 'Bearer GET /raas/v2/whoami', [{ url: `${guard.url}/raas/v2/whoami`, headers: { authorization: `Bearer ${accessToken}` } }], 200, [guard.pid]);
  // The same header bytes on the unauthenticated route: what a token's size costs before any guard runs.
  scenario('status-bearer', 'GET /raas/v2/status with the Bearer header (ignored)', [{ url: `${guard.url}/raas/v2/status`, headers: { authorization: `Bearer ${accessToken}` } }], 200, [guard.pid]);
  scenario('basic', 'Basic (API key) GET /raas/v2/whoami', [{ url: `${guard.url}/raas/v2/whoami`, headers: { authorization: basicAuth(guard.platform, guard.key.api_key) } }], 200, [guard.pid]);
}

// PostgreSQL + Redis: two instances on one database and one Redis, the connections split between them.
const shared = wants(['pg-RS256', 'pg-ES256']) ? await services() : { available: false, reason: 'not selected by BENCH_ONLY' };
if (shared.available) {
  for (const alg of ['RS256', 'ES256']) {
    const env = { ...(await shared.deployment()), TESSERA_SIGNING_ALG: alg, TESSERA_QUOTA_INTERVAL: '0' };
    const a = keep(await tessera(env, { clients: CLIENTS }));
    const b = keep(await deployment({ LOG_LEVEL: 'warn', ...env, TESSERA_MASTER_KEY: a.masterKey }));
    scenario(`pg-${alg}`, `Tessera ×2, token issued (${alg}, PostgreSQL + Redis, ${CLIENTS} clients)`, [a, b].map((s) => tokenRequests(`${s.url}/oauth/token`, a.clients)), 200, [a.pid, b.pid]);
  }
}

// Issue 23: the same upstream through nginx with and without the forward-auth check, a Fastify route with
// and without @tessera/verify (bench/forward-auth.js).
const forwardAuth = await forwardAuthScenarios({ tessera, keep, scenario, wants });

// ---- the rounds ------------------------------------------------------------------------------------------
// The throttled row's address goes over its limit last, so that it still is (60 s window) when the rounds begin.
await primeThrottle();
for (const s of scenarios) for (const request of s.requests) await expectStatus(s.name, request, s.expected);
const peakRss = {};
console.log(`${scenarios.length} scenarios × ${ROUNDS} rounds × ${SECONDS} s, ${CONNECTIONS} connections, ${load.name}`);
// Round 0 warms the JIT (and SQLite's page cache) up, and is not counted.
for (let round = 0; round <= ROUNDS; round++) {
  for (const s of scenarios) {
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, ...s.pids.map((pid) => processUsage(pid).rssMiB))), 250);
    const result = await load.run(s.requests, { connections: s.connections, seconds: round === 0 ? 1 : SECONDS });
    clearInterval(sampler);
    const wrong = s.expected === 200 ? result.non2xx : result.requests - result.non2xx;
    if (wrong > 0 || result.errors > 0) throw new Error(`${s.name}: ${wrong} answers other than ${s.expected}, ${result.errors} socket errors`);
    if (round > 0) s.samples.push(result);
    peakRss[s.id] = Math.max(peakRss[s.id] ?? 0, peak);
  }
  if (round > 0) console.log(`round ${round}: ${scenarios.map((s) => `${s.id} ${Math.round(s.samples.at(-1).rps)}`).join(', ')}`);
}
for (const s of stops) await s.stop();
await shared.drop?.();

const version = (name) => JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;
const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();
const forwardAuthLines = forwardAuthSection(scenarios, forwardAuth, { ROUNDS, SECONDS, CONNECTIONS, load, commit, nodeVersion: process.version });
const resultsFile = new URL('RESULTS.md', import.meta.url);
let previous = '';
try {
  previous = readFileSync(resultsFile, 'utf8');
} catch {
  // none yet
}
if (only) {
  // Issue 23's rows, all of them, can be measured again alone: their section is replaced, the rest kept.
  if (FORWARD_AUTH_IDS.every((id) => scenarios.some((s) => s.id === id))) {
    writeFileSync(resultsFile, withSection(previous, forwardAuthLines));
    console.log(forwardAuthLines.join('\n'));
  }
  process.exit(0);
}

// ---- the report ------------------------------------------------------------------------------------------
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fig = Object.fromEntries(scenarios.map((s) => [s.id, { rps: median(s.samples.map((r) => r.rps)), p99: median(s.samples.map((r) => r.p99)), runs: s.samples.map((r) => Math.round(r.rps)) }]));
// The median of the rounds' ratios: the two figures of one round were measured seconds apart, under the
// same background load (this machine's throughput drifts within a minute).
const byId = Object.fromEntries(scenarios.map((s) => [s.id, s]));
const ratio = (a, b) => (byId[a] && byId[b] ? median(byId[a].samples.map((r, i) => r.rps / byId[b].samples[i].rps)) : undefined);
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const x = (r) => (r === undefined ? 'n/a' : `${r.toFixed(2)}×`);
const verdict = (r, target) => (r === undefined ? 'not run' : r >= target ? 'met' : '**missed**');

const targets = [
  ['1', 'token issuance RS256 vs node-oidc-provider', ratio('tessera-RS256', 'peer-RS256'), 1.5],
  ['1', 'token issuance ES256 vs node-oidc-provider', ratio('tessera-ES256', 'peer-ES256'), 2.5],
  ['2', 'quota refusal vs unauthenticated route', ratio('quota', 'status'), 0.5],
  ['2', 'wrong secret (401) vs unauthenticated route', ratio('wrong', 'status'), 0.5],
  ['2', '(unknown client id vs wrong secret: the same work, issue 19)', ratio('unknown', 'wrong'), 0.9],
  ['2', '(wrong secret from an address over its failure limit: 429, issue 12)', ratio('throttled', 'status'), 0.5],
  ['3', 'Bearer guard vs unauthenticated route', ratio('bearer', 'status'), 0.9],
  ['3', 'Basic guard vs unauthenticated route', ratio('basic', 'status'), 0.9],
  ['3', '(Bearer guard vs the same route with the same header, ignored)', ratio('bearer', 'status-bearer'), 0.9],
  ['5', 'PostgreSQL + Redis ×2, RS256 vs node-oidc-provider', ratio('pg-RS256', 'peer-RS256'), 1.5],
  ['5', 'PostgreSQL + Redis ×2, ES256 vs node-oidc-provider', ratio('pg-ES256', 'peer-ES256'), 2.5],
];
const cpus = os.cpus();
const lines = [
  '# Benchmark results',
  '',
  `Written by \`npm run bench\` (bench/compare.js) on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC in ${Math.round((Date.now() - started) / 1000)} s. Numbers are from this one run; compare ratios, not absolute figures, across runs.`,
  '',
  `- Machine: ${cpus.length} × ${cpus[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}; load average at the start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  `- Node.js ${process.version}; Tessera ${version('@tessera/server')} (commit ${commit}); node-oidc-provider ${version('oidc-provider')}; load generator ${load.name}`,
  `- ${CONNECTIONS} connections, loopback, each server in its own process; ${ROUNDS} interleaved rounds of ${SECONDS} s per scenario after a 1 s warm-up round; each figure is the median round (the rounds follow it), each ratio the median of the rounds' ratios`,
  `- Tessera: \`tessera serve\` on its defaults (SQLite in a fresh data folder, in-process cache) unless the row says otherwise; token rows: ${CLIENTS} clients, each of its own platform, ask in turn, with TESSERA_QUOTA_INTERVAL=0, so that every request issues and persists the quota claim and its audit entry (node-oidc-provider has the same ${CLIENTS} clients). node-oidc-provider: client credentials, JWT access tokens for one resource (24 h), its in-memory adapter, client_secret_basic`,
  shared.available ? `- PostgreSQL + Redis: ${shared.describe}` : `- PostgreSQL + Redis rows not run: ${shared.reason}`,
  '',
  '## Targets (issue 13)',
  '',
  'Where the time goes, and why the targets missed here are out of reach on this machine: [PROFILE.md](PROFILE.md).',
  '',
  '| # | ratio | measured | target | |',
  '|---|---|---|---|---|',
  ...targets.map(([n, name, r, target]) => `| ${n} | ${name} | ${x(r)} | ≥ ${target}× | ${verdict(r, target)} |`),
  `| 4 | RSS of an idle instance (SQLite) | ${idleRss.toFixed(0)} MiB | < 80 MB (76 MiB) | ${idleRss < 76.29 ? 'met' : '**missed**'} |`,
  '',
  '## Every figure',
  '',
  '| scenario | req/s (median) | p99 ms (median) | rounds, req/s | peak RSS MiB |',
  '|---|---|---|---|---|',
  ...scenarios.map((s) => `| ${s.name} | ${fmt(fig[s.id].rps)} | ${fig[s.id].p99.toFixed(2)} | ${fig[s.id].runs.map(fmt).join(' · ')} | ${peakRss[s.id].toFixed(0)} |`),
  '',
  `p99 of token issuance (target: lower than node-oidc-provider's), Tessera vs node-oidc-provider: RS256 ${fig['tessera-RS256'].p99.toFixed(2)} vs ${fig['peer-RS256'].p99.toFixed(2)} ms; ES256 ${fig['tessera-ES256'].p99.toFixed(2)} vs ${fig['peer-ES256'].p99.toFixed(2)} ms.`,
  '',
  '## Memory',
  '',
  '| process | RSS idle, after start |',
  '|---|---|',
  `| Tessera (SQLite, in-process cache), idle 2 s after start | ${idleRss.toFixed(1)} MiB |`,
  ...Object.entries(idle).map(([name, rss]) => `| ${name}, just started | ${rss.toFixed(1)} MiB |`),
  '',
];
// The sections other benchmarks write into RESULTS.md are kept as they are.
const KEPT_SECTIONS = ['## Sign-ins beside token issuance (issue 19)', '## A year of traffic (issue 24)']; // bench/signin-flood.js, bench/scale.js
for (const heading of KEPT_SECTIONS) {
  const start = previous.indexOf(heading);
  if (start < 0) continue;
  const end = previous.indexOf('\n## ', start + heading.length);
  lines.push(previous.slice(start, end < 0 ? undefined : end).trimEnd(), '');
}
lines.push(...forwardAuthLines);
writeFileSync(resultsFile, lines.join('\n'));
console.log(lines.join('\n'));
