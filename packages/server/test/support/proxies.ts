import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, request } from 'node:http';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * Real reverse proxies (nginx, Caddy, HAProxy) in front of a stand-in upstream, running the configurations
 * docs/protect-your-api.md documents, as they are written there: the forward-auth suites
 * (test/forward-auth/{nginx,caddy,haproxy}.test.ts) prove the documented blocks, not copies of them.
 */

export const PROTECT_YOUR_API_DOC = fileURLToPath(new URL('../../../../docs/protect-your-api.md', import.meta.url));

/** The one fenced block of `language` (```nginx, ```caddyfile…) in docs/protect-your-api.md. */
export async function documentedBlock(language: string): Promise<string> {
  const doc = await readFile(PROTECT_YOUR_API_DOC, 'utf8');
  const blocks = [...doc.matchAll(new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map((match) => match[1]!);
  if (blocks.length !== 1) throw new Error(`docs/protect-your-api.md must hold exactly one \`\`\`${language} block, it holds ${blocks.length}`);
  return blocks[0]!;
}

/** Where the test runs what the doc places at 127.0.0.1:3000 (Tessera), 127.0.0.1:8080 (the API) and port 8000 (the proxy). */
export interface Ports {
  tessera: number;
  upstream: number;
  proxy: number;
}

/**
 * The documented configuration (one or more blocks: HAProxy's is a Lua file and a haproxy.cfg) on the
 * test's ports. Every placeholder must be there, in one block or another: a doc that moves away from
 * them fails here, rather than running a proxy that talks to whatever listens on port 3000. `listen` is
 * how the proxy's own port is written in this configuration (`listen 8000;`, `:8000 {`, `bind :8000`).
 */
export function onPorts(blocks: string[], ports: Ports, listen: { pattern: RegExp; replacement: (port: number) => string }): string[] {
  const replacements: Array<[RegExp, string]> = [
    [/127\.0\.0\.1:3000\b/g, `127.0.0.1:${ports.tessera}`],
    [/127\.0\.0\.1:8080\b/g, `127.0.0.1:${ports.upstream}`],
    [listen.pattern, listen.replacement(ports.proxy)],
  ];
  for (const [pattern] of replacements) {
    if (!blocks.some((block) => block.match(pattern))) throw new Error(`the documented configuration has no ${pattern}:\n${blocks.join('\n')}`);
  }
  return blocks.map((block) => replacements.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), block));
}

/**
 * Outside CI a proxy suite whose binary is missing is skipped, and says why; in CI (.ci/run installs
 * nginx and caddy) it must run, so a missing binary fails loudly instead.
 */
export function proxySkipReason(name: string, binary: string, debianPackage: string): string | false {
  if (existsSync(binary)) return false;
  if (process.env.CI) throw new Error(`CI must run the ${name} forward-auth suite, but ${binary} is missing (.ci/run installs ${debianPackage})`);
  console.warn(`Skipping the ${name} forward-auth suite: ${binary} is missing (apt-get install ${debianPackage})`);
  return `${binary} missing`;
}

/** A request as the upstream received it. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** Names and values as they came, for what `headers` would merge. */
  rawHeaders: string[];
  body: string;
}

/** The API behind the proxy: records every request and answers 200 with `{ ok: true }`. */
export async function startUpstream(): Promise<{ port: number; seen: SeenRequest[]; close: () => Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface ProxyResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Names and values as they came: Node joins repeated header lines in `headers`. */
  rawHeaders: string[];
  body: string;
}

/**
 * One request to `port`, headers sent exactly as listed (names in their casing, repeats kept: fetch
 * would merge them), on a connection of its own.
 */
export async function send(
  port: number,
  options: { method?: string; path: string; headers?: Array<[string, string]>; body?: string },
): Promise<ProxyResponse> {
  const headers = (options.headers ?? []).flat();
  if (options.body !== undefined) headers.push('Content-Length', String(Buffer.byteLength(options.body)));
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(5_000, () => req.destroy(new Error(`no answer from 127.0.0.1:${port}${options.path} in 5 s`)));
    req.end(options.body);
  });
}

/** The `x-tessera-*` headers of a request the upstream saw, by lowercase name. */
export function identityHeadersOf(seen: SeenRequest): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(seen.headers).filter(([name]) => name.startsWith('x-tessera-'))) as Record<string, string | string[]>;
}

/** The WWW-Authenticate header lines of a response, one challenge each as Tessera sends them. */
export function challengesOf(response: ProxyResponse): string[] {
  const values: string[] = [];
  for (let i = 0; i < response.rawHeaders.length; i += 2) {
    if (response.rawHeaders[i]!.toLowerCase() === 'www-authenticate') values.push(response.rawHeaders[i + 1]!);
  }
  return values;
}

export interface RunningProxy {
  output: () => string;
  stop: () => Promise<void>;
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Starts a proxy in the foreground and resolves once it accepts connections on `port` (10 s at most). */
export async function startProxy(command: string, args: string[], port: number, env: Record<string, string> = {}): Promise<RunningProxy> {
  const child: ChildProcess = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (data) => (output += data));
  child.stderr!.on('data', (data) => (output += data));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(killer);
    }
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${command} exited with ${child.exitCode}: ${output}`);
    if (await accepts(port)) return { output: () => output, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${command} did not listen on ${port} within 10 s: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
