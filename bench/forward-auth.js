// Issue 23's cost, part of `npm run bench` (bench/compare.js runs these scenarios in its interleaved rounds):
// - the same upstream (apps/upstream.js, node:http answering 200 "ok") through Debian's nginx without a
//   check, and with `auth_request` to Tessera's /forward-auth as docs/protect-your-api.md configures it (its
//   ```nginx block, the placeholders replaced), for a Bearer token of a registered API and for an API key
//   (Basic): the throughput ratio and the p50/p99 the check adds, under load and on one connection; and, to show what the guide's configuration
//   leaves on the table, the same two servers with keep-alive connections to Tessera and the upstream, and
//   Tessera's /forward-auth asked straight (the check's own capacity);
// - one Fastify route (apps/fastify-api.js) as it is and behind @tessera/verify (Bearer, the status cache
//   warm: one token): the throughput ratio, target ≥ 0.9×.
// The nginx rows are left out, with the reason, when BENCH_NGINX (default /usr/sbin/nginx) is not there.
// Run alone by `node bench/forward-auth.js` it only says how to run it.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './support.js';

export const SECTION = '## Protecting your API (issue 23)';
/** Every scenario of this file; a BENCH_ONLY run that runs them all rewrites this file's section of RESULTS.md. */
export const IDS = ['fa-nginx', 'fa-nginx-bearer', 'fa-nginx-basic', 'fa-nginx-1', 'fa-nginx-bearer-1', 'fa-nginx-keepalive', 'fa-nginx-keepalive-bearer', 'fa-tessera-bearer', 'fa-fastify', 'fa-fastify-bearer'];
export const COMMAND = "BENCH_ONLY='^fa-' npm run bench";

const NGINX = process.env.BENCH_NGINX ?? '/usr/sbin/nginx';
const DOC = new URL('../docs/protect-your-api.md', import.meta.url);
// The API the bench registers: its tokens' `aud`, and the host it answers on (on any port: the load
// generator's requests to nginx carry the Host of their URL).
const AUDIENCE = 'https://api.bench.test/';
const HOST = '127.0.0.1';
const basicAuth = (user, password) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

const children = new Set();
// SIGTERM: nginx's master stops its workers then (killed, it would leave them running).
process.on('exit', () => children.forEach((child) => child.kill('SIGTERM')));

