import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './support/listen.js';
import { startServer, tessera, tesseraJson } from './support/processes.js';
import { createPostgresDatabase, skipReason } from './support/services.js';

/** A raw HTTP/1.1 connection whose bytes the test sends when it chooses (a slow client). */
class RawConnection {
  private received = '';
  readonly closed: Promise<void>;
  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk) => (this.received += chunk));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
  }

  static async open(port: number): Promise<RawConnection> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new RawConnection(socket);
  }

  send(text: string): void {
    this.socket.write(text);
  }

  /** The response once the server has closed the connection: status, lower-case headers, body. */
  async response(): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    await this.closed;
    return parse(this.received);
  }

  /** The first response, waiting for it without the connection closing (keep-alive). */
  async firstResponse(): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    while (!this.received.includes('\r\n\r\n') || parse(this.received).body.length < Number(parse(this.received).headers['content-length'])) {
      await new Promise((r) => setTimeout(r, 20));
    }
    return parse(this.received);
  }
}

function parse(raw: string): { status: number; headers: Record<string, string>; body: string } {
  const [head = '', ...rest] = raw.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') };
}

async function refusesConnections(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/healthz`);
    return false;
  } catch (error) {
    return ((error as { cause?: { code?: string } }).cause?.code ?? '') === 'ECONNREFUSED';
  }
}

describe('tessera serve shutting down', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function serve(extra: Record<string, string> = {}) {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'tessera-shutdown-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const env = { TESSERA_DATA_DIR: dataDir, TESSERA_MASTER_KEY: randomBytes(32).toString('base64'), DATABASE_URL: '', REDIS_URL: '' };
    const port = await freePort();
    const server = await startServer({ ...env, PORT: String(port), LOG_LEVEL: 'info', ...extra });
    cleanups.push(async () => server.child.exitCode === null && server.child.kill('SIGKILL'));
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
    return { server, port, env, exited };
  }

  it('on SIGTERM refuses new connections, answers /readyz 503, finishes requests in flight with 200 and exits 0', async () => {
    const { server, port, env, exited } = await serve();
    await tesseraJson(['platform', 'create', 'drain'], env);
    const { json: client } = await tesseraJson(['client', 'create', '--platform', 'drain', '--name', 'Drain'], env);
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: client.client_id as string, client_secret: client.client_secret as string }).toString();

    // An idle keep-alive connection: it must not hold the shutdown (the keep-alive timeout is 72 s).
    const idle = await RawConnection.open(port);
    idle.send('GET /readyz HTTP/1.1\r\nHost: tessera\r\n\r\n');
    expect(await idle.firstResponse()).toMatchObject({ status: 200, body: '{"status":"ready","store":"ok","redis":"not configured"}' });
    // A token request whose body trickles in, and a readiness probe whose headers are not finished.
    const token = await RawConnection.open(port);
    token.send(`POST /oauth/token HTTP/1.1\r\nHost: tessera\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n`);
    token.send(body.slice(0, 20));
    const probe = await RawConnection.open(port);
    probe.send('GET /readyz HTTP/1.1\r\nHost: tessera\r\n');
    await new Promise((r) => setTimeout(r, 200));

    const signalled = Date.now();
    server.child.kill('SIGTERM');
    const deadline = Date.now() + 3000;
    while (!(await refusesConnections(server.url)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(await refusesConnections(server.url)).toBe(true);
    await idle.closed;

    await new Promise((r) => setTimeout(r, 500));
    probe.send('\r\n');
    expect(await probe.response()).toMatchObject({
      status: 503,
      headers: { connection: 'close', 'cache-control': 'no-store' },
      body: '{"status":"shutting_down"}',
    });
    token.send(body.slice(20));
    const granted = await token.response();
    expect(granted.status).toBe(200);
    expect(granted.headers.connection).toBe('close');
    expect(JSON.parse(granted.body)).toMatchObject({ token_type: 'Bearer', expires_in: 86400 });

    expect(await exited).toBe(0);
    const shutdownMs = Date.now() - signalled;
    console.info(`shutdown with requests in flight: ${shutdownMs} ms from SIGTERM to exit`);
    expect(shutdownMs).toBeLessThan(5000);
    expect(server.output()).toContain('"msg":"shut down"');
  }, 60_000);

  it('closes what is still in flight after TESSERA_SHUTDOWN_TIMEOUT_SECONDS, says so in one line and exits 1', async () => {
    const { server, port, exited } = await serve({ TESSERA_SHUTDOWN_TIMEOUT_SECONDS: '1' });
    const stuck = await RawConnection.open(port);
    stuck.send('GET /healthz HTTP/1.1\r\nHost: tessera\r\n');
    await new Promise((r) => setTimeout(r, 200));
    const signalled = Date.now();
    server.child.kill('SIGTERM');
    expect(await exited).toBe(1);
    const ms = Date.now() - signalled;
    expect(ms).toBeGreaterThanOrEqual(1000);
    expect(ms).toBeLessThan(4000);
    await stuck.closed;
    const lines = server.output().split('\n').filter((line) => line.includes('still in flight'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 50,
      msg: 'shutdown: requests still in flight after 1 s (TESSERA_SHUTDOWN_TIMEOUT_SECONDS); closing their connections',
    });
  }, 60_000);
});

describe('tessera serve starting', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  /**
   * A TCP server of the test's own, closed at the end with every connection it holds (a socket left
   * open would keep close() waiting for ever): `onSocket` decides what each connection gets.
   */
  async function tcpServer(onSocket: (socket: Socket) => void, port = 0): Promise<number> {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      onSocket(socket);
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    });
    return (server.address() as { port: number }).port;
  }

  async function dataDir(): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'tessera-start-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  /** `tessera serve`'s environment against the PostgreSQL at `databaseUrl`, waiting for it `waitSeconds`. */
  async function serveEnv(databaseUrl: string, waitSeconds: number): Promise<Record<string, string>> {
    return {
      DATABASE_URL: databaseUrl,
      TESSERA_STORE_CONNECT_TIMEOUT_SECONDS: String(waitSeconds),
      TESSERA_DATA_DIR: await dataDir(),
      TESSERA_MASTER_KEY: randomBytes(32).toString('base64'),
      PORT: String(await freePort()),
      REDIS_URL: '',
    };
  }

  it('retries an unreachable PostgreSQL for TESSERA_STORE_CONNECT_TIMEOUT_SECONDS, then exits 1 with one line naming the host, never the password', async () => {
    const port = await freePort();
    const started = Date.now();
    const result = await tessera(['serve'], { ...(await serveEnv(`postgres://tessera:Pa55-of-the-db@127.0.0.1:${port}/tessera`, 2)), LOG_LEVEL: 'info' });
    const ms = Date.now() - started;
    expect(result.code).toBe(1);
    expect(ms).toBeGreaterThanOrEqual(2000);
    expect(ms).toBeLessThan(10_000);
    const output = result.stdout + result.stderr;
    expect(output).not.toContain('Pa55-of-the-db');
    const lines = output.trim().split('\n').map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(lines.map(({ level, msg }) => ({ level, msg }))).toEqual([
      { level: 40, msg: `PostgreSQL at postgres://127.0.0.1:${port}/tessera does not answer (connect ECONNREFUSED 127.0.0.1:${port}); retrying for up to 2 s` },
      {
        level: 60,
        msg: `Tessera could not start: PostgreSQL at postgres://127.0.0.1:${port}/tessera did not answer within 2 s (connect ECONNREFUSED 127.0.0.1:${port}). Check DATABASE_URL and that PostgreSQL is running; TESSERA_STORE_CONNECT_TIMEOUT_SECONDS sets the wait.`,
      },
    ]);
  }, 30_000);

  it('gives up on a PostgreSQL that accepts connections but never answers, with exit 1', async () => {
    // Accepts connections and never answers.
    const port = await tcpServer(() => {});
    const started = Date.now();
    const result = await tessera(['serve'], await serveEnv(`postgres://tessera:Pa55-of-the-db@127.0.0.1:${port}/tessera`, 2));
    expect(result.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(JSON.parse(result.stdout.trim().split('\n').at(-1)!)).toMatchObject({
      level: 60,
      msg: `Tessera could not start: PostgreSQL at postgres://127.0.0.1:${port}/tessera did not answer within 2 s (no answer). Check DATABASE_URL and that PostgreSQL is running; TESSERA_STORE_CONNECT_TIMEOUT_SECONDS sets the wait.`,
    });
  }, 30_000);

  it.skipIf(skipReason('postgres'))('starts once PostgreSQL answers within the wait', async () => {
    const database = await createPostgresDatabase();
    cleanups.push(database.drop);
    const target = new URL(database.url);
    const port = await freePort();
    // PostgreSQL "comes up" on `port` a second after the server first tried it: a proxy to the test
    // PostgreSQL that drops connections until then.
    let up = false;
    await tcpServer((socket) => {
      if (!up) {
        setTimeout(() => (up = true), 1000);
        return socket.destroy();
      }
      const upstream = connect(Number(target.port || 5432), target.hostname);
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    }, port);
    const url = new URL(database.url);
    url.host = `127.0.0.1:${port}`;
    const server = await startServer(await serveEnv(url.toString(), 20));
    cleanups.push(server.stop);
    const ready = await fetch(`${server.url}/readyz`);
    expect({ status: ready.status, body: await ready.json() }).toEqual({ status: 200, body: { status: 'ready', store: 'ok', redis: 'not configured' } });
    // The driver says the dropped connection one of two ways, depending on which it sees first.
    expect(server.output()).toMatch(
      new RegExp(`PostgreSQL at postgres://127\\.0\\.0\\.1:${port}${target.pathname} does not answer \\((Connection terminated unexpectedly|read ECONNRESET)\\); retrying for up to 20 s`),
    );
  }, 60_000);

  /**
   * Two servers for what is said at start, which the next two tests read: one whose public URL is plain
   * http on a host other than loopback and which sends mail through an SMTP server, one on loopback with
   * the outbox. Started once, by whichever of the two runs first: each start is a Node process loading
   * the whole server.
   */
  let speakers: Promise<{ exposed: Awaited<ReturnType<typeof startServer>>; local: Awaited<ReturnType<typeof startServer>>; dataDir: string }> | undefined;
  function startSpeakers(): NonNullable<typeof speakers> {
    speakers ??= (async () => {
      const common = { TESSERA_DATA_DIR: await dataDir(), TESSERA_MASTER_KEY: randomBytes(32).toString('base64'), DATABASE_URL: '', REDIS_URL: '', LOG_LEVEL: 'info' };
      const exposed = await startServer({
        ...common,
        PORT: String(await freePort()),
        TESSERA_PUBLIC_URL: 'http://tessera.example.com',
        TESSERA_SMTP_URL: 'smtp://mailer:pw-never-logged@127.0.0.1:2525',
      });
      cleanups.push(exposed.stop);
      const local = await startServer({ ...common, PORT: String(await freePort()) });
      cleanups.push(local.stop);
      return { exposed, local, dataDir: common.TESSERA_DATA_DIR };
    })();
    return speakers;
  }

  it('warns at start when the public URL is plain http on a host other than loopback, and not on loopback', async () => {
    const { exposed, local } = await startSpeakers();
    const warnings = exposed.output().split('\n').filter((line) => line.includes('TESSERA_PUBLIC_URL is'));
    expect(warnings.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({
        level: 40,
        msg: 'TESSERA_PUBLIC_URL is http://tessera.example.com: plain http on a host other than loopback sends credentials and tokens in clear. Terminate TLS at a proxy and set TESSERA_PUBLIC_URL to its https:// URL (docs/deploy.md).',
      }),
    ]);
    expect(local.output()).not.toContain('TESSERA_PUBLIC_URL is');
  }, 60_000);

  it('says once at start which mail channel it uses: the outbox folder, or the SMTP server without its credentials', async () => {
    const { exposed: smtp, local: outbox, dataDir: folder } = await startSpeakers();
    const mailLines = async (server: typeof outbox) => {
      await expect.poll(() => server.output(), { timeout: 20_000 }).toContain('Tessera is ready');
      return server.output().split('\n').filter((line) => line.includes('"msg":"mail: ')).map((line) => JSON.parse(line) as { mail: string; msg: string });
    };
    expect((await mailLines(outbox)).map(({ mail, msg }) => ({ mail, msg }))).toStrictEqual([
      { mail: path.join(folder, 'outbox'), msg: 'mail: TESSERA_SMTP_URL is not set, so sign-up links are written to this outbox folder: `npx tessera mail` prints the newest' },
    ]);
    expect((await mailLines(smtp)).map(({ mail, msg }) => ({ mail, msg }))).toStrictEqual([{ mail: 'smtp://127.0.0.1:2525', msg: 'mail: sent through this SMTP server (TESSERA_SMTP_URL)' }]);
    expect(smtp.output()).not.toContain('pw-never-logged');
  }, 60_000);
});
