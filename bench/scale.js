// `npm run bench:scale` (issue 24): a year of traffic. Seeds a store — SQLite, and PostgreSQL — with N platforms,
// M OAuth clients, K API keys and A audit entries by bulk insert, then measures the hot paths beside the same
// figures on a store of 1,000 clients (the same proportions): token issuance, the Bearer and Basic guard with
// cold and warm caches, the portal's client list and audit page (p95), the CSV export (its memory), audit
// verification (entries/s, full and from a checkpoint), the checkpoint round's heads, the server's RSS. The
// goal: every hot path within 1.25× of its small-store cost. Prints a table with the ratios; with --write,
// puts it in bench/RESULTS.md (section "A year of traffic (issue 24)").
//
//   node bench/scale.js [--platforms N] [--clients M] [--keys K] [--audit A] [--chain C] [--only sqlite|postgres] [--write]
//   (or SCALE_PLATFORMS, SCALE_CLIENTS, SCALE_KEYS, SCALE_AUDIT, SCALE_CHAIN; defaults 100000 / 1000000 / 1000000 /
//   10000000, and a chain of 1000000; SCALE_ROUNDS rounds, default 9). PostgreSQL: TEST_DATABASE_URL (or postgres://postgres@127.0.0.1:5432/test)
//   and TEST_REDIS_URL, a database of the run's own, dropped after; left out, with the reason, when away.
//
// What the seeded rows are: platforms `p<i>`; client i (secret `tsc_secret_<i, 43 digits>`) and API key i (key
// `tsk_live_<i, 43 digits>`) on platform i mod N, all active (the two-active limit is the domain's, not the hot
// paths'), digests as the server makes them; audit entries of `token_issued` shape, A / N per platform, in seq
// order, whose hashes are not chained, but for each chain's newest entry, whose hash is its own (so that a
// verification from a checkpoint at that head finds it intact). One platform, `hot`, made by the `tessera`
// command with its client, key and a portal session, holds a chain of C entries hashed as the server hashes
// them: the audit page, the CSV export and the full verification run on it, so a full verify is measured on a
// chain of C entries that verifies (the filler chains would not), walked by the same queries as one of every
// chain; a verification from checkpoints is measured on the hot chain alone and on every chain.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { deployment, processUsage, services } from './support.js';

const arg = (name, env, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? process.argv[at + 1] : process.env[env];
  return value === undefined ? fallback : Number(value);
};
const BIG = {
  platforms: arg('platforms', 'SCALE_PLATFORMS', 100_000),
  clients: arg('clients', 'SCALE_CLIENTS', 1_000_000),
  keys: arg('keys', 'SCALE_KEYS', 1_000_000),
  audit: arg('audit', 'SCALE_AUDIT', 10_000_000),
  chain: arg('chain', 'SCALE_CHAIN', 1_000_000),
};
// The small store: 1,000 clients, the rest in the big one's proportions.
const SMALL_CLIENTS = 1000;
const scaled = (n) => Math.max(1, Math.round((n * SMALL_CLIENTS) / BIG.clients));
/** The entries a verification from a checkpoint reads: what was written since the last one. */
const SINCE_CHECKPOINT = Math.min(10_000, Math.floor(BIG.chain / 2));
// The small store's hashed chain holds at least twice that, so that both stores verify the same number from a checkpoint.
const SMALL = { platforms: scaled(BIG.platforms), clients: SMALL_CLIENTS, keys: scaled(BIG.keys), audit: scaled(BIG.audit), chain: Math.min(BIG.chain, Math.max(scaled(BIG.chain), 2 * SINCE_CHECKPOINT)) };
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const WRITE = process.argv.includes('--write');
const GOAL = 1.25;
/** Requests in flight at once while measuring. */
const CONCURRENCY = 8;
/** Distinct credentials each cold-cache row presents once: all the small store's clients and keys. */
const COLD = SMALL_CLIENTS;
const WARM_REQUESTS = 1500;
const PORTAL_REQUESTS = 200;
const ROUNDS = Number(process.env.SCALE_ROUNDS ?? 9);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) {
  console.error('SCALE_ROUNDS must be a whole number of rounds, 1 or more');
  process.exit(2);
}
// Every round starts both servers afresh, so its cold rows meet caches that hold nothing: the credentials
// they present come in slices of COLD, the small store presenting all of its own in every round.
const DAY = 86_400_000;
const START = Date.parse('2025-12-01T00:00:00Z');

const pad = (i, width) => String(i).padStart(width, '0');
const sha256 = (text) => createHash('sha256').update(text, 'utf8').digest('hex');
const platformId = (i) => `plt_${pad(i, 22)}`;
const clientId = (i) => `cli_${pad(i, 22)}`;
const clientSecret = (i) => `tsc_secret_${pad(i, 43)}`;
const apiKey = (i) => `tsk_live_${pad(i, 43)}`;
const basic = (user, password) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const dist = (file) => new URL(`../packages/server/dist/${file}`, import.meta.url).href;
const { entryHash } = await import(dist('store/audit-log.js'));

