import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CLIENT_DIR, REPO_DIR } from './build.js';

export const WORKER = join(CLIENT_DIR, 'test', 'fixtures', 'fleet-worker.mjs');

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Waits for a line on the child's stdout or stderr that matches. */
function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (pattern.test(output)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}) before it was ready:\n${output}`));
    });
  });
}

/** A redis-server of our own, which a test may kill without touching the machine's Redis. */
export class PrivateRedis {
  #child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static available(): boolean {
    return existsSync('/usr/bin/redis-server') || spawnSync('redis-server', ['--version']).status === 0;
  }

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts it (again) on the same port, empty: no persistence. */
  async restart(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    await waitForLine(child, /Ready to accept connections/, 10_000, 'redis-server');
  }

  /** Starts it again if a test stopped it (and failed before it restarted it): no test inherits a dead Redis. */
  async ensureRunning(): Promise<void> {
    if (!this.#child || this.#child.exitCode !== null) await this.restart();
  }

  /** SIGKILL: the way a crashed Redis goes. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.#child = undefined;
  }
}

export interface ReceivedTokenRequest {
  status: number;
}

/**
 * A client credential of the token server that one test owns: its own quota and its own record of
 * token requests, so that no test depends on what another did to the server (or left half done).
 */
export interface FleetClient {
  readonly clientId: string;
  readonly clientSecret: string;
  /** This client's token requests, in order. */
  readonly tokenRequests: ReceivedTokenRequest[];
  /** Lets the client get a new token now (`tessera client reset-quota`). */
  resetQuota(): Promise<void>;
}

/** The token server the fleet talks to: a real Tessera or a scripted stand-in, counted per client either way. */
export interface FleetServer {
  readonly kind: 'tessera' | 'scripted';
  readonly tokenUrl: string;
  readonly audience: string;
  /** A new client credential, with the quota of a client that never asked. */
  newClient(): Promise<FleetClient>;
  close(): Promise<void>;
}

const TANGO_AUDIENCE = 'https://api.tangocard.com/';

/** Whether the real server can be started from this checkout. */
export function tesseraAvailable(): boolean {
  return existsSync(join(REPO_DIR, 'packages/server/bin/tessera.js')) && existsSync(join(REPO_DIR, 'packages/server/src/app.ts'));
}

/** Token requests by client id (the form's `client_id`: the SDK sends client_secret_post). */
type RequestLog = Map<string, ReceivedTokenRequest[]>;

function requestsOf(log: RequestLog, clientId: string): ReceivedTokenRequest[] {
  let list = log.get(clientId);
  if (!list) log.set(clientId, (list = []));
  return list;
}

/** Forwards to `target`, recording the status of every POST /oauth/token under its client id. */
async function countingProxy(target: string, log: RequestLog): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const upstream = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        if (req.method === 'POST' && req.url === '/oauth/token') {
          const clientId = new URLSearchParams(body.toString('utf8')).get('client_id') ?? '';
          requestsOf(log, clientId).push({ status: answer.statusCode ?? 0 });
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => {
        res.statusCode = 502;
        res.end();
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** The environment of a throwaway Tessera: its own SQLite data folder and in-process cache, whatever the caller's environment says. */
function tesseraEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (name.startsWith('TESSERA_') || ['DATABASE_URL', 'REDIS_URL', 'REDIS_KEY_PREFIX', 'HOST', 'PORT'].includes(name)) delete env[name];
  }
  return { ...env, TESSERA_DATA_DIR: dataDir, TESSERA_AUDIENCE: TANGO_AUDIENCE, ...extra };
}

function tesseraCli(dataDir: string, args: string[]): Record<string, unknown> {
  const result = spawnSync(process.execPath, [join(REPO_DIR, 'packages/server/bin/tessera.js'), ...args, '--json'], {
    cwd: REPO_DIR,
    env: tesseraEnv(dataDir, { LOG_LEVEL: 'warn' }),
    encoding: 'utf8',
    timeout: 30_000,
  });
  const line = result.stdout.trim().split('\n').pop() ?? '';
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new Error(`tessera ${args.join(' ')} printed no JSON (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  }
  if (result.status !== 0 || 'error' in parsed) throw new Error(`tessera ${args.join(' ')} failed: ${line}${result.stderr}`);
  return parsed;
}

