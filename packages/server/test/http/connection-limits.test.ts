import { connect, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.js';
import { connectionAddressKey } from '../../src/http/connection-limits.js';
import { startDeployment } from '../support/bootstrap.js';
import type { TestEnvironment } from '../support/services.js';

/** Fastify's answer to a connection whose request head did not arrive within headersTimeout. */
const TIMEOUT_RESPONSE = '{"error":"Request Timeout","message":"Client Timeout","statusCode":408}';

/** A raw TCP connection from `localAddress` (on Linux all of 127.0.0.0/8 is loopback): what it got, and when it closed. */
class Client {
  private data = '';
  private isClosed = false;
  readonly closed: Promise<void>;
  readonly connected: Promise<void>;

  constructor(
    port: number,
    localAddress: string,
    readonly socket: Socket = connect({ port, host: '127.0.0.1', localAddress }),
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (this.data += chunk));
    socket.on('error', () => {});
    this.connected = new Promise((resolve) => socket.once('connect', () => resolve()));
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.isClosed = true;
        resolve();
      }),
    );
  }

  get open(): boolean {
    return !this.isClosed;
  }

  get received(): string {
    return this.data;
  }
}

/** One GET over a connection of its own from `localAddress`: the status line and the body. */
async function get(port: number, localAddress: string, path: string, clients: Client[]): Promise<{ status: string; body: string }> {
  const client = new Client(port, localAddress);
  clients.push(client);
  client.socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  await within(client.closed, 30_000, `GET ${path} from ${localAddress} was not answered`);
  const [head = '', body = ''] = client.received.split('\r\n\r\n');
  return { status: head.split('\r\n')[0]!, body };
}