// ---- seeding -------------------------------------------------------------------------------------------------

/** The hot platform, its client, key and a portal session, made the way an operator makes them. */
async function seedHot(cli) {
  await cli('platform', 'create', 'hot');
  const client = await cli('client', 'create', '--platform', 'hot');
  const key = await cli('apikey', 'create', '--platform', 'hot');
  return { client, key, session: `tss_${randomBytes(32).toString('hex')}` };
}

/** One filler audit entry: `token_issued` by client `c` on platform `p`, seq `seq`, the `j`th of A. */
function fillerEntry(j, p, seq, c, sizes) {
  return [`aud_${pad(j, 22)}`, platformId(p), seq, START + Math.floor((j * 365 * DAY) / sizes.audit), `client:${clientId(c)}`, 'token_issued', clientId(c), '203.0.113.7', 'tessera-bench/1.0 (node)', 'success', '0'.repeat(64), 'f'.repeat(64)];
}

/** The hot platform's chain, continued from its head (the entries the `tessera` command wrote), as the server hashes. */
function* hotChain(head, hotId, clientOfHot, count) {
  let prev = head.hash;
  for (let k = 1; k <= count; k++) {
    const seq = Number(head.seq) + k;
    const fields = { id: `aud_hot${pad(k, 19)}`, platform_id: hotId, seq, at: START + Math.floor((k * 365 * DAY) / count), actor: `client:${clientOfHot}`, action: 'token_issued', target_id: clientOfHot, source_address: '203.0.113.7', user_agent: 'tessera-bench/1.0 (node)', outcome: 'success' };
    const hash = entryHash(prev, fields);
    yield [fields.id, hotId, seq, fields.at, fields.actor, fields.action, fields.target_id, fields.source_address, fields.user_agent, fields.outcome, prev, hash];
    prev = hash;
  }
}

/** The hash an entry read from the store has when intact, given its own prev_hash. */
function ownHash(row) {
  const { hash: _hash, prev_hash: prev, ...fields } = row;
  return entryHash(prev, { ...fields, seq: Number(fields.seq), at: Number(fields.at) });
}

let stageStarted = performance.now();
/** Says how long the seeding step that just ended took (a big seed runs for minutes). */
function stage(name) {
  const now = performance.now();
  if (SIZES_LOGGED) console.log(`  ${name}: ${((now - stageStarted) / 1000).toFixed(0)} s`);
  stageStarted = now;
}
const SIZES_LOGGED = process.env.SCALE_QUIET === undefined;

const AUDIT_COLUMNS = 'id, platform_id, seq, at, actor, action, target_id, source_address, user_agent, outcome, prev_hash, hash';

