// The token manager's warm path: getToken() ops/s once the token is in memory (after the first fill),
// with the memory store and with the Redis store, side by side with what an integration without an
// in-process copy pays: one Redis GET per call. A local HTTP server issues the one token.
// Run: npm run build --workspace @tessera/client && node bench/client-token-manager.js
//      (BENCH_SECONDS=5 per row by default; REDIS_URL, default redis://127.0.0.1:6379)
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { MemoryTokenStore, RedisTokenStore, TokenManager } from '../packages/client/dist/index.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const redisUrl = process.env.REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `tessera-bench:${randomBytes(6).toString('hex')}:`;

let issued = 0;
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    issued++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ access_token: `bench-token-${issued}`, token_type: 'Bearer', expires_in: 86_400, scope: 'raas.all' }));
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const tokenUrl = `http://127.0.0.1:${server.address().port}/oauth/token`;

/** Calls `op` back to back for `seconds`, in batches so the clock is read rarely. */
async function measure(name, op) {
  for (let i = 0; i < 10_000; i++) await op(); // warm up the JIT
  let ops = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  while (performance.now() < until) {
    for (let i = 0; i < 1_000; i++) await op();
    ops += 1_000;
  }
  const elapsed = (performance.now() - started) / 1000;
  return { name, 'ops/s': Math.round(ops / elapsed), 'ns/op': Math.round((elapsed * 1e9) / ops) };
}

const manager = (store) => new TokenManager({ tokenUrl, clientId: 'cli_bench', clientSecret: 'tsc_secret_bench', store, logger: { warn() {} } });

const rows = [];
const memory = manager(new MemoryTokenStore());
await memory.getToken(); // the first fill
rows.push(await measure('getToken(), memory store (warm)', () => memory.getToken()));

const redisStore = new RedisTokenStore({ url: redisUrl }, { keyPrefix: prefix });
let redisOk = true;
try {
  await redisStore.read('probe');
} catch (err) {
  redisOk = false;
  console.warn(`Redis rows skipped: ${err.message} (set REDIS_URL)`);
}
let raw;
if (redisOk) {
  const redis = manager(redisStore);
  await redis.getToken(); // the first fill: from the store, or one request
  rows.push(await measure('getToken(), Redis store (warm)', () => redis.getToken()));

  // What a process that kept no in-process copy would pay: one store read per call.
  const { Redis } = await import('ioredis');
  raw = new Redis(redisUrl);
  const key = `${prefix}{${redis.key}}`;
  rows.push(await measure('baseline: one Redis GET per call', () => raw.get(key)));
}

const base = rows[0]['ops/s'];
for (const row of rows) row['vs memory'] = `${((row['ops/s'] / base) * 100).toFixed(1)} %`;
console.log(`@tessera/client warm getToken(), ${seconds} s per row, one process, sequential awaits, Node ${process.version}`);
console.table(rows);
console.log(`token requests made: ${issued}`);

if (raw) {
  const keys = await raw.keys(`${prefix}*`);
  if (keys.length > 0) await raw.del(...keys);
  raw.disconnect();
}
await redisStore.close();
server.close();
