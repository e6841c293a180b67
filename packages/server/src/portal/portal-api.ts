import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { accessHook } from './access.js';
import { accountRoutes } from './account-routes.js';
import { apiKeyRoutes } from './api-key-routes.js';
import { auditRoutes } from './audit-routes.js';
import { clientRoutes } from './client-routes.js';
import { portalErrorHandler } from './error-handler.js';
import { orderRoutes } from './order-routes.js';
import type { PortalDeps } from './portal-deps.js';
import { sessionRoutes } from './session-routes.js';
import { userRoutes } from './user-routes.js';

/** Where the portal's JSON API lives (docs/portal-api.md). */
export const PORTAL_API_PREFIX = '/portal/api';

/**
 * The portal's JSON API: same-origin only (no CORS), every route behind the access hook (session,
 * CSRF, role, recent sign-in), every error `{error, message}`, no response ever cached.
 */
export async function portalApi(app: FastifyInstance, { deps }: { deps: PortalDeps }): Promise<void> {
  const cookie = deps.sessionCookie;
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  app.setErrorHandler(portalErrorHandler);
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}` }),
  );
  // JSON only (secure-json-parse refuses __proto__). A missing or empty body reads as `{}`, so actions
  // without one (activate, sign-out) work with or without the Content-Type a client library adds; a
  // route that needs fields says which by its schema.
  app.removeAllContentTypeParsers();
  const json = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: deps.config.bodyLimitBytes }, (request: FastifyRequest, body: string, done) =>
    body === '' ? done(null, {}) : json(request, body, done),
  );
  app.addHook('preValidation', async (request) => {
    request.body ??= {};
  });
  // Internal to the portal: none of its routes enters the public OpenAPI document (/openapi.json, the
  // console, the types integrators generate); docs/portal-api.md describes them.
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true };
  });
  app.decorateRequest('portalSession', null);
  app.addHook('onRequest', accessHook(deps, cookie, deps.config.publicUrl));
  // Sessions, CSRF tokens, secrets shown once: nothing here may be kept by a browser or a proxy (RFC 9111 §5.2.2.5).
  app.addHook('onSend', async (_request, reply) => {
    reply.header('Cache-Control', 'no-store');
  });

  await app.register(sessionRoutes, { deps, cookie });
  await app.register(userRoutes, { deps, cookie });
  await app.register(clientRoutes, { deps });
  await app.register(apiKeyRoutes, { deps });
  await app.register(auditRoutes, { deps });
  await app.register(accountRoutes, { deps });
  await app.register(orderRoutes, { deps });
}
