import { connect, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { startDeployment } from './support/bootstrap.js';
import type { TestEnvironment } from './support/services.js';

/** Fastify's answer to a request that did not arrive within requestTimeout. */
const TIMEOUT_RESPONSE = '{"error":"Request Timeout","message":"Client Timeout","statusCode":408}';

/** A client that announces a 60,000-byte token request and sends one byte of it every `everyMs`. */
function slowClient(port: number, everyMs: number): { socket: Socket; received: () => string; closed: Promise<void>; isClosed: () => boolean } {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  let closed = false;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => {});
  socket.write('POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 60000\r\n\r\ng');
  const drip = setInterval(() => socket.write('g'), everyMs);
  const done = new Promise<void>((resolve) =>
    socket.on('close', () => {
      closed = true;
      clearInterval(drip);
      resolve();
    }),
  );
  return { socket, received: () => received, closed: done, isClosed: () => closed };
}

function openConnections(app: FastifyInstance): Promise<number> {
  return new Promise((resolve, reject) => app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

/** Resolves with `promise`, or rejects after `ms` of real time (a bound for a slow machine, not a measure). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms))),
  ]);
}

describe('slow clients', { timeout: 120_000 }, () => {
  let env: TestEnvironment | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await env?.close();
  });

  it('a body trickling in is cut after TESSERA_REQUEST_TIMEOUT with 408, and the connection closed', async () => {
    let app: FastifyInstance;
    ({ env, app } = await startDeployment({ config: { requestTimeoutSeconds: 1 } }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const client = slowClient((app.server.address() as { port: number }).port, 200);
    sockets.push(client.socket);
    // Cut after 1 s (plus Node's check interval); 60 s is only a bound that a slow machine passes.
    await within(client.closed, 60_000, 'the slow request was not cut');
    const [head, body] = client.received().split('\r\n\r\n');
    expect(head!.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    expect(body).toBe(TIMEOUT_RESPONSE);
  });

  it('200 slow connections do not keep other clients waiting', async () => {
    // A timeout long enough that the slow connections are all still held while the others are served;
    // no share per address, as every client here is 127.0.0.1 (http/connection-limits.test.ts tests the share).
    let app: FastifyInstance;
    ({ env, app } = await startDeployment({ config: { requestTimeoutSeconds: 60, maxConnectionsPerAddress: 0 } }));
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    const slow = Array.from({ length: 200 }, () => slowClient(port, 1000));
    sockets.push(...slow.map((s) => s.socket));
    await within(
      (async () => {
        while ((await openConnections(app)) < 200) await new Promise((r) => setTimeout(r, 20));
      })(),
      60_000,
      'the slow connections did not open',
    );
    const others = await Promise.all(Array.from({ length: 20 }, () => fetch(`${address}/healthz`).then(async (r) => ({ status: r.status, body: await r.json() }))));
    expect(others).toEqual(Array(20).fill({ status: 200, body: { status: 'ok' } }));
    // Served while every slow connection was still open and unanswered.
    expect(slow.filter((s) => s.isClosed() || s.received() !== '')).toEqual([]);
  });

  it('connections beyond TESSERA_MAX_CONNECTIONS are closed at once; a freed place is taken again', async () => {
    let app: FastifyInstance;
    ({ env, app } = await startDeployment({ config: { maxConnections: 5 } }));
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    const slow = Array.from({ length: 5 }, () => slowClient(port, 1000));
    sockets.push(...slow.map((s) => s.socket));
    await within(
      (async () => {
        while ((await openConnections(app)) < 5) await new Promise((r) => setTimeout(r, 20));
      })(),
      60_000,
      'the slow connections did not open',
    );
    await expect(fetch(`${address}/healthz`)).rejects.toThrow('fetch failed');
    slow[0]!.socket.destroy();
    await slow[0]!.closed;
    await within(
      (async () => {
        while ((await openConnections(app)) >= 5) await new Promise((r) => setTimeout(r, 20));
      })(),
      60_000,
      'the server did not see the connection close',
    );
    expect((await fetch(`${address}/healthz`)).status).toBe(200);
  });
});
