// The load generator of bench/compare.js: wrk (C, light on the CPU the servers share) when it is on the
// PATH, autocannon (an npm dependency, so always there) otherwise. Several requests run at once, the
// connections split between them (two instances behind no balancer), and their figures are summed.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';

const run = promisify(execFile);

/**
 * { name, run(requests, { connections, seconds }) → { rps, p50 and p99 (ms), requests, non2xx, errors } }. A request
 * is { url, method, headers, body, rotate }: with `rotate` (a list of header sets, each laid over `headers`),
 * successive requests take the sets in turn — many clients, each asking in its turn.
 */
export function loadGenerator() {
  let wrk;
  try {
    wrk = execFileSync('wrk', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    // wrk prints its version and exits 1.
    wrk = error.stdout;
  }
  const version = /wrk (\S+)/.exec(wrk ?? '')?.[1];
  const one = version ? runWrk : runAutocannon;
  return {
    name: version ? `wrk ${version} (1 thread per target)` : 'autocannon (wrk not installed)',
    async run(requests, { connections, seconds }) {
      const each = Math.floor(connections / requests.length);
      const results = await Promise.all(requests.map((request) => one(request, each, seconds)));
      return {
        rps: results.reduce((sum, r) => sum + r.rps, 0),
        p50: Math.max(...results.map((r) => r.p50)),
        p99: Math.max(...results.map((r) => r.p99)),
        requests: results.reduce((sum, r) => sum + r.requests, 0),
        non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
        errors: results.reduce((sum, r) => sum + r.errors, 0),
      };
    },
  };
}

// Lua long strings ([==[ … ]==]) carry the values as they are.
const lua = (value) => `[==[${value}]==]`;

async function runWrk(request, connections, seconds) {
  const dir = mkdtempSync(path.join(tmpdir(), 'tessera-wrk-'));
  const script = path.join(dir, 'request.lua');
  const headerTable = (headers) => `{ ${Object.entries(headers).map(([name, value]) => `[ ${lua(name)} ] = ${lua(value)}`).join(', ')} }`;
  writeFileSync(
    script,
    [
      `wrk.method = ${lua(request.method ?? 'GET')}`,
      request.body ? `wrk.body = ${lua(request.body)}` : '',
      ...Object.entries(request.headers ?? {}).map(([name, value]) => `wrk.headers[ ${lua(name)} ] = ${lua(value)}`),
      ...(request.rotate
        ? [
            // Formatted once, in each thread: the request function only picks the next one.
            `local sets = { ${request.rotate.map((set) => headerTable({ ...request.headers, ...set })).join(',\n')} }`,
            'local formatted, n = {}, 0',
            'init = function(args) for i, set in ipairs(sets) do formatted[i] = wrk.format(nil, nil, set, nil) end end',
            'request = function() n = n % #formatted + 1; return formatted[n] end',
          ]
        : []),
      // errors.status counts the answers of status 400 and above.
      'done = function(summary, latency, requests)',
      '  local e = summary.errors',
      '  io.write(string.format("\\nRESULT %d %d %d %d %d %d\\n", summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout, latency:percentile(99), latency:percentile(50)))',
      'end',
    ].join('\n'),
  );
  try {
    const { stdout } = await run('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '-s', script, request.url]);
    const result = /RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)/.exec(stdout);
    if (!result) throw new Error(`wrk printed no result for ${request.url}:\n${stdout}`);
    const [requests, durationUs, non2xx, errors, p99Us, p50Us] = result.slice(1).map(Number);
    return { rps: requests / (durationUs / 1e6), p50: p50Us / 1000, p99: p99Us / 1000, requests, non2xx, errors };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runAutocannon(request, connections, seconds) {
  const { rotate, ...single } = request;
  const requests = rotate?.map((set) => ({ method: request.method, body: request.body, headers: { ...request.headers, ...set } }));
  const result = await autocannon({ ...single, ...(requests ? { requests } : {}), connections, duration: seconds });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, requests: result.requests.total, non2xx: result.non2xx, errors: result.errors + result.timeouts };
}
