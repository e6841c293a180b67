import type { FastifyInstance } from 'fastify';
import type { PrometheusMetrics } from './prometheus-metrics.js';

const METRICS_PATH = '/metrics';

/** `GET /metrics`: the Prometheus text exposition format, for a scraper; no credentials. */
export function metricsRoute(app: FastifyInstance, metrics: PrometheusMetrics): void {
  app.get(METRICS_PATH, { schema: { hide: true } }, async (_request, reply) => {
    const { contentType, body } = await metrics.exposition();
    return reply.type(contentType).header('Cache-Control', 'no-store').send(body);
  });
}
