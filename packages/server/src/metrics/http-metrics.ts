import type { FastifyInstance } from 'fastify';
import { type PrometheusMetrics, UNMATCHED_ROUTE } from './prometheus-metrics.js';

/**
 * Counts every answered request and its latency by the matched route's pattern
 * (`/raas/v2/customers/:customerIdentifier`), never the URL: ids and tokens in paths can neither leak
 * into labels nor grow their number. Added on the root before the routes, so every route has it.
 */
export function recordHttpMetrics(app: FastifyInstance, metrics: PrometheusMetrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    metrics.httpRequest(request.method, request.routeOptions.url ?? UNMATCHED_ROUTE, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}
