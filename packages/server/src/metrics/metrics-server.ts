import Fastify from 'fastify';
import { metricsRoute } from './metrics-route.js';
import type { PrometheusMetrics } from './prometheus-metrics.js';

export interface MetricsServer {
  /** `http://host:port`, as listened on. */
  url: string;
  close(): Promise<void>;
}

/**
 * /metrics alone on an address of its own (TESSERA_METRICS_LISTEN), e.g. a private interface that
 * only the scraper reaches, as Hydra's admin port or Keycloak's management port: the public port then
 * answers 404 for it. Anything else here is 404.
 */
export async function startMetricsServer(metrics: PrometheusMetrics, listen: { host: string; port: number }): Promise<MetricsServer> {
  const server = Fastify({ logger: false });
  server.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'not_found', message: 'Only GET /metrics is served here' }));
  metricsRoute(server, metrics);
  let url: string;
  try {
    url = await server.listen(listen);
  } catch (error) {
    await server.close();
    throw error;
  }
  return { url, close: () => server.close() };
}
