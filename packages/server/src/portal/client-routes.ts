import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { tokenPolicyInForce } from '../config/token-policy-in-force.js';
import { listAudiences } from '../credentials/audiences.js';
import { listApis } from '../credentials/protected-apis.js';
import { clearClientLimits, clientLimits, limitsInForce, setClientLimits } from '../credentials/client-token-limits.js';
import { type ClientView as ClientRecord, createClient, deleteClient, listClients, resetClientQuota, setClientStatus } from '../credentials/oauth-clients.js';
import { MAX_ACTIVE_CLIENTS } from '../store/oauth-clients.js';
import { actorOf, sessionOf } from './access.js';
import type { PortalDeps } from './portal-deps.js';
import { AudienceList, ClientLimits, ClientLimitsBody, ClientList, ClientView, ID, NewClient, NewClientBody, NO_CONTENT } from './contract/index.js';
import { clientLimitsView, clientView, newClientView } from './views.js';

/**
 * The platform's OAuth client credentials, through the credentials domain. Every action by id passes
 * the session's platform as the scope: another platform's client is a 404, like a missing one.
 */
export async function clientRoutes(app: FastifyInstance, { deps }: { deps: PortalDeps }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const params = { params: Type.Object({ clientId: ID }) };
  const scopeOf = (request: Parameters<typeof sessionOf>[0]) => ({ platformId: sessionOf(request).platform.id });

  // A client's view with the token limits in force for it (its own, or the default).
  const withLimits = async (client: ClientRecord) => clientView(client, await clientLimits(deps, client.client_id));

  api.get('/oauth-clients', { config: { access: {} }, schema: { response: { 200: ClientList } } }, async (request) => {
    const { platform } = sessionOf(request);
    const [clients, own] = await Promise.all([listClients(deps, platform.name), deps.clientTokenLimits.listByPlatform(platform.id)]);
    return {
      clients: clients.map((client) => clientView(client, limitsInForce(own.get(client.client_id), deps.config))),
      maxActive: MAX_ACTIVE_CLIENTS,
      // The policy in force, which the page says in words (issue 22): the metadata's reading of it.
      tokenPolicy: tokenPolicyInForce(deps.config),
    };
  });

  api.post(
    '/oauth-clients',
    {
      config: { access: { admin: { what: 'generate client credentials' }, recentAuth: true } },
      schema: { body: NewClientBody, response: { 201: NewClient } },
    },
    async (request, reply) => {
      const created = await createClient(deps, sessionOf(request).platform.name, request.body.name, actorOf(request));
      return reply.code(201).send(newClientView(created));
    },
  );

  for (const [verb, status] of [
    ['activate', 'active'],
    ['deactivate', 'inactive'],
  ] as const) {
    api.post(`/oauth-clients/:clientId/${verb}`, { config: { access: { admin: { what: `${verb} client credentials` } } }, schema: { ...params, response: { 200: ClientView } } }, async (request) =>
      withLimits(await setClientStatus(deps, request.params.clientId, status, actorOf(request), scopeOf(request))),
    );
  }

  api.post(
    '/oauth-clients/:clientId/reset-quota',
    { config: { access: { admin: { what: 'reset the quota of client credentials' } } }, schema: { ...params, response: { 200: ClientView } } },
    async (request) => withLimits(await resetClientQuota(deps, request.params.clientId, actorOf(request), scopeOf(request))),
  );

  // A client's own token limits per hour and per day (issue 22): set or cleared by admins, audited
  // (client_limits_changed); every member sees them in the list. Clearing answers the default now in force.
  api.put(
    '/oauth-clients/:clientId/limits',
    { config: { access: { admin: { what: 'set the token limits of client credentials' } } }, schema: { ...params, body: ClientLimitsBody, response: { 200: ClientLimits } } },
    async (request) => {
      const { perHour, perDay, mode } = request.body;
      return clientLimitsView(await setClientLimits(deps, request.params.clientId, { per_hour: perHour, per_day: perDay, mode }, actorOf(request), scopeOf(request)));
    },
  );

  api.delete(
    '/oauth-clients/:clientId/limits',
    { config: { access: { admin: { what: 'clear the token limits of client credentials' } } }, schema: { ...params, response: { 200: ClientLimits } } },
    async (request) => clientLimitsView(await clearClientLimits(deps, request.params.clientId, actorOf(request), scopeOf(request))),
  );

  // The audiences tokens may be issued for, with their lifetimes (issue 22), and the protected APIs among
  // them with where they answer and who may call them (issue 23): read-only, to every member.
  api.get('/audiences', { config: { access: {} }, schema: { response: { 200: AudienceList } } }, async () => {
    const [audiences, apis] = await Promise.all([listAudiences(deps), listApis(deps)]);
    const apiOf = new Map(apis.map((a) => [a.audience, a]));
    return {
      audiences: audiences.map((audience) => {
        const routed = apiOf.get(audience.audience);
        return {
          url: audience.audience,
          ttlSeconds: audience.ttl_seconds,
          default: audience.default,
          api: routed ? { host: routed.host, pathPrefix: routed.path_prefix, platforms: routed.platforms, credentialKinds: routed.credential_kinds } : null,
        };
      }),
    };
  });

  api.delete('/oauth-clients/:clientId', { config: { access: { admin: { what: 'delete client credentials' } } }, schema: { ...params, response: { 204: NO_CONTENT } } }, async (request, reply) => {
    await deleteClient(deps, request.params.clientId, actorOf(request), scopeOf(request));
    return reply.code(204).send(null);
  });
}
