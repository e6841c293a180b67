import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { ApiGuard } from '../auth/api-guard.js';
import { AuthError } from '../auth/auth-error.js';
import type { PresentedCredential } from '../auth/presented-credential.js';
import { hasCode } from '../errors/tessera-error.js';
import type { Metrics } from '../metrics/metrics.js';
import { credentialId, type Principal, principalOf } from '../auth/principal.js';
import { type CatalogDeps, catalogRoutes } from './catalogs.js';
import { type CustomerDeps, customerRoutes } from './customers.js';
import { emailTemplateRoutes } from './email-templates.js';
import type { EmailTemplateDeps } from '../email-templates/email-templates.js';
import { type FundingDeps, fundingRoutes } from './funding.js';
import { type OrderDeps, orderRoutes } from './orders.js';
import * as example from './examples.js';
import { ErrorEnvelope, raasErrorHandler, sendRaasError } from './error-handler.js';
import { errorResponses, GUARDED_ERRORS, RAAS_SECURITY } from './route-docs.js';


/** The methods of each path, for 405 and its Allow header (HEAD comes with GET). */
const PATHS: Record<string, string[]> = {
  '/status': ['GET'],
  '/whoami': ['GET'],
  '/customers': ['GET', 'POST'],
  '/customers/:customerIdentifier': ['GET'],
  '/customers/:customerIdentifier/accounts': ['GET', 'POST'],
  '/accounts': ['GET'],
  '/accounts/:accountIdentifier': ['GET'],
  '/catalogs': ['GET'],
  '/exchangerates': ['GET'],
  '/emailTemplates': ['GET', 'POST'],
  '/emailTemplates/:etid': ['GET', 'PATCH', 'DELETE'],
  '/creditCards': ['GET', 'POST'],
  '/creditCards/:token': ['GET'],
  '/creditCardUnregisters': ['POST'],
  '/creditCardDeposits': ['POST'],
  '/creditCardDeposits/:depositId': ['GET'],
  '/orders': ['GET', 'POST'],
  '/orders/:referenceOrderID': ['GET'],
  '/orders/:referenceOrderID/resends': ['POST'],
};
// GET too, for the paths that take POST only (POST /creditCardUnregisters): their GET and HEAD are 405 as well.
const OTHER_METHODS = ['DELETE', 'GET', 'PATCH', 'POST', 'PUT'];

const WhoAmI = Type.Object(
  {
    platformName: Type.String(),
    credentialType: Type.Union([Type.Literal('api_key'), Type.Literal('oauth_client')]),
    credentialId: Type.String({ description: 'The API key id (key_…) or the client id (cli_…)' }),
  },
  { description: 'Who the request authenticates as', examples: [example.WHOAMI] },
);

/**
 * The protected RaaS API, registered under RAAS_PREFIX (config.ts). Every route but /status sits behind the
 * one guard (Bearer or Basic); every response carries X-REQUEST-ID and every error Tango's envelope.
 * Routing comes first: an unknown path is 404 and a wrong method 405, with or without credentials.
 */
/** What the RaaS API uses: the guard (made by the composition root, services.ts), the customers, catalogs, funding and orders. */
export interface RaasDeps extends CustomerDeps, CatalogDeps, EmailTemplateDeps, FundingDeps, OrderDeps {
  apiGuard: Pick<ApiGuard, 'present' | 'cached' | 'authenticate'>;
  metrics: Pick<Metrics, 'authFailed'>;
  now: () => number;
}

export async function raasRoutes(app: FastifyInstance, { services }: { services: RaasDeps }): Promise<void> {
  const guard = services.apiGuard;

  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  // Shared, so that every route's error responses refer to it (the serializer and the OpenAPI document alike).
  app.addSchema(ErrorEnvelope);
  app.setErrorHandler(raasErrorHandler(services.now));
  app.setNotFoundHandler((request, reply) => {
    sendRaasError(request, reply, services.now(), {
      status: 404,
      message: `No such resource: ${request.method} ${request.url.split('?')[0]}`,
      i18nKey: 'error.notFound',
    });
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('X-REQUEST-ID', request.id);
    done(null, payload);
  });
  app.decorateRequest('principal', null);

  // Unauthenticated, for load balancers and as the baseline of bench/compare.js.
  app.get(
    '/status',
    {
      schema: {
        tags: ['Tessera'],
        operationId: 'getStatus',
        summary: 'Whether the API answers; no credentials needed.',
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('ok') }, { description: 'The API answers', examples: [example.STATUS_OK] }) },
      },
    },
    async () => ({ status: 'ok' }),
  );

  // Counted by the guard's reason (a fixed list), or throttled; anything else (the store away) is no refusal.
  const refused = (error: unknown): Error => {
    if (error instanceof AuthError) services.metrics.authFailed('api', error.failure);
    else if (hasCode(error, 'too_many_failures')) services.metrics.authFailed('api', 'throttled');
    return error as Error;
  };

  await app.register(async (api) => {
    // Callback style so a remembered credential costs no promise; anything else goes the async way.
    api.addHook('onRequest', (request, _reply, done) => {
      let presented: PresentedCredential;
      let principal: Principal | undefined;
      try {
        presented = guard.present(request);
        principal = guard.cached(presented);
      } catch (error) {
        return done(refused(error));
      }
      if (principal) {
        request.principal = principal;
        return done();
      }
      guard.authenticate(presented, request.ip).then((verified) => {
        request.principal = verified;
        done();
      }, (error: unknown) => done(refused(error)));
    });

    // Tessera's own: which platform and credential a request authenticates as.
    api.get(
      '/whoami',
      {
        schema: {
          tags: ['Tessera'],
          operationId: 'whoami',
          summary: 'The platform and the credential this request authenticates as.',
          security: RAAS_SECURITY,
          response: { 200: WhoAmI, ...errorResponses(...GUARDED_ERRORS) },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        return { platformName: principal.platformName, credentialType: principal.credential.type, credentialId: credentialId(principal) };
      },
    );

    await api.register(customerRoutes, { services });
    await api.register(catalogRoutes, { services });
    await api.register(emailTemplateRoutes, { services });
    await api.register(fundingRoutes, { services });
    await api.register(orderRoutes, { services });
  });

  for (const [url, methods] of Object.entries(PATHS)) {
    const allow = [...methods, ...(methods.includes('GET') ? ['HEAD'] : [])].join(', ');
    const others = OTHER_METHODS.filter((m) => !methods.includes(m));
    app.route({
      method: others,
      url,
      // The 405 answers are no operations of the API: the OpenAPI document leaves them out.
      schema: { hide: true },
      handler: async (request: FastifyRequest, reply: FastifyReply) =>
        sendRaasError(request, reply, services.now(), {
          status: 405,
          message: `The method ${request.method} is not allowed here: use ${methods.join(' or ')}`,
          i18nKey: 'error.methodNotAllowed',
          headers: { Allow: allow },
        }),
    });
  }
}
