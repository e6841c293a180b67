import { randomUUID } from 'node:crypto';
import { lazyChildLogger } from './log/lazy-request-logger.js';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { type Config, RAAS_PREFIX } from './config/config.js';
import { consoleRoutes } from './console/routes.js';
import { retryAfter, TesseraError } from './errors/tessera-error.js';
import { forwardAuthEndpoint } from './forward-auth/forward-auth-endpoint.js';
import { healthRoutes } from './health/routes.js';
import { limitConnections } from './http/connection-limits.js';
import { isServerFault, saysWhenToComeBack, statusOfCode } from './http/status-of-code.js';
import { lazySerializers } from './log/lazy-serializers.js';
import { logOptions } from './log/log-options.js';
import { recordHttpMetrics } from './metrics/http-metrics.js';
import { metricsRoute } from './metrics/metrics-route.js';
import { auditKeyEndpoint } from './oauth/audit-key-endpoint.js';
import { oauthRoutes } from './oauth/routes.js';
import { defaultPortalDist } from './portal/portal-dist.js';
import { portalSite } from './portal/portal-site.js';
import { sendRaasError } from './raas/error-handler.js';
import { raasRoutes } from './raas/routes.js';
import type { Services } from './services.js';

export interface AppOptions {
  /** false for none, or pino options (a level, a stream) laid over the production ones; defaults to the configured level. */
  logger?: false | { level?: string; stream?: NodeJS.WritableStream | { write(chunk: string): void } };
  /** The built portal (index.html and assets/) served at `/`; defaults to packages/portal/dist. */
  portalDist?: string;
}

/** Builds the HTTP app on opened services, without listening: tests use `inject()` or `listen({ port: 0 })`. */
export async function buildApp(config: Config, services: Services, options: AppOptions = {}): Promise<FastifyInstance> {
  // Node refuses a headersTimeout longer than requestTimeout.
  const headersTimeoutMs = Math.min(config.headersTimeoutSeconds, config.requestTimeoutSeconds) * 1000;
  const app = Fastify({
    // The production options always (redaction, serializers); a caller may change level and stream.
    logger: options.logger === false ? false : ({ ...logOptions(config.logLevel), ...options.logger } as FastifyServerOptions['logger']),
    genReqId: () => randomUUID(),
    // A request's logger made on its first line only (lazy-request-logger.ts says why).
    childLoggerFactory: lazyChildLogger,
    // Response serializers compiled when first used, not all at start-up (lazy-serializers.ts says why).
    schemaController: { compilersFactory: { buildSerializer: lazySerializers } },
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
      // A connection that sends nothing, or half a head, is cut (408) after headersTimeout: it cannot
      // hold a place of the connection cap for longer.
      headersTimeout: headersTimeoutMs,
      // Node checks for late requests on this interval (30 s by default): often enough that the cut
      // comes within a quarter of the shorter timeout after it.
      connectionsCheckingInterval: Math.min(30_000, Math.max(250, headersTimeoutMs / 4)),
    },
    // Off, so that during a shutdown a request on an open connection is still answered (with
    // `Connection: close`, health/routes.ts) and /readyz says `shutting_down`, not Fastify's bare 503.
    return503OnClosing: false,
    frameworkErrors: sendFrameworkError(services.now),
    // Above the longest identifier (100), so a too-long one gets the schema's field error, not a 414.
    routerOptions: { maxParamLength: 256 },
  });

  // The global cap, and each address's share of it, so that one address cannot lock everyone out.
  limitConnections(
    app.server,
    { maxConnections: config.maxConnections, perAddress: config.maxConnectionsPerAddress, exempt: config.trustProxy || [] },
    { log: app.log, refused: (reason) => services.exporter?.connectionRefused(reason) },
  );

  // The path only: a query string may hold a token.
  app.setNotFoundHandler((request, reply) => sendPlainError(reply, 404, 'not_found', `No route ${request.method} ${request.url.split('?')[0]}`));
  // Paths outside the APIs (whose plugins map their own errors): a body Fastify cannot read, or anything
  // unexpected, in the same plain shape, never the parser's message (it can quote the body).
  app.setErrorHandler((error: FastifyError | TesseraError, request, reply) => {
    if (error instanceof TesseraError) {
      // The domain's own status (http/status-of-code.ts); a 429 or 503 says when to come back.
      const status = statusOfCode(error.code);
      if (!isServerFault(status)) {
        if (error.code === 'unavailable') request.log.warn({ err: error.cause }, 'request failed: the store is unavailable');
        return sendPlainError(saysWhenToComeBack(status) ? reply.headers(retryAfter(error)) : reply, status, error.code, error.message);
      }
    }
    const status = (error as FastifyError).statusCode;
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
  await app.register(healthRoutes, { readiness: services.readiness });
  await app.register(auditKeyEndpoint, { deps: services });
  await app.register(oauthRoutes, { services });
  await app.register(raasRoutes, { services, prefix: RAAS_PREFIX });
  await app.register(forwardAuthEndpoint, { deps: services });
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
