import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { createClient, deleteClient, listClients, resetClientQuota, setClientStatus } from '../credentials/oauth-clients.js';
import { MAX_ACTIVE_CLIENTS } from '../store/oauth-clients.js';
import { actorOf, sessionOf } from './access.js';
import type { PortalDeps } from './portal-deps.js';
import { ID, TEXT } from './views.js';

/**
 * The platform's OAuth client credentials, through the credentials domain. Every action by id passes
 * the session's platform as the scope: another platform's client is a 404, like a missing one.
 */
export async function clientRoutes(app: FastifyInstance, { deps }: { deps: PortalDeps }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const params = { params: Type.Object({ clientId: ID }) };
  const scopeOf = (request: Parameters<typeof sessionOf>[0]) => ({ platformId: sessionOf(request).platform.id });

  api.get('/oauth-clients', { config: { access: {} } }, async (request) => ({
    clients: await listClients(deps, sessionOf(request).platform.name),
    maxActive: MAX_ACTIVE_CLIENTS,
  }));

  api.post(
    '/oauth-clients',
    {
      config: { access: { admin: { what: 'generate client credentials' }, recentAuth: true } },
      schema: { body: Type.Object({ name: Type.Optional(TEXT(100)) }, { additionalProperties: false }) },
    },
    async (request, reply) => {
      const created = await createClient(deps, sessionOf(request).platform.name, request.body.name, actorOf(request));
      return reply.code(201).send(created);
    },
  );

  for (const [verb, status] of [
    ['activate', 'active'],
    ['deactivate', 'inactive'],
  ] as const) {
    api.post(`/oauth-clients/:clientId/${verb}`, { config: { access: { admin: { what: `${verb} client credentials` } } }, schema: params }, async (request) =>
      setClientStatus(deps, request.params.clientId, status, actorOf(request), scopeOf(request)),
    );
  }

  api.post('/oauth-clients/:clientId/reset-quota', { config: { access: { admin: { what: 'reset the quota of client credentials' } } }, schema: params }, async (request) =>
    resetClientQuota(deps, request.params.clientId, actorOf(request), scopeOf(request)),
  );

  api.delete('/oauth-clients/:clientId', { config: { access: { admin: { what: 'delete client credentials' } } }, schema: params }, async (request, reply) => {
    await deleteClient(deps, request.params.clientId, actorOf(request), scopeOf(request));
    return reply.code(204).send();
  });
}