function openConnections(app: FastifyInstance): Promise<number> {
  return new Promise((resolve, reject) => app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

/** Waits until `check` holds, polling; 60 s is only a bound a slow machine passes, not a measure. */
async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  await within(
    (async () => {
      while (!(await check())) await new Promise((r) => setTimeout(r, 20));
    })(),
    60_000,
    what,
  );
}

/** Resolves with `promise`, or rejects after `ms` of real time (a bound for a slow machine, not a measure). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms))),
  ]);
}

/** The value of one sample of GET /metrics, asked over a connection from `localAddress`. */
async function metric(port: number, localAddress: string, line: string, clients: Client[]): Promise<string | undefined> {
  const { body } = await get(port, localAddress, '/metrics', clients);
  return body
    .split('\n')
    .find((l) => l.startsWith(`${line} `))
    ?.slice(line.length + 1);
}

describe('connection limits', { timeout: 120_000 }, () => {
  let env: TestEnvironment | undefined;
  const clients: Client[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.socket.destroy();
    await env?.close();
    env = undefined;
  });

  /** An app on a real port with `config`, and what it logged at warn and above. */
  async function listening(config: Partial<Config>): Promise<{ app: FastifyInstance; port: number; log: () => string }> {
    let written = '';
    let app: FastifyInstance;
    ({ env, app } = await startDeployment({ config, appOptions: { logger: { level: 'warn', stream: { write: (line: string) => void (written += line) } } } }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { app, port: (app.server.address() as { port: number }).port, log: () => written };
  }

  /** `count` idle connections from `localAddress`, each opened (or already refused) before the next. */
  async function idle(port: number, localAddress: string, count: number): Promise<Client[]> {
    const opened: Client[] = [];
    for (let i = 0; i < count; i++) {
      const client = new Client(port, localAddress);
      clients.push(client);
      opened.push(client);
      await within(Promise.race([client.connected, client.closed]), 30_000, 'an idle connection did not open');
    }
    return opened;
  }

  it('one address trying 1,000 idle connections holds only its share (TESSERA_MAX_CONNECTIONS_PER_ADDRESS, 100); another address is still served', async () => {
    // The default cap (1,000) and share (100); long timeouts, so that the idle connections are all
    // still held while the others ask, however slow the machine.
    const { app, port, log } = await listening({ headersTimeoutSeconds: 300, requestTimeoutSeconds: 300, connectionTimeoutSeconds: 300 });
    const held = await idle(port, '127.0.0.1', 100);
    await until(async () => (await openConnections(app)) === 100, 'the server did not see 100 connections');
    // Past its share: each is reset as soon as it is accepted, having sent and received nothing. One at
    // a time, so that the test holds few sockets at once.
    const refused: string[] = [];
    for (let i = 0; i < 900; i++) {
      const [excess] = await idle(port, '127.0.0.1', 1);
      await within(excess!.closed, 30_000, `connection ${101 + i} from one address was not closed`);
      refused.push(excess!.received);
      clients.pop();
    }
    expect(refused).toEqual(Array(900).fill(''));
    expect(held.filter((c) => !c.open)).toEqual([]);

    // Another address is served, while the first one still holds its share.
    expect(await get(port, '127.0.0.2', '/healthz', clients)).toEqual({ status: 'HTTP/1.1 200 OK', body: '{"status":"ok"}' });
    expect(held.filter((c) => !c.open)).toEqual([]);
    expect(await metric(port, '127.0.0.2', 'tessera_connections_refused_total{reason="address_share"}', clients)).toBe('900');
    expect(await metric(port, '127.0.0.2', 'tessera_connections_refused_total{reason="max_connections"}', clients)).toBe('0');

    // A place given back is the address's again.
    held[0]!.socket.destroy();
    await until(async () => (await openConnections(app)) === 99, 'the server did not see the connection close');
    expect(await get(port, '127.0.0.1', '/healthz', clients)).toEqual({ status: 'HTTP/1.1 200 OK', body: '{"status":"ok"}' });

    // One line for the 900 refusals (at most one a minute), naming the address and the setting.
    const lines = log()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { level: number; address?: string; refused?: number; msg: string });
    expect(lines.map(({ level, address, refused, msg }) => ({ level, address, refused, msg }))).toEqual([
      {
        level: 40,
        address: '127.0.0.1',
        refused: 1,
        msg: 'connection refused: 127.0.0.1 holds its share of 100 connections (TESSERA_MAX_CONNECTIONS_PER_ADDRESS); refusals are logged at most once a minute',
      },
    ]);
  });

  it("the addresses of TESSERA_TRUST_PROXY have no share: every client comes through the proxy's", async () => {
    const { app, port } = await listening({ maxConnectionsPerAddress: 2, trustProxy: ['127.0.0.3'], headersTimeoutSeconds: 300, requestTimeoutSeconds: 300, connectionTimeoutSeconds: 300 });
    const held = await idle(port, '127.0.0.3', 6);
    await until(async () => (await openConnections(app)) === 6, 'the server did not see 6 connections');
    expect(await get(port, '127.0.0.3', '/healthz', clients)).toEqual({ status: 'HTTP/1.1 200 OK', body: '{"status":"ok"}' });
    expect(held.map((c) => c.open)).toEqual(Array(6).fill(true));
  });

  it('the global TESSERA_MAX_CONNECTIONS still holds across addresses', async () => {
    const { app, port } = await listening({ maxConnections: 6, maxConnectionsPerAddress: 4, headersTimeoutSeconds: 300, requestTimeoutSeconds: 300, connectionTimeoutSeconds: 300 });
    const held = [...(await idle(port, '127.0.0.1', 4)), ...(await idle(port, '127.0.0.2', 2))];
    await until(async () => (await openConnections(app)) === 6, 'the server did not see 6 connections');
    const [late] = await idle(port, '127.0.0.4', 1);
    await within(late!.closed, 30_000, 'the connection past the global cap was not closed');
    expect(late!.received).toBe('');
    expect(held.map((c) => c.open)).toEqual(Array(6).fill(true));
    held[5]!.socket.destroy();
    await until(async () => (await openConnections(app)) === 5, 'the server did not see the connection close');
    expect(await metric(port, '127.0.0.4', 'tessera_connections_refused_total{reason="max_connections"}', clients)).toBe('1');
  });

  it('a connection that sends nothing, or half a head, is closed with 408 after TESSERA_HEADERS_TIMEOUT; an idle kept-alive one stays', async () => {
    // TESSERA_REQUEST_TIMEOUT long: only the head timeout (1 s, checked every 250 ms) can cut these.
    const { port } = await listening({ headersTimeoutSeconds: 1, requestTimeoutSeconds: 300, keepAliveTimeoutSeconds: 300, connectionTimeoutSeconds: 300 });
    const [keptAlive] = await idle(port, '127.0.0.1', 1);
    keptAlive!.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await until(() => keptAlive!.received.endsWith('{"status":"ok"}'), 'the kept-alive connection got no answer');
    const [silent, half] = await idle(port, '127.0.0.1', 2);
    half!.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    // Cut after about 1 s; 30 s is a bound a slow machine passes, and half of what an unchanged server takes (60 s).
    await within(Promise.all([silent!.closed, half!.closed]), 30_000, 'the connections without a complete head were not closed');
    for (const client of [silent!, half!]) {
      const [head = '', body] = client.received.split('\r\n\r\n');
      expect(head.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
      expect(body).toBe(TIMEOUT_RESPONSE);
    }
    // Between requests the keep-alive timeout applies, not the head's.
    expect(keptAlive!.open).toBe(true);
  });
});

describe('connectionAddressKey', () => {
  it('counts IPv4 addresses one by one, and IPv6 addresses by their /64', () => {
    expect(connectionAddressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(connectionAddressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(connectionAddressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(connectionAddressKey('2001:db8:1:2::9')).toBe('2001:db8:1:2::/64');
    expect(connectionAddressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(connectionAddressKey('2001:0db8:0000:0002:ffff::1')).toBe('2001:db8:0:2::/64');
    expect(connectionAddressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(connectionAddressKey('::1')).toBe('0:0:0:0::/64');
    expect(connectionAddressKey('64:ff9b::192.0.2.33')).toBe('64:ff9b:0:0::/64');
  });
});
