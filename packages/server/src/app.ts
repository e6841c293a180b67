import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { type Config, RAAS_PREFIX } from './config.js';
import { consoleRoutes } from './console/routes.js';
import { recordHttpMetrics } from './metrics/http-metrics.js';
import { metricsRoute } from './metrics/metrics-route.js';
import { oauthRoutes } from './oauth/routes.js';
import { defaultPortalDist } from './portal/portal-dist.js';
import { portalSite } from './portal/portal-site.js';
import { sendRaasError } from './raas/error-handler.js';
import { raasRoutes } from './raas/routes.js';
import type { Services } from './services.js';

export interface AppOptions {
  /** A pino logger configuration or instance; defaults to the configured level. */
  logger?: FastifyServerOptions['logger'] | FastifyServerOptions['loggerInstance'];
  /** The built portal (index.html and assets/) served at `/`; defaults to packages/portal/dist. */
  portalDist?: string;
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
    // Slow clients (a body trickling in byte by byte) must not hold connections open for ever: the
    // whole request within requestTimeout (else 408), no silence longer than connectionTimeout, idle
    // keep-alive connections closed, and a cap on connections (below).
    requestTimeout: config.requestTimeoutSeconds * 1000,
    connectionTimeout: config.connectionTimeoutSeconds * 1000,
    keepAliveTimeout: config.keepAliveTimeoutSeconds * 1000,
    maxRequestsPerSocket: config.maxRequestsPerSocket,
    http: {
      requestTimeout: config.requestTimeoutSeconds * 1000,
      headersTimeout: Math.min(60_000, config.requestTimeoutSeconds * 1000),
      // Node checks for late requests on this interval (30 s by default): often enough that the cut
      // comes within a quarter of the timeout after it.
      connectionsCheckingInterval: Math.min(30_000, Math.max(250, (config.requestTimeoutSeconds * 1000) / 4)),
    },
    return503OnClosing: true,
    frameworkErrors: sendFrameworkError(services.now),
    // Above the longest identifier (100), so a too-long one gets the schema's field error, not a 414.
    routerOptions: { maxParamLength: 256 },
  });

  app.server.maxConnections = config.maxConnections;

  // The path only: a query string may hold a token.
  app.setNotFoundHandler((request, reply) => sendPlainError(reply, 404, 'not_found', `No route ${request.method} ${request.url.split('?')[0]}`));
  // Paths outside the APIs (whose plugins map their own errors): a body Fastify cannot read, or anything
  // unexpected, in the same plain shape, never the parser's message (it can quote the body).
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode;
    if (status !== undefined && status >= 400 && status < 500) return sendPlainError(reply, status, 'bad_request', 'The request could not be read');
    request.log.error({ err: error }, 'request failed');
    return sendPlainError(reply, 500, 'internal_error', 'An unexpected error occurred');
  });
  // Before the routes, so that every one is counted; /metrics here unless it has an address of its own.
  if (services.exporter) {
    recordHttpMetrics(app, services.exporter);
    if (!config.metricsListen) metricsRoute(app, services.exporter);
  }
  // First: the OpenAPI document is built from the routes registered after it.
  await app.register(consoleRoutes, { config });
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  await app.register(oauthRoutes, { services });
  await app.register(raasRoutes, { services, prefix: RAAS_PREFIX });
  await app.register(portalSite, { deps: services, dist: options.portalDist ?? defaultPortalDist() });
  return app;
}

/** What Fastify refuses before routing, said without echoing the URL. */
const FRAMEWORK_MESSAGES: Record<string, string> = {
  FST_ERR_BAD_URL: 'The URL path is not valid: it holds a malformed percent-encoding',
  FST_ERR_MAX_PARAM_LENGTH: 'A path segment of the URL is too long',
};

/**
 * Errors Fastify raises before a route is found (a malformed URL, an over-long path segment) skip the
 * routes' handlers and hooks: under /raas/v2 they still get Tango's envelope and X-REQUEST-ID.
 */
function sendFrameworkError(now: () => number) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
    const message = FRAMEWORK_MESSAGES[error.code] ?? 'The request is not valid';
    if (request.url === RAAS_PREFIX || request.url.startsWith(`${RAAS_PREFIX}/`)) {
      return sendRaasError(request, reply, now(), { status, message, i18nKey: 'error.badRequest' });
    }
    return sendPlainError(reply, status, 'bad_request', message);
  };
}

/** The one shape of errors on paths outside the OAuth endpoints and /raas/v2: `{error, message}`. */
function sendPlainError(reply: FastifyReply, status: number, error: string, message: string): FastifyReply {
  return reply.code(status).send({ error, message });
}
