import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PrometheusMetrics } from '../../src/metrics/prometheus-metrics.js';

/** The lines of one metric family in an exposition. */
function family(text: string, name: string): string {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}_`) || line.startsWith(`${name}{`) || line.startsWith(`${name} `) || line.endsWith(` ${name} counter`) || line.includes(` ${name} `))
    .join('\n');
}

describe('PrometheusMetrics', () => {
  it("writes the requests and their latency exactly as prom-client's own counter and histogram would", async () => {
    const metrics = new PrometheusMetrics({ grantTypes: [] });
    const registry = new Registry();
    const latency = new Histogram({
      name: 'tessera_http_request_duration_seconds',
      help: 'Time from receiving a request to sending its answer, by method and route pattern.',
      labelNames: ['method', 'route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    const requests = new Counter({
      name: 'tessera_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status_code'],
      registers: [registry],
    });
    // Bounds themselves (≤ goes in), between bounds, above the last, zero.
    const answers: Array<[string, string, number, number]> = [
      ['GET', '/raas/v2/whoami', 200, 0.0005],
      ['GET', '/raas/v2/whoami', 200, 0.0007],
      ['GET', '/raas/v2/whoami', 401, 0.003],
      ['POST', '/oauth/token', 200, 0.004],
      ['POST', '/oauth/token', 400, 12],
      ['GET', 'unmatched', 404, 0],
      ['GET', '/raas/v2/whoami', 200, 10],
    ];
    for (const [method, route, status, seconds] of answers) {
      metrics.httpRequest(method, route, status, seconds);
      latency.observe({ method, route }, seconds);
      requests.inc({ method, route, status_code: status });
    }
    const ours = (await metrics.exposition()).body;
    const theirs = await registry.metrics();
    for (const name of ['tessera_http_request_duration_seconds', 'tessera_http_requests_total']) {
      const expected = family(theirs, name);
      expect(expected.split('\n').length).toBeGreaterThan(4);
      expect(family(ours, name)).toBe(expected);
    }
    expect(ours).toContain('tessera_http_request_duration_seconds_bucket{le="0.0005",method="GET",route="/raas/v2/whoami"} 1\n');
    expect(ours).toContain('tessera_http_request_duration_seconds_bucket{le="+Inf",method="POST",route="/oauth/token"} 2\n');
    expect(ours).toContain('tessera_http_request_duration_seconds_sum{method="POST",route="/oauth/token"} 12.004\n');
  });
});
