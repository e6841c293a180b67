import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMetricsServer } from '../../src/metrics/metrics-server.js';
import { freePort } from '../support/listen.js';
import { startServer, tessera } from '../support/processes.js';
import { startDeployment } from '../support/bootstrap.js';
import type { TestEnvironment } from '../support/services.js';

async function waitForOk(url: string): Promise<Response> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.ok) return response;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('TESSERA_METRICS_LISTEN: /metrics on an address of its own', () => {
  let env: TestEnvironment;
  beforeAll(async () => {
    ({ env } = await startDeployment());
  });
  afterAll(async () => env?.close());

  it('serves /metrics only there; the public port answers 404 for it', async () => {
    const port = await freePort();
    const { app, services } = await env.app({ metricsListen: { host: '127.0.0.1', port } });
    const publicUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    const server = await startMetricsServer(services.exporter!, { host: '127.0.0.1', port });
    try {
      expect(server.url).toBe(`http://127.0.0.1:${port}`);
      const onPublic = await fetch(`${publicUrl}/metrics`);
      expect(onPublic.status).toBe(404);
      expect(await onPublic.json()).toStrictEqual({ error: 'not_found', message: 'No route GET /metrics' });

      expect((await fetch(`${publicUrl}/healthz`)).status).toBe(200);
      const scraped = await fetch(`${server.url}/metrics`);
      expect(scraped.status).toBe(200);
      expect(scraped.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const text = await scraped.text();
      expect(text).toContain('tessera_http_requests_total{method="GET",route="/healthz",status_code="200"} 1\n');
      // The refused scrape on the public port is counted there, as a request no route matched.
      expect(text).toContain('tessera_http_requests_total{method="GET",route="unmatched",status_code="404"} 1\n');

      const elsewhere = await fetch(`${server.url}/healthz`);
      expect(elsewhere.status).toBe(404);
      expect(await elsewhere.json()).toStrictEqual({ error: 'not_found', message: 'Only GET /metrics is served here' });
    } finally {
      await server.close();
    }
  });

  it('`tessera serve` starts the metrics listener, and says so when its address is taken', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'tessera-metrics-'));
    const [port, metricsPort] = [await freePort(), await freePort()];
    const env = { PORT: String(port), TESSERA_DATA_DIR: dataDir, TESSERA_MASTER_KEY: randomBytes(32).toString('base64'), TESSERA_METRICS_LISTEN: `127.0.0.1:${metricsPort}` };
    const server = await startServer(env);
    try {
      expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
      const text = await (await waitForOk(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(text).toMatch(/^# HELP /);
      expect(text).toContain('tessera_http_requests_total{method="GET",route="/healthz",status_code="200"}');
      expect(text).toContain('# TYPE process_resident_memory_bytes gauge\n');

      // A second instance on the same metrics address: one line naming it, exit 1.
      const second = await tessera(['serve'], { ...env, PORT: String(await freePort()), LOG_LEVEL: 'warn' });
      expect(second).toStrictEqual({
        code: 1,
        stdout: '',
        stderr: `Tessera could not listen on 127.0.0.1:${metricsPort} for metrics (EADDRINUSE). Set TESSERA_METRICS_LISTEN to another address.\n`,
      });
    } finally {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