/** SQLite: prepared statements in one transaction, the journal and syncs off while seeding (the file is thrown away on failure). */
function seedSqlite(file, sizes, hot) {
  stageStarted = performance.now();
  const db = new Database(file);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  const row = (table, where, value) => db.prepare(`select * from ${table} where ${where} = ?`).get(value);
  const hotPlatform = row('platforms', 'name', 'hot');
  const hotClient = row('oauth_clients', 'client_id', hot.client.client_id);
  const hotKey = row('api_keys', 'platform_id', hotPlatform.id);
  const head = db.prepare('select seq, hash from audit_log where platform_id = ? order by seq desc limit 1').get(hotPlatform.id);
  const insertPlatform = db.prepare('insert into platforms (id, name, credential_lock, created_at) values (?, ?, 0, ?)');
  const insertClient = db.prepare('insert into oauth_clients (client_id, platform_id, name, secret_digest, status, scopes, created_at, status_changed_at) values (?, ?, ?, ?, ?, ?, ?, ?)');
  const insertKey = db.prepare('insert into api_keys (id, platform_id, key_digest, key_sealed, status, created_at, status_changed_at) values (?, ?, ?, ?, ?, ?, ?)');
  const insertEntry = db.prepare(`insert into audit_log (${AUDIT_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const user = `usr_${randomBytes(8).toString('hex')}`;
  db.transaction(() => {
    for (let i = 0; i < sizes.platforms; i++) insertPlatform.run(platformId(i), `p${i}`, START + i);
    for (let i = 0; i < sizes.clients; i++) insertClient.run(clientId(i), platformId(i % sizes.platforms), 'bench', sha256(clientSecret(i)), 'active', hotClient.scopes, START + i, START + i);
    for (let i = 0; i < sizes.keys; i++) insertKey.run(`key_${pad(i, 22)}`, platformId(i % sizes.platforms), sha256(apiKey(i)), hotKey.key_sealed, 'active', START + i, START + i);
    const perPlatform = Math.ceil(sizes.audit / sizes.platforms);
    for (let j = 0; j < sizes.audit; j++) {
      const p = Math.floor(j / perPlatform);
      insertEntry.run(...fillerEntry(j, p, (j % perPlatform) + 1, p + sizes.platforms * (j % 10), sizes));
    }
    stage('SQLite filler');
    for (const entry of hotChain(head, hotPlatform.id, hotClient.client_id, sizes.chain)) insertEntry.run(...entry);
    stage('SQLite hashed chain');
    const headOf = db.prepare('select * from audit_log where platform_id = ? order by seq desc limit 1');
    const setHash = db.prepare('update audit_log set hash = ? where id = ?');
    for (let p = 0; p < sizes.platforms; p++) {
      const head = headOf.get(platformId(p));
      if (head) setHash.run(ownHash(head), head.id);
    }
    stage('SQLite filler heads hashed');
    db.prepare("insert into users (id, platform_id, email, role, password_hash, created_at) values (?, ?, 'admin@bench.example', 'admin', 'none', ?)").run(user, hotPlatform.id, Date.now());
    db.prepare('insert into sessions (id_digest, user_id, created_at, authenticated_at, last_seen_at) values (?, ?, ?, ?, ?)').run(sha256(hot.session), user, Date.now(), Date.now(), Date.now());
  })();
  db.exec('analyze');
  stage('SQLite analyze');
  db.pragma('journal_mode = WAL');
  db.close();
  // Written with syncs off: on disk before the server starts, not by the kernel during the rounds.
  const fd = openSync(file, 'r');
  fsyncSync(fd);
  closeSync(fd);
  return { hotId: hotPlatform.id, head: Number(head.seq) + sizes.chain };
}

/** PostgreSQL: INSERT … SELECT over generate_series for the filler, multi-row INSERTs for the hashed chain. */
async function seedPostgres(databaseUrl, sizes, hot) {
  stageStarted = performance.now();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const one = async (text, values) => (await client.query(text, values)).rows[0];
    const hotPlatform = await one("select * from platforms where name = 'hot'");
    const hotClient = await one('select * from oauth_clients where client_id = $1', [hot.client.client_id]);
    const hotKey = await one('select * from api_keys where platform_id = $1', [hotPlatform.id]);
    const head = await one('select seq, hash from audit_log where platform_id = $1 order by seq desc limit 1', [hotPlatform.id]);
    await client.query('set synchronous_commit = off');
    const id = (prefix, expr) => `'${prefix}' || lpad((${expr})::text, 22, '0')`;
    const digestOf = (prefix, expr) => `encode(sha256(convert_to('${prefix}' || lpad((${expr})::text, 43, '0'), 'UTF8')), 'hex')`;
    await client.query(`insert into platforms (id, name, credential_lock, created_at) select ${id('plt_', 'i')}, 'p' || i, 0, $1::bigint + i from generate_series(0, $2::int - 1) i`, [START, sizes.platforms]);
    await client.query(
      `insert into oauth_clients (client_id, platform_id, name, secret_digest, status, scopes, created_at, status_changed_at)
       select ${id('cli_', 'i')}, ${id('plt_', `i % ${sizes.platforms}`)}, 'bench', ${digestOf('tsc_secret_', 'i')}, 'active', $1, $2::bigint + i, $2::bigint + i from generate_series(0, $3::int - 1) i`,
      [hotClient.scopes, START, sizes.clients],
    );
    await client.query(
      `insert into api_keys (id, platform_id, key_digest, key_sealed, status, created_at, status_changed_at)
       select ${id('key_', 'i')}, ${id('plt_', `i % ${sizes.platforms}`)}, ${digestOf('tsk_live_', 'i')}, $1, 'active', $2::bigint + i, $2::bigint + i from generate_series(0, $3::int - 1) i`,
      [hotKey.key_sealed, START, sizes.keys],
    );
    const perPlatform = Math.ceil(sizes.audit / sizes.platforms);
    // In slices of a million rows: one statement per slice keeps each transaction's memory and WAL bounded.
    for (let from = 0; from < sizes.audit; from += 1_000_000) {
      const to = Math.min(sizes.audit, from + 1_000_000);
      await client.query(
        `insert into audit_log (${AUDIT_COLUMNS})
         select ${id('aud_', 'j')}, ${id('plt_', `j / ${perPlatform}`)}, j % ${perPlatform} + 1, $1::bigint + (j::bigint * ${365 * DAY}) / $2::bigint,
                'client:' || ${id('cli_', `j / ${perPlatform} + ${sizes.platforms} * (j % 10)`)}, 'token_issued', ${id('cli_', `j / ${perPlatform} + ${sizes.platforms} * (j % 10)`)},
                '203.0.113.7', 'tessera-bench/1.0 (node)', 'success', repeat('0', 64), repeat('f', 64)
         from generate_series($3::int, $4::int - 1) j`,
        [START, sizes.audit, from, to],
      );
    }
    stage('PostgreSQL filler');
    let batch = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const values = batch.map((_, r) => `(${Array.from({ length: 12 }, (_, c) => `$${r * 12 + c + 1}`).join(', ')})`).join(', ');
      await client.query(`insert into audit_log (${AUDIT_COLUMNS}) values ${values}`, batch.flat());
      batch = [];
    };
    for (const entry of hotChain(head, hotPlatform.id, hotClient.client_id, sizes.chain)) {
      batch.push(entry);
      if (batch.length === 2000) await flush();
    }
    await flush();
    stage('PostgreSQL hashed chain');
    const { rows: heads } = await client.query(
      `select a.* from platforms p join audit_log a on a.platform_id = p.id and a.seq = (select max(seq) from audit_log n where n.platform_id = p.id) where p.name <> 'hot'`,
    );
    for (let from = 0; from < heads.length; from += 10_000) {
      const slice = heads.slice(from, from + 10_000);
      await client.query('update audit_log a set hash = u.hash from unnest($1::text[], $2::text[]) as u(id, hash) where a.id = u.id', [slice.map((h) => h.id), slice.map(ownHash)]);
    }
    stage('PostgreSQL filler heads hashed');
    const user = `usr_${randomBytes(8).toString('hex')}`;
    await client.query("insert into users (id, platform_id, email, role, password_hash, created_at) values ($1, $2, 'admin@bench.example', 'admin', 'none', $3)", [user, hotPlatform.id, Date.now()]);
    await client.query('insert into sessions (id_digest, user_id, created_at, authenticated_at, last_seen_at) values ($1, $2, $3, $3, $3)', [sha256(hot.session), user, Date.now()]);
    await client.query('vacuum analyze');
    // The pages the load and the vacuum dirtied, written now rather than by a checkpoint spread over the rounds.
    await client.query('checkpoint');
    stage('PostgreSQL vacuum analyze, checkpoint');
    return { hotId: hotPlatform.id, head: Number(head.seq) + sizes.chain };
  } finally {
    await client.end();
  }
}

// ---- measuring -----------------------------------------------------------------------------------------------

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

/** Sends `count` requests made by `make(i)`, CONCURRENCY at a time; each must answer `status`. */
async function drive(name, count, make, { status = 200, keep } = {}) {
  const latencies = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const { url, ...init } = make(i);
      const t = performance.now();
      const response = await fetch(url, init);
      const body = await response.text();
      latencies.push(performance.now() - t);
      if (keep) keep[i] = body;
      if (response.status !== status) throw new Error(`${name}: expected ${status}, got ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { rps: count / seconds, p50: percentile(latencies, 50), p95: percentile(latencies, 95) };
}

/** The numbers 0 to n - 1 in a random order: each round's cold rows take the next slice, so no credential comes twice. */
function shuffled(n) {
  const all = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all;
}

/** A seeded store and its server, ready to measure. */
async function openStore(label, env, sizes) {
  let hot;
  let seeded;
  const t0 = performance.now();
  const server = await deployment(
    { ...env, TESSERA_QUOTA_INTERVAL: '0', TESSERA_AUTH_FAILURE_LIMIT: '1000000', TESSERA_AUDIT_CHECKPOINT_INTERVAL: '0', TESSERA_MAX_CONNECTIONS_PER_ADDRESS: '0', LOG_LEVEL: 'warn' },
    {
      seed: async ({ cli, dataDir }) => {
        hot = await seedHot(cli);
        seeded = env.DATABASE_URL ? await seedPostgres(env.DATABASE_URL, sizes, hot) : seedSqlite(path.join(dataDir, 'tessera.db'), sizes, hot);
      },
    },
  );
  const seedSeconds = (performance.now() - t0) / 1000;
  console.log(`${label}: seeded in ${seedSeconds.toFixed(0)} s`);
  await new Promise((r) => setTimeout(r, 1000));
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const store = {
    label,
    env,
    sizes,
    server,
    hot,
    seeded,
    row: { label, sizes, seedSeconds, idleRss: processUsage(server.pid).rssMiB },
    clients: shuffled(sizes.clients),
    keys: shuffled(sizes.keys),
    token: (i) => ({ url: `${server.url}/oauth/token`, method: 'POST', headers: { ...form, authorization: basic(clientId(i), clientSecret(i)) }, body: 'grant_type=client_credentials' }),
    hotToken: { url: `${server.url}/oauth/token`, method: 'POST', headers: { ...form, authorization: basic(hot.client.client_id, hot.client.client_secret) }, body: 'grant_type=client_credentials' },
    whoami: (authorization) => ({ url: `${server.url}/raas/v2/whoami`, headers: { authorization } }),
    portal: (pathAndQuery) => ({ url: `${server.url}/portal/api${pathAndQuery}`, headers: { cookie: `tessera_session=${hot.session}` } }),
  };
  store.hotBearer = JSON.parse((await (await fetch(store.hotToken.url, store.hotToken)).text())).access_token;
  return store;
}

/** Starts the store's server afresh (its caches empty) and warms its JIT up on the hot platform's credentials, not the filler's, whose caches the cold rows need cold. */
async function restart(store) {
  await store.server.restart();
  const { hot } = store;
  await drive('warm-up token', 300, () => store.hotToken);
  await drive('warm-up bearer', 500, () => store.whoami(`Bearer ${store.hotBearer}`));
  await drive('warm-up basic', 500, () => store.whoami(basic('hot', hot.key.api_key)));
  await drive('warm-up portal', 100, () => store.portal('/audit?limit=50'));
}

/** One round of the request rows on `store`, its server started afresh; round `r` presents a slice of its clients and keys to the cold rows. */
async function round(store, r) {
  await restart(store);
  const { hot, seeded } = store;
  const slice = r % Math.floor(store.sizes.clients / COLD);
  const issuers = store.clients.slice(slice * COLD, (slice + 1) * COLD);
  const keys = store.keys.slice(slice * COLD, (slice + 1) * COLD);
  const issued = [];
  const out = {};
  // Token issuance on filler clients picked at random: each appends to its own platform's chain.
  out.token = await drive('token', issuers.length, (i) => store.token(issuers[i]), { keep: issued });
  // Cold: the tokens just issued, of clients the guard has not seen, each presented once; warm: one token, again and again.
  const bearers = issued.map((body) => JSON.parse(body).access_token);
  out.bearerCold = await drive('bearer cold', bearers.length, (i) => store.whoami(`Bearer ${bearers[i]}`));
  out.bearerWarm = await drive('bearer warm', WARM_REQUESTS, () => store.whoami(`Bearer ${store.hotBearer}`));
  out.basicCold = await drive('basic cold', keys.length, (i) => store.whoami(basic(`p${keys[i] % store.sizes.platforms}`, apiKey(keys[i]))));
  out.basicWarm = await drive('basic warm', WARM_REQUESTS, () => store.whoami(basic('hot', hot.key.api_key)));
  out.clientList = await drive('portal clients', PORTAL_REQUESTS, () => store.portal('/oauth-clients'));
  out.auditFirst = await drive('portal audit', PORTAL_REQUESTS, () => store.portal('/audit?limit=50'));
  out.auditDeep = await drive('portal audit deep', PORTAL_REQUESTS, () => store.portal(`/audit?limit=50&before=${1 + Math.floor(Math.random() * seeded.head)}`));
  return out;
}

/** What runs once per store, after the rounds: the CSV export, verification, the heads, memory and size; then the server stops. */
async function finish(store) {
  const { server, row } = store;
  try {
    // The CSV export of the hot platform's whole chain, its server's memory sampled meanwhile with the
    // lines received so far: constant memory peaks within the export's first tenth and stays there.
    const beforeCsv = processUsage(server.pid).rssMiB;
    const samples = [];
    let lines = 0;
    const sampler = setInterval(() => samples.push([lines, processUsage(server.pid).rssMiB]), 100);
    const t = performance.now();
    const csv = await fetch(store.portal('/audit.csv').url, store.portal('/audit.csv'));
    if (csv.status !== 200) throw new Error(`audit.csv: ${csv.status}`);
    let bytes = 0;
    for await (const chunk of csv.body) {
      bytes += chunk.length;
      for (const b of chunk) if (b === 10) lines++;
    }
    clearInterval(sampler);
    const seconds = (performance.now() - t) / 1000;
    const peakOf = (within) => Math.max(beforeCsv, ...within.map(([, rss]) => rss));
    row.csv = {
      seconds,
      entries: lines - 1,
      bytes,
      entriesPerSecond: (lines - 1) / seconds,
      rssBefore: beforeCsv,
      rssPeak: peakOf(samples),
      rssPeakFirstTenth: peakOf(samples.filter(([received]) => received <= lines / 10)),
    };
    Object.assign(row, await inProcess({ ...store.env, TESSERA_MASTER_KEY: server.masterKey }, server.dataDir, store.seeded.hotId));
    row.endRss = processUsage(server.pid).rssMiB;
    row.size = await sizeOnDisk(store.env, server.dataDir, store.sizes);
  } finally {
    await server.stop();
  }
  return row;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const REQUEST_ROWS = ['token', 'bearerCold', 'bearerWarm', 'basicCold', 'basicWarm', 'clientList', 'auditFirst', 'auditDeep'];

/**
 * The small and the big store side by side, ROUNDS rounds each, in turns (the small one first in even rounds):
 * this machine's speed drifts within minutes, the two figures of one round were measured seconds apart.
 * Each figure is the median of its rounds'; each ratio, the median of the rounds' ratios.
 */
async function compareStores(name, smallEnv, bigEnv) {
  const small = await openStore(`${name}, 1k`, smallEnv, SMALL);
  let big;
  try {
    big = await openStore(`${name}, big`, bigEnv, BIG);
  } catch (error) {
    await small.server.stop();
    throw error;
  }
  const rounds = { small: [], big: [] };
  try {
    for (let r = 0; r < ROUNDS; r++) {
      for (const which of r % 2 === 0 ? ['small', 'big'] : ['big', 'small']) rounds[which].push(await round(which === 'small' ? small : big, r));
      // Each row's ratio in this round (big over small, as in the table), to see how far the rounds agree.
      const ratiosOfRound = REQUEST_ROWS.map((id) => `${id} ${(id.endsWith('Warm') || id === 'token' ? rounds.small[r][id].rps / rounds.big[r][id].rps : rounds.big[r][id].p95 / rounds.small[r][id].p95).toFixed(2)}`);
      console.log(`${name} round ${r + 1}: ${ratiosOfRound.join(', ')}`);
    }
  } catch (error) {
    await small.server.stop();
    await big.server.stop();
    throw error;
  }
  for (const [which, store] of [['small', small], ['big', big]]) {
    for (const id of REQUEST_ROWS) {
      const rs = rounds[which].map((x) => x[id]);
      store.row[id] = { rps: median(rs.map((x) => x.rps)), p50: median(rs.map((x) => x.p50)), p95: median(rs.map((x) => x.p95)) };
    }
  }
  const ratios = Object.fromEntries(
    REQUEST_ROWS.map((id) => [
      id,
      {
        rps: median(rounds.small.map((s, r) => s[id].rps / rounds.big[r][id].rps)),
        p95: median(rounds.big.map((b, r) => b[id].p95 / rounds.small[r][id].p95)),
      },
    ]),
  );
  const smallRow = await finish(small).catch(async (error) => {
    await big.server.stop();
    throw error;
  });
  return { small: smallRow, big: await finish(big), ratios };
}

/** Verification (full and from a checkpoint) of the hot chain and the checkpoint round's heads, in a process of the `tessera` command's kind. */
async function inProcess(env, dataDir, hotId) {
  const { loadConfig } = await import(dist('config/config.js'));
  const { closeServices, openServices } = await import(dist('services.js'));
  const { verifyAuditChains } = await import(dist('audit/verify-audit.js'));
  const { signCheckpoint } = await import(dist('audit/checkpoints.js'));
  const { pino } = await import('pino');
  const services = await openServices(loadConfig({ ...process.env, ...env, TESSERA_DATA_DIR: dataDir }), { log: pino({ level: 'silent' }), listen: false });
  try {
    const hotPlatform = await services.platforms.findById(hotId);
    // The hot chain only: the filler chains are not hashed (see the top of this file).
    const deps = {
      auditLog: new Proxy(services.auditLog, {
        get: (target, name) =>
          ({ platformIds: async () => [hotId], anchoredPlatformIds: async () => [], anchors: async () => [], headEntries: async () => [await target.head(hotId)] })[name] ?? target[name].bind(target),
      }),
      platforms: { findById: (id) => services.platforms.findById(id), list: async () => [hotPlatform] },
    };
    let t = performance.now();
    const full = await verifyAuditChains(deps, {});
    const fullSeconds = (performance.now() - t) / 1000;
    if (!full.ok) throw new Error(`the hot chain does not verify: ${JSON.stringify(full.findings[0])}`);
    const head = await services.auditLog.head(hotId);
    const at = await services.auditLog.entryAt(hotId, Number(head.seq) - SINCE_CHECKPOINT);
    const key = await services.auditKeys.signingKey();
    const checkpoint = signCheckpoint(key, at, Date.now());
    // Nine times, the fastest kept: a tenth of a second is at the mercy of the machine's other work.
    let since;
    let sinceSeconds = Infinity;
    for (let i = 0; i < 9; i++) {
      t = performance.now();
      since = await verifyAuditChains(deps, { checkpoints: [{ line: 1, checkpoint }], fromCheckpoints: true });
      sinceSeconds = Math.min(sinceSeconds, (performance.now() - t) / 1000);
      if (!since.ok || since.checked !== SINCE_CHECKPOINT) throw new Error(`verification from a checkpoint: ${JSON.stringify(since)}`);
    }
    t = performance.now();
    const heads = await services.auditLog.heads();
    const headsSeconds = (performance.now() - t) / 1000;
    // Every chain from its checkpoint, as `tessera audit verify --since-checkpoint` after a checkpoint round:
    // each chain checkpointed at its head, the hot one SINCE_CHECKPOINT entries before it.
    const everyChain = heads.map((h, i) => ({ line: i + 1, checkpoint: signCheckpoint(key, h.platform_id === hotId ? at : h, Date.now()) }));
    t = performance.now();
    const all = await verifyAuditChains(services, { checkpoints: everyChain, fromCheckpoints: true });
    const allSeconds = (performance.now() - t) / 1000;
    if (!all.ok || all.checked !== SINCE_CHECKPOINT) throw new Error(`verification of every chain from its checkpoint: ${JSON.stringify({ ...all, findings: all.findings.slice(0, 3) })}`);
    return {
      verifyFull: { entries: full.checked, seconds: fullSeconds },
      verifySince: { entries: since.checked, seconds: sinceSeconds },
      verifyEveryChainSince: { chains: heads.length, entries: all.checked, seconds: allSeconds },
      heads: { chains: heads.length, seconds: headsSeconds },
    };
  } finally {
    await closeServices(services);
  }
}

/** The store's size on disk, and the audit log's (table and indexes) per entry. */
async function sizeOnDisk(env, dataDir, sizes) {
  const entries = sizes.audit + sizes.chain;
  if (!env.DATABASE_URL) {
    const file = path.join(dataDir, 'tessera.db');
    const db = new Database(file, { readonly: true });
    try {
      const audit = db.prepare("select sum(pgsize) as bytes from dbstat where name = 'audit_log' or name in (select name from sqlite_master where type = 'index' and tbl_name = 'audit_log')").get().bytes;
      let total = statSync(file).size;
      try {
        total += statSync(`${file}-wal`).size;
      } catch {
        // no WAL file
      }
      return { bytes: total, auditBytesPerEntry: audit / entries };
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: env.DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query("select pg_database_size(current_database()) as total, pg_total_relation_size('audit_log') as audit");
    return { bytes: Number(rows[0].total), auditBytesPerEntry: Number(rows[0].audit) / entries };
  } finally {
    await client.end();
  }
}

// ---- the runs and the report ---------------------------------------------------------------------------------

const started = Date.now();
const runs = [];
const skipped = [];
if (ONLY !== 'postgres') {
  try {
    runs.push({ store: 'SQLite', ...(await compareStores('SQLite', {}, {})) });
  } catch (error) {
    console.error(error);
    skipped.push(`SQLite failed: ${error.message}`);
  }
}
if (ONLY !== 'sqlite') {
  const shared = await services();
  if (shared.available) {
    try {
      runs.push({ store: 'PostgreSQL', ...(await compareStores('PostgreSQL', await shared.deployment(), await shared.deployment())), describe: shared.describe });
    } catch (error) {
      console.error(error);
      skipped.push(`PostgreSQL failed: ${error.message}`);
    } finally {
      await shared.drop();
    }
  } else skipped.push(`PostgreSQL left out: ${shared.reason}`);
}

const ms = (n) => `${n.toFixed(2)} ms`;
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const mib = (n) => `${n.toFixed(0)} MiB`;
/** Each row: what it is, its figure on a store, and the big store's cost over the small one's (the rounds' median for requests). */
const perRound = (id, what) => (run) => run.ratios[id][what];
const ROWS = [
  ['token issuance, req/s (random clients)', (r) => fmt(r.token.rps), perRound('token', 'rps')],
  ['token issuance, p95', (r) => ms(r.token.p95), perRound('token', 'p95')],
  ['Bearer guard, cold cache, p95', (r) => ms(r.bearerCold.p95), perRound('bearerCold', 'p95')],
  ['Bearer guard, warm cache, req/s', (r) => fmt(r.bearerWarm.rps), perRound('bearerWarm', 'rps')],
  ['Basic guard, cold cache, p95', (r) => ms(r.basicCold.p95), perRound('basicCold', 'p95')],
  ['Basic guard, warm cache, req/s', (r) => fmt(r.basicWarm.rps), perRound('basicWarm', 'rps')],
  ['portal client list, p95', (r) => ms(r.clientList.p95), perRound('clientList', 'p95')],
  ['portal audit page (newest), p95', (r) => ms(r.auditFirst.p95), perRound('auditFirst', 'p95')],
  ['portal audit page (any depth), p95', (r) => ms(r.auditDeep.p95), perRound('auditDeep', 'p95')],
  ['CSV export, entries/s', (r) => fmt(r.csv.entriesPerSecond), (run) => run.small.csv.entriesPerSecond / run.big.csv.entriesPerSecond],
  ['CSV export, server RSS at its peak', (r) => `${mib(r.csv.rssPeak)} (${mib(r.csv.rssBefore)} before)`, (run) => run.big.csv.rssPeak / run.small.csv.rssPeak],
  ['verify, full, entries/s', (r) => fmt(r.verifyFull.entries / r.verifyFull.seconds), (run) => run.big.verifyFull.seconds / run.big.verifyFull.entries / (run.small.verifyFull.seconds / run.small.verifyFull.entries)],
  [`verify from a checkpoint (${fmt(SINCE_CHECKPOINT)} new entries), s`, (r) => r.verifySince.seconds.toFixed(2), (run) => run.big.verifySince.seconds / run.small.verifySince.seconds],
  ['server RSS after the run', (r) => mib(r.endRss), (run) => run.big.endRss / run.small.endRss],
];
/** Not hot paths: their cost grows with the data by design, shown for sizing. */
const INFO = [
  ['checkpoint round: every chain’s head (O(platforms))', (r) => `${r.heads.chains.toLocaleString('en-US')} chains, ${r.heads.seconds.toFixed(2)} s`],
  ['CSV export of the hot chain', (r) => `${fmt(r.csv.entries)} entries, ${(r.csv.bytes / 2 ** 20).toFixed(0)} MiB in ${r.csv.seconds.toFixed(1)} s`],
  ['CSV export: server RSS at its peak over the first tenth of the entries, over all', (r) => `${mib(r.csv.rssPeakFirstTenth)}, ${mib(r.csv.rssPeak)}`],
  ['full verify of the hot chain', (r) => `${fmt(r.verifyFull.entries)} entries in ${r.verifyFull.seconds.toFixed(1)} s`],
  ['verify from checkpoints, every chain (O(platforms + new entries))', (r) => `${r.verifyEveryChainSince.chains.toLocaleString('en-US')} chains, ${fmt(r.verifyEveryChainSince.entries)} new entries, ${r.verifyEveryChainSince.seconds.toFixed(2)} s`],
  ['seeding', (r) => `${r.seedSeconds.toFixed(0)} s`],
  ['size on disk', (r) => `${(r.size.bytes / 2 ** 20).toFixed(0)} MiB`],
  ['audit log (table and indexes) per entry', (r) => `${fmt(r.size.auditBytesPerEntry)} bytes`],
];
const sizeLine = (s) => `${fmt(s.platforms)} platforms, ${fmt(s.clients)} clients, ${fmt(s.keys)} API keys, ${fmt(s.audit + s.chain)} audit entries (a hashed chain of ${fmt(s.chain)} on the hot platform)`;
const cpus = os.cpus();
const lines = [
  '## A year of traffic (issue 24)',
  '',
  `Written by \`npm run bench:scale\` (bench/scale.js) on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC in ${Math.round((Date.now() - started) / 1000)} s, on ${cpus.length} × ${cpus[0]?.model.trim()}, Node ${process.version}. ${CONCURRENCY} requests in flight; cold rows present ${COLD} credentials, once each, to a server started afresh for each round; ${ROUNDS} rounds, the small and the big store in turns: each figure is the median of its rounds', each request row's ratio the median of the rounds' ratios (big store's latency or time per request over the small one's); goal ≤ ${GOAL}×.`,
  '',
  `- Small store: ${sizeLine(SMALL)}.`,
  `- Big store: ${sizeLine(BIG)}.`,
  ...runs.filter((r) => r.describe).map((r) => `- ${r.store}: ${r.describe}.`),
  ...skipped.map((reason) => `- ${reason}.`),
  '',
];
for (const run of runs) {
  lines.push(`### ${run.store}`, '', '| | 1k clients | big store | ratio | goal ≤ 1.25× |', '| --- | --- | --- | --- | --- |');
  for (const [name, show, cost] of ROWS) {
    const ratio = cost(run);
    lines.push(`| ${name} | ${show(run.small)} | ${show(run.big)} | ${ratio.toFixed(2)}× | ${ratio <= GOAL ? 'met' : '**missed**'} |`);
  }
  for (const [name, show] of INFO) lines.push(`| ${name} | ${show(run.small)} | ${show(run.big)} | | |`);
  lines.push('');
}
console.log(lines.join('\n'));
console.log(JSON.stringify(runs, null, 1));
if (WRITE) {
  const file = new URL('RESULTS.md', import.meta.url);
  const previous = readFileSync(file, 'utf8');
  // The section is replaced when there, appended otherwise; the other sections stay as they are.
  const start = previous.indexOf('## A year of traffic (issue 24)');
  const after = start < 0 ? -1 : previous.indexOf('\n## ', start + 1);
  const section = lines.join('\n');
  const next = start < 0 ? `${previous.trimEnd()}\n\n${section}` : previous.slice(0, start) + section + (after < 0 ? '' : previous.slice(after));
  writeFileSync(file, next);
}
process.exit(0);
