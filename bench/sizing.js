// Sizing figures for docs/deploy.md: a real `tessera serve` process's resident memory idle and under load,
// and the CPU it spends per 1,000 tokens issued (RS256, the quota off so that every request signs one), then
// under Bearer requests to /raas/v2. Reads the server's /proc entry (Linux).
// Run: node bench/sizing.js                          (SQLite, in-process cache)
//      DATABASE_URL=postgres://… REDIS_URL=redis://… node bench/sizing.js   (PostgreSQL and Redis)
import { deployment, measure, processUsage as usage } from './support.js';

const env = { TESSERA_QUOTA_INTERVAL: '0', TESSERA_AUTH_FAILURE_LIMIT: '1000000' };
if (process.env.DATABASE_URL) env.DATABASE_URL = process.env.DATABASE_URL;
if (process.env.REDIS_URL) env.REDIS_URL = process.env.REDIS_URL;
const server = await deployment(env);
// A name of its own: on PostgreSQL the store outlives the run.
const platform = `sizing-${Date.now()}`;
await server.cli('platform', 'create', platform);
const client = await server.cli('client', 'create', '--platform', platform);
const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret }).toString();
const tokenRequest = { url: `${server.url}/oauth/token`, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } };

await new Promise((r) => setTimeout(r, 2000));
const idle = usage(server.pid);

let peak = idle.rssMiB;
const sampler = setInterval(() => (peak = Math.max(peak, usage(server.pid).rssMiB)), 200);
const before = usage(server.pid);
const issued = await measure('token issued', { ...tokenRequest, body });
const afterIssue = usage(server.pid);
const answered = (row) => JSON.parse(row.statuses)['200'] ?? 0;
const tokens = answered(issued);
const { access_token: token } = await (await fetch(tokenRequest.url, { ...tokenRequest, body })).json();
const api = await measure('GET /raas/v2/customers (Bearer)', { url: `${server.url}/raas/v2/customers`, headers: { authorization: `Bearer ${token}` } });
const afterApi = usage(server.pid);
clearInterval(sampler);
await server.stop();

const mib = (n) => `${n.toFixed(0)} MiB`;
console.log(`tessera serve on ${env.DATABASE_URL ? 'PostgreSQL' : 'SQLite'}, ${env.REDIS_URL ? 'Redis' : 'in-process cache'}; 10 connections`);
console.table([issued, api]);
console.table({
  'RSS idle': mib(idle.rssMiB),
  'RSS peak under load': mib(peak),
  'CPU per 1,000 tokens issued': `${((afterIssue.cpuSeconds - before.cpuSeconds) / tokens * 1000).toFixed(2)} s`,
  'CPU per 1,000 Bearer API requests': `${((afterApi.cpuSeconds - afterIssue.cpuSeconds) / answered(api) * 1000).toFixed(3)} s`,
});
