// The cost of the /raas/v2 guard on the hot path: requests/s of GET /raas/v2/whoami with a Bearer token
// and with a Basic API key (each verified once, then served from the guard's memory), against
// GET /raas/v2/status, the unauthenticated route of the same shape. The app (the built JavaScript) runs in this process
// on SQLite and the in-process cache; autocannon drives it from a worker thread.
// Run: node bench/raas-auth.js   (BENCH_SECONDS=5 seconds per row by default)
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { pino } from 'pino';
import { buildApp } from '../packages/server/dist/app.js';
import { testConfig } from '../packages/server/dist/config.js';
import { createApiKey } from '../packages/server/dist/credentials/api-keys.js';
import { createClient } from '../packages/server/dist/credentials/oauth-clients.js';
import { createPlatform } from '../packages/server/dist/credentials/platforms.js';
import { closeServices, openServices } from '../packages/server/dist/services.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const dataDir = await mkdtemp(path.join(tmpdir(), 'tessera-bench-'));
const config = testConfig({ dataDir, masterKey: randomBytes(32).toString('base64'), logLevel: 'silent' });
const services = await openServices(config, { log: pino({ level: 'silent' }) });
const app = await buildApp(config, services, { logger: false });
const url = await app.listen({ host: '127.0.0.1', port: 0 });

await createPlatform(services, 'bench');
const client = await createClient(services, 'bench');
const key = await createApiKey(services, 'bench');
const tokenResponse = await fetch(`${url}/oauth/token`, {
  method: 'POST',
  headers: {
    authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
    'content-type': 'application/x-www-form-urlencoded',
  },
  body: 'grant_type=client_credentials',
});
const { access_token: token } = await tokenResponse.json();

const bearer = `Bearer ${token}`;
const basic = `Basic ${Buffer.from(`bench:${key.api_key}`).toString('base64')}`;
const scenarios = [
  ['unauthenticated  GET /raas/v2/status', '/raas/v2/status', {}],
  ['Bearer (RS256)   GET /raas/v2/whoami', '/raas/v2/whoami', { authorization: bearer }],
  ['Basic (API key)  GET /raas/v2/whoami', '/raas/v2/whoami', { authorization: basic }],
  // The same header bytes on the unauthenticated route: what the token's size costs before any guard runs.
  ['status + ignored Bearer header', '/raas/v2/status', { authorization: bearer }],
];

// The machine may be busy with other work: run the scenarios in interleaved rounds of a second and
// keep each one's median, so a burst of background load does not land on one row only.
const rounds = Math.max(1, seconds);
const samples = scenarios.map(() => []);
for (const [name, route, headers] of scenarios) {
  // Warm up: the first request verifies the credential; the runs measure the path every later one takes.
  const warm = await fetch(url + route, { headers });
  if (warm.status !== 200) throw new Error(`${name}: ${warm.status} ${await warm.text()}`);
}
// Round 0 warms the JIT and the load generator up, and is not counted.
for (let round = 0; round <= rounds; round++) {
  for (const [i, [, route, headers]] of scenarios.entries()) {
    const result = await autocannon({ url: url + route, headers, connections: 10, duration: 1, workers: 1 });
    if (result.non2xx || result.errors) throw new Error(`${scenarios[i][0]}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    if (round > 0) samples[i].push({ rps: result.requests.average, p99: result.latency.p99 });
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const rows = scenarios.map(([name], i) => ({
  name,
  'req/s (median)': Math.round(median(samples[i].map((s) => s.rps))),
  'req/s (runs)': samples[i].map((s) => Math.round(s.rps)).join(' '),
  'p99 ms': median(samples[i].map((s) => s.p99)),
}));
const baseline = rows[0]['req/s (median)'];
for (const row of rows) row['vs unauthenticated'] = `${Math.round((row['req/s (median)'] / baseline) * 100)} %`;

console.log(`/raas/v2 guard, ${rounds} × 1 s per row (interleaved), 10 connections, SQLite, in-process cache, one process`);
console.table(rows);

await app.close();
await closeServices(services);
await rm(dataDir, { recursive: true, force: true });
