import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { STATUS_RECHECK_MS } from '../../src/credentials/credential-events.js';
import { MAX_CACHED_CREDENTIALS } from '../../src/auth/api-guard.js';
import { SETTINGS } from '../../src/config/config.js';
import { freePort } from '../support/listen.js';

const run = promisify(execFile);
const ROOT = path.resolve(new URL('../../../../', import.meta.url).pathname);
const read = (file: string): Promise<string> => readFile(path.join(ROOT, file), 'utf8');

const KNOWN = new Set(Object.values(SETTINGS).map((s) => s.name));

/** A Tessera setting's name, as docs and env files write them (other variables, POSTGRES_* and PROXY_*, are not ours). */
const SETTING_NAME = /\b(?:TESSERA_[A-Z0-9_]+|DATABASE_URL|REDIS_URL|REDIS_KEY_PREFIX|LOG_LEVEL)\b/g;

interface Instruction {
  keyword: string;
  args: string;
}

/** A Dockerfile's instructions by stage: continuation lines joined, comments dropped. */
function dockerStages(text: string): Instruction[][] {
  const lines = text.split('\n').filter((line) => !/^\s*#/.test(line));
  const joined = lines.join('\n').replace(/\\\n/g, ' ');
  const stages: Instruction[][] = [];
  for (const line of joined.split('\n')) {
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const instruction = { keyword: match[1]!.toUpperCase(), args: match[2]!.trim() };
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  networks?: Record<string, { ipv4_address?: string }> | string[];
}

async function compose(): Promise<Record<string, ComposeService>> {
  // `merge`: the two instances share one definition through a YAML merge key (<<: *tessera).
  return (parse(await read('compose.yaml'), { merge: true }) as { services: Record<string, ComposeService> }).services;
}

describe('the Dockerfile', () => {
  it('runs on a pinned Node major (slim), as a user other than root, with the built server and portal and a health check', async () => {
    const stages = dockerStages(await read('Dockerfile'));
    expect(stages.length).toBeGreaterThanOrEqual(2); // multi-stage: the build tools stay behind
    const runtime = stages.at(-1)!;
    const args = (keyword: string): string[] => runtime.filter((i) => i.keyword === keyword).map((i) => i.args);

    expect(args('FROM')).toEqual(['node:24-bookworm-slim']);
    const users = args('USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    // The user comes after the last RUN that needs root (the data folder's owner).
    const lastUser = runtime.findLastIndex((i) => i.keyword === 'USER');
    expect(runtime.findLastIndex((i) => i.keyword === 'RUN')).toBeLessThan(lastUser);

    const copies = args('COPY');
    expect(copies.some((c) => /--from=build\s+\S*packages\/portal\/dist\s/.test(c))).toBe(true);
    expect(copies.some((c) => /--from=build\s+\S*packages\/server\/dist\s/.test(c))).toBe(true);
    // Never the sources or the whole build folder.
    expect(copies.every((c) => /--from=build/.test(c))).toBe(true);
    expect(copies.some((c) => /\/src(\/packages\/\w+)?\/?\s/.test(c) && !/dist|bin|node_modules|package/.test(c))).toBe(false);

    expect(args('HEALTHCHECK')).toHaveLength(1);
    expect(args('HEALTHCHECK')[0]).toMatch(/CMD \["node", .*\/healthz/);
    expect(args('EXPOSE')).toEqual(['8080']);
    expect(args('ENV').join(' ')).toMatch(/\bHOST=0\.0\.0\.0\b/);
    expect(args('VOLUME').join(' ')).toContain('/data');
    expect(args('ENTRYPOINT')).toEqual(['["node", "/app/packages/server/bin/tessera.js"]']);
  });

  it('builds with npm ci and prunes dev dependencies; the build context leaves out data, keys and node_modules', async () => {
    const build = dockerStages(await read('Dockerfile'))[0]!;
    const runs = build.filter((i) => i.keyword === 'RUN').map((i) => i.args).join(' && ');
    expect(runs).toMatch(/npm ci\b/);
    expect(runs).toMatch(/npm run build\b/);
    expect(runs).toMatch(/npm prune --omit=dev\b/);
    const ignored = (await read('.dockerignore')).split('\n').filter((l) => l && !l.startsWith('#'));
    for (const entry of ['**/node_modules', '**/dist', 'data', '.git', '.env', '*.env']) expect(ignored).toContain(entry);
  });
});

describe('compose.yaml', () => {
  it('runs two Tessera instances on PostgreSQL and Redis, ready-checked, behind a proxy', async () => {
    const services = await compose();
    const tessera = Object.entries(services).filter(([, s]) => s.build !== undefined);
    expect(tessera.map(([name]) => name)).toEqual(['tessera-1', 'tessera-2']);
    for (const [, service] of tessera) {
      const env = service.environment!;
      expect(env.DATABASE_URL).toMatch(/^postgres:\/\/tessera:\$\{POSTGRES_PASSWORD:\?[^}]+\}@postgres:5432\/tessera$/);
      expect(env.REDIS_URL).toBe('redis://redis:6379');
      // From the env file, never a literal in the file.
      expect(env.TESSERA_MASTER_KEY).toMatch(/^\$\{TESSERA_MASTER_KEY:\?[^}]+\}$/);
      expect(env.TESSERA_PUBLIC_URL).toMatch(/^\$\{TESSERA_PUBLIC_URL:-https:\/\//);
      expect(env.HOST).toBe('0.0.0.0');
      expect(service.healthcheck!.test.join(' ')).toContain('/readyz');
      expect(service.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    }
    expect(services.postgres!.image).toBe('postgres:16');
    expect(services.postgres!.healthcheck!.test).toContain('pg_isready');
    expect(services.redis!.image).toBe('redis:7');
    expect(services.redis!.healthcheck!.test).toContain('ping');
  });

  it("sends the proxy's traffic to both instances, and trusts only the proxy's X-Forwarded-For", async () => {
    const services = await compose();
    const proxy = services.proxy!;
    expect(proxy.image).toBe('caddy:2');
    expect(proxy.depends_on).toEqual({ 'tessera-1': { condition: 'service_healthy' }, 'tessera-2': { condition: 'service_healthy' } });
    const mount = proxy.volumes!.find((v) => v.endsWith(':/etc/caddy/Caddyfile:ro'))!;
    const caddyfile = await read(mount.split(':')[0]!);
    expect(caddyfile).toMatch(/reverse_proxy tessera-1:8080 tessera-2:8080 \{/);
    expect(caddyfile).toMatch(/health_uri \/readyz/);
    const proxyAddress = (proxy.networks as Record<string, { ipv4_address: string }>).tessera!.ipv4_address;
    expect(services['tessera-1']!.environment!.TESSERA_TRUST_PROXY).toBe(proxyAddress);
    // The setting accepts it (a bad value would stop start-up).
    expect(SETTINGS.trustProxy.parse(proxyAddress)).toEqual([proxyAddress]);
  });
});

describe('every setting the deployment files name', () => {
  it('is one of config.ts SETTINGS (compose.yaml, deploy/env.example, docs/deploy.md)', async () => {
    const services = await compose();
    const fromCompose = Object.values(services)
      .filter((s) => s.build !== undefined)
      .flatMap((s) => Object.keys(s.environment ?? {}));
    expect(fromCompose.length).toBeGreaterThan(0);
    for (const name of fromCompose) expect(KNOWN, `compose.yaml names ${name}`).toContain(name);
    for (const file of ['deploy/env.example', 'docs/deploy.md']) {
      const named = new Set((await read(file)).match(SETTING_NAME) ?? []);
      expect(named.size).toBeGreaterThan(0);
      for (const name of named) expect(KNOWN, `${file} names ${name}`).toContain(name);
    }
  });

  it("states the guard's bounds as the code has them, and the README links the guide", async () => {
    const guide = await read('docs/deploy.md');
    expect(STATUS_RECHECK_MS).toBe(5_000);
    expect(guide).toContain('at most 5 s after the last read\n  (`STATUS_RECHECK_MS`)');
    expect(MAX_CACHED_CREDENTIALS).toBe(10_000);
    expect(guide).toContain('(at most 10,000\n  of each)');
    expect(await read('README.md')).toContain('[docs/deploy.md](docs/deploy.md)');
  });
});

/** The base images the Dockerfile and compose.yaml need, none pulled by this test. */
async function baseImages(): Promise<string[]> {
  const fromDockerfile = dockerStages(await read('Dockerfile')).map((stage) => stage[0]!.args.split(/\s+/)[0]!);
  const fromCompose = Object.values(await compose()).flatMap((s) => (s.build === undefined && s.image ? [s.image] : []));
  return [...new Set([...fromDockerfile, ...fromCompose])];
}

async function succeeds(command: string, args: string[]): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout } = await run(command, args, { timeout: 20_000 });
    return { ok: true, output: stdout };
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    return { ok: false, output: (stderr || message).trim().split('\n')[0] ?? '' };
  }
}

/**
 * Why the container test cannot run here, or false. It needs a Docker daemon, compose, and every base
 * image already present: it never pulls (a CI machine without network would hang) nor starts a daemon.
 */
async function containerSkipReason(): Promise<string | false> {
  if (!(await succeeds('docker', ['--version'])).ok) return 'no container engine: the docker CLI is not installed';
  const info = await succeeds('docker', ['info', '--format', '{{.ServerVersion}}']);
  if (!info.ok) return `the docker CLI is installed but no daemon answers (docker info: ${info.output})`;
  if (!(await succeeds('docker', ['compose', 'version'])).ok) return 'docker compose is not installed';
  const missing: string[] = [];
  for (const image of await baseImages()) if (!(await succeeds('docker', ['image', 'inspect', image])).ok) missing.push(image);
  if (missing.length > 0) return `base images not present (this test pulls none): ${missing.join(', ')}`;
  return false;
}

const skip = await containerSkipReason();
if (skip) console.warn(`Skipping the container test: ${skip}`);

/** An https request through the proxy, trusting Caddy's local CA; the status and the parsed body. */
function viaProxy(url: string, ca: string, options: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', ca, headers: options.headers, timeout: 10_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) as unknown }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe.skipIf(skip)(`the image and compose.yaml, built and run${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('serves through the proxy over TLS, two instances sharing one quota, as a user other than root', { timeout: 900_000 }, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tessera-compose-'));
    const project = `tessera-test-${randomBytes(4).toString('hex')}`;
    const port = await freePort();
    const publicUrl = `https://localhost:${port}`;
    const envFile = path.join(dir, 'test.env');
    await writeFile(
      envFile,
      [
        `TESSERA_MASTER_KEY=${randomBytes(32).toString('base64')}`,
        `POSTGRES_PASSWORD=${randomBytes(12).toString('hex')}`,
        `TESSERA_PUBLIC_URL=${publicUrl}`,
        `PROXY_HTTPS_PORT=${port}`,
        `PROXY_HTTP_PORT=${await freePort()}`,
      ].join('\n'),
      { mode: 0o600 },
    );
    const dc = (...args: string[]) =>
      run('docker', ['compose', '--project-directory', ROOT, '-p', project, '--env-file', envFile, ...args], { cwd: ROOT, timeout: 600_000, maxBuffer: 64 << 20 });
    const tessera = async (...args: string[]) =>
      JSON.parse((await dc('exec', '-T', 'tessera-1', 'node', '/app/packages/server/bin/tessera.js', ...args, '--json')).stdout) as Record<string, string>;
    try {
      await dc('up', '-d', '--build', '--wait', '--wait-timeout', '300');
      const ca = (await dc('exec', '-T', 'proxy', 'cat', '/data/caddy/pki/authorities/local/root.crt')).stdout;

      expect(await viaProxy(`${publicUrl}/healthz`, ca)).toEqual({ status: 200, body: { status: 'ok' } });
      const metadata = await viaProxy(`${publicUrl}/.well-known/oauth-authorization-server`, ca);
      expect(metadata.status).toBe(200);
      expect((metadata.body as { issuer: string }).issuer).toBe(publicUrl);
      for (const service of ['tessera-1', 'tessera-2']) {
        expect((await dc('exec', '-T', service, 'id', '-u')).stdout.trim()).not.toBe('0');
      }

      await tessera('platform', 'create', 'acme');
      const client = await tessera('client', 'create', '--platform', 'acme');
      const token = () =>
        viaProxy(`${publicUrl}/oauth/token`, ca, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.client_id!, client_secret: client.client_secret! }).toString(),
        });
      expect((await token()).status).toBe(200);
      // Round robin: the next requests reach the other instance too, and it refuses as the first would.
      for (let i = 0; i < 2; i++) {
        const refused = await token();
        expect(refused.status).toBe(400);
        expect((refused.body as { error: string }).error).toBe('rate_limit_exceeded');
      }
    } finally {
      await dc('down', '-v', '--remove-orphans').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  });
});