/** Starts `tessera serve` on a free port with its own data folder; each {@link FleetServer.newClient} is a platform and a client of its own. */
export async function startTessera(dataDir: string): Promise<FleetServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(REPO_DIR, 'packages/server/bin/tessera.js'), 'serve'], {
    cwd: REPO_DIR,
    env: tesseraEnv(dataDir, { HOST: '127.0.0.1', PORT: String(port) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    // Generous: on a loaded 2-core machine the first start (migrations, the first signing key) is slow.
    await waitForLine(child, /listening|Tessera is ready/i, 90_000, 'tessera serve');
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  child.stdout?.resume();
  child.stderr?.resume();
  const log: RequestLog = new Map();
  const proxy = await countingProxy(`http://127.0.0.1:${port}`, log);
  let clients = 0;
  return {
    kind: 'tessera',
    tokenUrl: `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}/oauth/token`,
    audience: TANGO_AUDIENCE,
    async newClient() {
      // A platform per client: a platform holds at most two active clients.
      const platform = `fleet-${++clients}`;
      tesseraCli(dataDir, ['platform', 'create', platform]);
      const created = tesseraCli(dataDir, ['client', 'create', '--platform', platform]);
      const clientId = String(created.client_id);
      return {
        clientId,
        clientSecret: String(created.client_secret),
        tokenRequests: requestsOf(log, clientId),
        async resetQuota() {
          tesseraCli(dataDir, ['client', 'reset-quota', clientId]);
        },
      };
    },
    async close() {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A stand-in with Tessera's quota, per client: one token until the quota is reset, then 400 + Retry-After. */
export async function startScripted(): Promise<FleetServer> {
  const log: RequestLog = new Map();
  const quota = new Map<string, { used: boolean; issued: number }>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const clientId = new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('client_id') ?? '';
      const state = quota.get(clientId);
      res.setHeader('content-type', 'application/json');
      if (!state) {
        requestsOf(log, clientId).push({ status: 401 });
        res.writeHead(401, { 'www-authenticate': 'Basic realm="tessera"' });
        res.end(JSON.stringify({ error: 'invalid_client', error_description: 'Client authentication failed' }));
        return;
      }
      if (state.used) {
        requestsOf(log, clientId).push({ status: 400 });
        res.writeHead(400, { 'retry-after': '72000' });
        res.end(JSON.stringify({ error: 'rate_limit_exceeded', error_description: `Client ${clientId} ${clientId} has exceeded the daily rate limit` }));
        return;
      }
      state.used = true;
      requestsOf(log, clientId).push({ status: 200 });
      res.end(JSON.stringify({ access_token: `tok-${clientId}-${++state.issued}`, token_type: 'Bearer', expires_in: 86_400, scope: 'raas.all' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    kind: 'scripted',
    tokenUrl: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/oauth/token`,
    audience: TANGO_AUDIENCE,
    async newClient() {
      const clientId = `cli_fleet${quota.size + 1}`;
      const state = { used: false, issued: 0 };
      quota.set(clientId, state);
      return {
        clientId,
        clientSecret: `tsc_secret_fleet${quota.size}`,
        tokenRequests: requestsOf(log, clientId),
        async resetQuota() {
          state.used = false;
        },
      };
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

type Reply = Record<string, unknown> & { id?: number; error?: string; message?: string };

/** A fleet process: `fleet-worker.mjs`, driven over stdin/stdout. */
export class Worker {
  /** Every worker still running, so a failed test can leave none behind. */
  static readonly running = new Set<Worker>();

  /** Kills every worker still running. */
  static killAll(): void {
    for (const worker of Worker.running) worker.kill();
  }

  readonly warnings: string[] = [];
  readonly stderr: string[] = [];
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, (reply: Reply) => void>();
  readonly ready: Promise<void>;
  #next = 0;

  constructor(env: Record<string, string>) {
    this.#child = spawn(process.execPath, [WORKER], {
      cwd: REPO_DIR,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let markReady: () => void;
    let failReady: (err: Error) => void;
    this.ready = new Promise((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    createInterface({ input: this.#child.stdout! }).on('line', (line) => {
      const message = JSON.parse(line) as Reply;
      if (message.ready) markReady();
      else if (typeof message.warn === 'string') this.warnings.push(message.warn);
      else if (typeof message.id === 'number') {
        this.#pending.get(message.id)?.(message);
        this.#pending.delete(message.id);
      }
    });
    createInterface({ input: this.#child.stderr! }).on('line', (line) => this.stderr.push(line));
    Worker.running.add(this);
    this.#child.once('exit', (code) => {
      Worker.running.delete(this);
      failReady(new Error(`worker exited (${code}) before it was ready: ${this.stderr.join('\n')}`));
      for (const resolve of this.#pending.values()) resolve({ error: 'exited', message: `worker exited (${code})` });
      this.#pending.clear();
    });
  }

  send(cmd: string, args: Record<string, unknown> = {}): Promise<Reply> {
    const id = ++this.#next;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.#child.stdin!.write(`${JSON.stringify({ id, cmd, ...args })}\n`);
    });
  }

  async exit(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    await this.send('exit');
    await exited;
  }

  kill(): void {
    if (this.#child.exitCode === null) this.#child.kill('SIGKILL');
  }
}

/** Starts `n` workers and waits until every one has loaded the package and is ready. */
export async function startWorkers(n: number, env: Record<string, string>): Promise<Worker[]> {
  const workers = Array.from({ length: n }, () => new Worker(env));
  await Promise.all(workers.map((w) => w.ready));
  return workers;
}
