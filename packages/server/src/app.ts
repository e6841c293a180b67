import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Config } from './config.js';
import { oauthRoutes } from './oauth/routes.js';
import { RAAS_PREFIX, raasRoutes } from './raas/routes.js';
import type { Services } from './services.js';

export interface AppOptions {
  /** A pino logger configuration or instance; defaults to the configured level. */
  logger?: FastifyServerOptions['logger'] | FastifyServerOptions['loggerInstance'];
}

/** Builds the HTTP app on opened services, without listening: tests use `inject()` or `listen({ port: 0 })`. */
export async function buildApp(config: Config, services: Services, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: (options.logger as FastifyServerOptions['logger']) ?? {
      level: config.logLevel,
      // Paths only: a query string may carry a token, and headers carry credentials.
      serializers: { req: (req) => ({ method: req.method, url: req.url.split('?')[0], remoteAddress: req.ip }) },
    },
    genReqId: () => randomUUID(),
    trustProxy: config.trustProxy,
    bodyLimit: config.bodyLimitBytes,
    return503OnClosing: true,
  });

  // The path only: a query string may hold a token.
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}` }),
  );
  app.get('/healthz', async () => ({ status: 'ok' }));
  await app.register(oauthRoutes, { services });
  await app.register(raasRoutes, { services, prefix: RAAS_PREFIX });
  return app;
}