/** A process of ours that prints `ready` once it listens (apps/*.js), or nginx, which is ready once its port answers. */
async function start(command, args, { env = {}, url } = {}) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  const exited = new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`${path.basename(args[0] ?? command)} exited with ${code}: ${output}`))));
  const ready = url
    ? (async () => {
        for (let i = 0; ; i++) {
          try {
            return await fetch(url);
          } catch (error) {
            if (i > 100) throw error;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      })()
    : new Promise((resolve) => child.stdout.on('data', () => output.includes('ready') && resolve()));
  await Promise.race([ready, exited]);
  return {
    pid: child.pid,
    async stop() {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      children.delete(child);
    },
  };
}

async function app(script, env) {
  const port = await freePort();
  const started = await start(process.execPath, [new URL(`apps/${script}`, import.meta.url).pathname], { env: { ...env, PORT: String(port) } });
  return { ...started, url: `http://127.0.0.1:${port}` };
}

/**
 * The ```nginx block of docs/protect-your-api.md with its placeholders replaced (Tessera at 127.0.0.1:3000,
 * the upstream at 127.0.0.1:8080, `listen 8000`), as the proxy tests take it: the bench measures what the
 * guide tells people to deploy.
 */
function documentedServer({ tessera, upstream, port }) {
  const block = /```nginx\n([\s\S]*?)```/.exec(readFileSync(DOC, 'utf8'))?.[1];
  if (!block) throw new Error(`no \`\`\`nginx block in ${DOC.pathname}`);
  for (const placeholder of ['127.0.0.1:3000', '127.0.0.1:8080', 'listen 8000;']) {
    if (!block.includes(placeholder)) throw new Error(`the nginx block of ${DOC.pathname} has no ${placeholder}`);
  }
  return block.replaceAll('127.0.0.1:3000', tessera.replace('http://', '')).replaceAll('127.0.0.1:8080', upstream.replace('http://', '')).replace('listen 8000;', `listen 127.0.0.1:${port};`);
}

/** The documented server with keep-alive connections (nginx speaks HTTP/1.0 without one to a proxied server, and closes it). */
function keepAlive(server, { tessera, upstream }) {
  const replaced = server
    .replace(`proxy_pass ${tessera}/forward-auth;`, 'proxy_http_version 1.1; proxy_set_header Connection ""; proxy_pass http://tessera_keepalive/forward-auth;')
    .replace(`proxy_pass ${upstream};`, 'proxy_http_version 1.1; proxy_set_header Connection ""; proxy_pass http://upstream_keepalive;');
  if ((replaced.match(/_keepalive/g) ?? []).length !== 2) throw new Error('the nginx block of docs/protect-your-api.md has no `proxy_pass` to Tessera or to the upstream');
  return replaced;
}

/**
 * nginx with four servers in front of `upstream`: the documented one (auth_request to Tessera), the same
 * proxying without the check, and both again with keep-alive connections to Tessera and the upstream.
 */
async function nginx({ tessera, upstream }) {
  const dir = await mkdtemp(path.join(tmpdir(), 'tessera-bench-nginx-'));
  const [checked, plain, keepAliveChecked, keepAlivePlain] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const unchecked = (port, pass) => `server { listen 127.0.0.1:${port}; location / { proxy_set_header Host $http_host; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; ${pass} } }`;
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    [
      'daemon off;',
      // One worker: the two cores are shared by the load generator, Tessera and the upstream.
      'worker_processes 1;',
      // Started as root, nginx's workers would be `nobody`, who may not write in the run's folder.
      ...(process.getuid?.() === 0 ? ['user root;'] : []),
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log warn;`,
      'events { worker_connections 4096; }',
      'http {',
      '  access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((name) => `  ${name}_temp_path ${dir}/${name};`),
      documentedServer({ tessera, upstream, port: checked }),
      // The documented location without the check: the same proxy_pass, Host and X-Forwarded-For.
      unchecked(plain, `proxy_pass ${upstream};`),
      `upstream tessera_keepalive { server ${tessera.replace('http://', '')}; keepalive 32; }`,
      `upstream upstream_keepalive { server ${upstream.replace('http://', '')}; keepalive 32; }`,
      keepAlive(documentedServer({ tessera, upstream, port: keepAliveChecked }), { tessera, upstream }),
      unchecked(keepAlivePlain, 'proxy_http_version 1.1; proxy_set_header Connection ""; proxy_pass http://upstream_keepalive;'),
      '}',
      '',
    ].join('\n'),
  );
  const started = await start(NGINX, ['-p', dir, '-c', conf, '-e', `${dir}/error.log`], { url: `http://127.0.0.1:${plain}/` });
  return {
    ...started,
    checked: `http://127.0.0.1:${checked}`,
    plain: `http://127.0.0.1:${plain}`,
    keepAliveChecked: `http://127.0.0.1:${keepAliveChecked}`,
    keepAlivePlain: `http://127.0.0.1:${keepAlivePlain}`,
    async stop() {
      await started.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Asks until `check` holds: a running Tessera learns of a new API from the store within seconds. */
async function until(what, check) {
  for (let i = 0; ; i++) {
    const last = await check();
    if (last === true) return;
    if (i > 100) throw new Error(`${what}: ${last}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Adds this file's scenarios (those BENCH_ONLY selects) through compare.js's `scenario`, on a Tessera of
 * their own made by compare.js's `tessera` (one platform, one client, one API key); returns what the report
 * says of the setup. Whatever it starts is handed to `keep`, which stops it after the rounds.
 */
export async function forwardAuthScenarios({ tessera, keep, scenario, wants }) {
  const setup = { nginx: undefined, nginxSkipped: undefined };
  if (!wants(IDS)) return setup;
  const t = keep(await tessera({}));
  await t.cli('api', 'add', AUDIENCE, '--host', HOST, '--path-prefix', '/');
  const issued = await fetch(`${t.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(t.client.client_id, t.client.client_secret) },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'raas.all', audience: AUDIENCE }).toString(),
  });
  if (issued.status !== 200) throw new Error(`a token for ${AUDIENCE}: ${issued.status} ${await issued.text()}`);
  const bearer = { authorization: `Bearer ${(await issued.json()).access_token}` };
  const basic = { authorization: basicAuth(t.platform, t.key.api_key) };
  // The CLI wrote the API in the store: wait until the running server answers for it.
  await until('Tessera never allowed the token through /forward-auth', async () => {
    const answer = await fetch(`${t.url}/forward-auth`, { headers: { ...bearer, 'x-original-uri': '/', 'x-original-host': `${HOST}:8000` } });
    return answer.status === 200 || `${answer.status} ${await answer.text()}`;
  });

  if (wants(IDS.filter((id) => id.startsWith('fa-nginx')))) {
    if (existsSync(NGINX)) {
      const upstream = keep(await app('upstream.js'));
      const proxy = keep(await nginx({ tessera: t.url, upstream: upstream.url }));
      setup.nginx = /nginx\/(\S+)/.exec(await new Promise((resolve) => spawn(NGINX, ['-v']).stderr.on('data', (d) => resolve(String(d)))))?.[1];
      // The same Authorization on the unchecked server: the rows differ by the check alone.
      scenario('fa-nginx', 'nginx → upstream, no check (the same Bearer header, ignored)', [{ url: `${proxy.plain}/orders`, headers: bearer }], 200, [upstream.pid]);
      scenario('fa-nginx-bearer', 'nginx auth_request → Tessera /forward-auth → upstream, Bearer', [{ url: `${proxy.checked}/orders`, headers: bearer }], 200, [t.pid]);
      scenario('fa-nginx-basic', 'nginx auth_request → Tessera /forward-auth → upstream, Basic (API key)', [{ url: `${proxy.checked}/orders`, headers: basic }], 200, [t.pid]);
      // One connection: the latency the check adds to a request that waits for no other.
      scenario('fa-nginx-1', 'nginx → upstream, no check, 1 connection', [{ url: `${proxy.plain}/orders`, headers: bearer }], 200, [upstream.pid], 1);
      scenario('fa-nginx-bearer-1', 'nginx auth_request → Tessera /forward-auth → upstream, Bearer, 1 connection', [{ url: `${proxy.checked}/orders`, headers: bearer }], 200, [t.pid], 1);
      scenario('fa-nginx-keepalive', 'nginx → upstream, no check, keep-alive (not the guide\'s configuration)', [{ url: `${proxy.keepAlivePlain}/orders`, headers: bearer }], 200, [upstream.pid]);
      scenario('fa-nginx-keepalive-bearer', 'nginx auth_request → Tessera → upstream, Bearer, keep-alive (not the guide\'s configuration)', [{ url: `${proxy.keepAliveChecked}/orders`, headers: bearer }], 200, [t.pid]);
    } else {
      setup.nginxSkipped = `${NGINX} not found (Debian's nginx package; BENCH_NGINX names another)`;
    }
  }

  // The question nginx asks, asked straight on a keep-alive connection: what the check costs Tessera.
  scenario('fa-tessera-bearer', 'Tessera GET /forward-auth alone, asked as nginx does (X-Original-*), Bearer, keep-alive', [{ url: `${t.url}/forward-auth`, headers: { ...bearer, 'x-original-uri': '/orders', 'x-original-method': 'GET', 'x-original-host': `${HOST}:8000` } }], 200, [t.pid]);

  if (wants(IDS.filter((id) => id.startsWith('fa-fastify')))) {
    const { issuer } = await (await fetch(`${t.url}/.well-known/oauth-authorization-server`)).json();
    const api = keep(await app('fastify-api.js', { TESSERA_URL: t.url, TESSERA_AUDIENCE: AUDIENCE, TESSERA_ISSUER: issuer }));
    scenario('fa-fastify', 'Fastify GET /open, unprotected (the same Bearer header, ignored)', [{ url: `${api.url}/open`, headers: bearer }], 200, [api.pid]);
    scenario('fa-fastify-bearer', 'Fastify GET /protected, @tessera/verify, Bearer (status cache warm)', [{ url: `${api.url}/protected`, headers: bearer }], 200, [api.pid]);
  }
  return setup;
}

/**
 * The section of RESULTS.md: every row of this file that ran, the ratios next to their targets and the
 * latency the check adds. `run`: { ROUNDS, SECONDS, CONNECTIONS, load, commit, nodeVersion }.
 */
export function forwardAuthSection(scenarios, setup, run) {
  const byId = Object.fromEntries(scenarios.filter((s) => IDS.includes(s.id)).map((s) => [s.id, s]));
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const of = (id, key) => median(byId[id].samples.map((r) => r[key]));
  // Each round's two figures were measured seconds apart: the median of the rounds' ratios and differences.
  const perRound = (a, b, f) => (byId[a] && byId[b] ? median(byId[a].samples.map((r, i) => f(r, byId[b].samples[i]))) : undefined);
  const ratio = (a, b) => perRound(a, b, (r, s) => r.rps / s.rps);
  const added = (a, b, key) => perRound(a, b, (r, s) => r[key] - s[key]);
  const fmt = (n) => Math.round(n).toLocaleString('en-US');
  const ms = (n) => (n === undefined ? 'n/a' : `${n >= 0 ? '+' : ''}${n.toFixed(2)}`);
  const x = (r) => (r === undefined ? 'not run' : `${r.toFixed(2)}×`);
  const targets = [
    ['nginx + auth_request, Bearer vs no check', 'fa-nginx-bearer', 'fa-nginx', undefined],
    ['nginx + auth_request, Basic (API key) vs no check', 'fa-nginx-basic', 'fa-nginx', undefined],
    ['(the same, Bearer, both with keep-alive connections to Tessera and the upstream)', 'fa-nginx-keepalive-bearer', 'fa-nginx-keepalive', undefined],
    ['Fastify + @tessera/verify, Bearer vs the route unprotected', 'fa-fastify-bearer', 'fa-fastify', 0.9],
  ];
  const baseOf = { 'fa-nginx-bearer': 'fa-nginx', 'fa-nginx-basic': 'fa-nginx', 'fa-nginx-bearer-1': 'fa-nginx-1', 'fa-nginx-keepalive-bearer': 'fa-nginx-keepalive', 'fa-fastify-bearer': 'fa-fastify' };
  const cpus = os.cpus();
  return [
    SECTION,
    '',
    `Written by \`npm run bench\` (bench/compare.js with bench/forward-auth.js) on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; this section alone: \`${COMMAND}\`. ${cpus.length} × ${cpus[0]?.model.trim()}, load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; Node.js ${run.nodeVersion}; commit ${run.commit}; ${run.load.name}, ${run.CONNECTIONS} connections unless the row says 1; ${run.ROUNDS} interleaved rounds of ${run.SECONDS} s per row after a 1 s warm-up round, each figure the median round, each ratio and each added latency the median of the rounds' own.`,
    '',
    `- nginx rows: ${setup.nginx ? `Debian's nginx ${setup.nginx}, 1 worker, the \`\`\`nginx block of docs/protect-your-api.md as it is (placeholders replaced), beside a server of the same proxy_pass without the check; the guide's configuration opens a connection to Tessera and one to the upstream for every request (nginx's default), the keep-alive rows add \`upstream { keepalive 32; }\`, \`proxy_http_version 1.1\` and \`Connection ""\` to both proxy_pass` : `not run: ${setup.nginxSkipped ?? 'not selected'}`}; the upstream: node:http answering 200 "ok" (bench/apps/upstream.js); Tessera: \`tessera serve\` on SQLite, the API registered by \`tessera api add ${AUDIENCE} --host ${HOST} --path-prefix /\`, one token for it (\`audience=${AUDIENCE}\`) or one API key, sent on every request.`,
    `- Fastify rows: one process (bench/apps/fastify-api.js), GET /open and GET /protected answering "ok", the latter behind the tesseraFastify plugin on its defaults (token verified locally against the key set; Tessera's answer about the credential reused for 1 s, so one status request a second).`,
    '- The unchecked rows carry the same Authorization header, ignored. Latency is under the full load of the connections, queueing included, except on the rows of 1 connection: there it is what the check adds to a request that waits for no other.',
    '',
    '| ratio | measured | target | |',
    '|---|---|---|---|',
    ...targets.map(([name, a, b, target]) => {
      const r = ratio(a, b);
      return `| ${name} | ${x(r)} | ${target ? `≥ ${target}×` : 'none (issue 23: measure)'} | ${r === undefined ? 'not run' : target === undefined ? '' : r >= target ? 'met' : '**missed**'} |`;
    }),
    '',
    '| row | req/s (median) | p50 ms | p99 ms | added p50 ms | added p99 ms | rounds, req/s |',
    '|---|---|---|---|---|---|---|',
    ...IDS.filter((id) => byId[id]).map((id) => {
      const base = baseOf[id];
      return `| ${byId[id].name} | ${fmt(of(id, 'rps'))} | ${of(id, 'p50').toFixed(2)} | ${of(id, 'p99').toFixed(2)} | ${base ? ms(added(id, base, 'p50')) : ''} | ${base ? ms(added(id, base, 'p99')) : ''} | ${byId[id].samples.map((r) => fmt(r.rps)).join(' · ')} |`;
    }),
    '',
  ];
}

/** Replaces this file's section of the RESULTS.md text `previous` with `lines` (added at the end when it has none). */
export function withSection(previous, lines) {
  const start = previous.indexOf(SECTION);
  if (start < 0) return `${previous.trimEnd()}\n\n${lines.join('\n')}`;
  const end = previous.indexOf('\n## ', start + SECTION.length);
  return `${previous.slice(0, start)}${lines.join('\n')}${end < 0 ? '' : previous.slice(end)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(`bench/forward-auth.js runs inside \`npm run bench\`; alone: ${COMMAND}`);
}
