// What a flood of wrong client secrets from one address costs another client: the latency of an honest
// client's GET /raas/v2/whoami (Bearer, from another address) alone, and while autocannon (in a worker
// thread) sends wrong secrets to POST /oauth/token from one address that the failure throttle refuses
// with 429 after TESSERA_AUTH_FAILURE_LIMIT, and beside as large a flood of GET /healthz for comparison. The app (the built JavaScript) runs in this process on SQLite
// and the in-process cache. test/credentials/failure-flood.test.ts asserts the counts; this measures the time.
// Run: node bench/throttle-flood.js   (BENCH_SECONDS=5 seconds per row by default)
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { pino } from 'pino';
import { buildApp } from '../packages/server/dist/app.js';
import { testConfig } from '../packages/server/dist/config/config.js';
import { createClient } from '../packages/server/dist/credentials/oauth-clients.js';
import { createPlatform } from '../packages/server/dist/credentials/platforms.js';
import { closeServices, openServices } from '../packages/server/dist/services.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const dataDir = await mkdtemp(path.join(tmpdir(), 'tessera-bench-'));
const config = testConfig({ dataDir, masterKey: randomBytes(32).toString('base64'), logLevel: 'silent', trustProxy: ['127.0.0.1'], authFailureLimit: 20 });
const services = await openServices(config, { log: pino({ level: 'silent' }) });
const app = await buildApp(config, services, { logger: false });
const url = await app.listen({ host: '127.0.0.1', port: 0 });

await createPlatform(services, 'honest');
await createPlatform(services, 'target');
const honest = await createClient(services, 'honest');
const target = await createClient(services, 'target');
const honestAddress = { 'x-forwarded-for': '198.51.100.10' };
const issued = await fetch(`${url}/oauth/token`, {
  method: 'POST',
  headers: { ...honestAddress, 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ grant_type: 'client_credentials', client_id: honest.client_id, client_secret: honest.client_secret }),
});
const { access_token: token } = await issued.json();
const whoami = { url: `${url}/raas/v2/whoami`, headers: { ...honestAddress, authorization: `Bearer ${token}` }, connections: 2, duration: 1, workers: 1 };
const flood = {
  url: `${url}/oauth/token`,
  method: 'POST',
  headers: { 'x-forwarded-for': '203.0.113.66', 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ grant_type: 'client_credentials', client_id: target.client_id, client_secret: 'wrong' }).toString(),
  connections: 20,
  duration: 1,
  workers: 1,
};

// The same flood of the cheapest request there is (GET /healthz, no credential): any traffic at full
// speed queues the honest client behind it on one event loop, so the throttle's work is the difference
// between this row and the wrong secrets' row, not the difference with the quiet one.
const baseline = { url: `${url}/healthz`, headers: { 'x-forwarded-for': '203.0.113.67' }, connections: 20, duration: 1, workers: 1 };

// Interleaved rounds of a second, medians kept: background load lands on every row alike. Round 0 warms up.
const quiet = [];
const loud = [];
const cheap = [];
let floodStatuses = { '2xx': 0, '4xx': 0 };
for (let round = 0; round <= seconds; round++) {
  const alone = await autocannon(whoami);
  const [measured, flooding] = await Promise.all([autocannon(whoami), autocannon(flood)]);
  const [beside] = await Promise.all([autocannon(whoami), autocannon(baseline)]);
  if (alone.non2xx || measured.non2xx || beside.non2xx) throw new Error('the honest client was refused');
  if (round === 0) continue;
  quiet.push(alone.latency.mean);
  loud.push(measured.latency.mean);
  cheap.push(beside.latency.mean);
  floodStatuses = { '2xx': floodStatuses['2xx'] + flooding['2xx'], '4xx': floodStatuses['4xx'] + flooding['4xx'] };
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(`honest GET /raas/v2/whoami (2 connections) alone and beside 20 connections of wrong secrets from one address, ${seconds} × 1 s`);
console.table([
  { row: 'alone', 'mean ms (median of rounds)': median(quiet), runs: quiet.map((v) => v.toFixed(2)).join(' ') },
  { row: 'beside as many GET /healthz', 'mean ms (median of rounds)': median(cheap), runs: cheap.map((v) => v.toFixed(2)).join(' ') },
  { row: 'beside the flood', 'mean ms (median of rounds)': median(loud), runs: loud.map((v) => v.toFixed(2)).join(' ') },
]);
console.log(`the flood: ${floodStatuses['4xx']} refused (all but the first 20 by the throttle), ${floodStatuses['2xx']} accepted`);

await app.close();
await closeServices(services);
await rm(dataDir, { recursive: true, force: true });
