import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { copyApiKey, createApiKey, deleteApiKey, listApiKeys, revealApiKey, setApiKeyStatus } from '../credentials/api-keys.js';
import { MAX_ACTIVE_API_KEYS } from '../store/api-keys.js';
import { actorOf, sessionOf } from './access.js';
import type { PortalDeps } from './portal-deps.js';
import { ID } from './views.js';

/**
 * The platform's RaaS API keys, through the credentials domain. Every action by id passes the session's
 * platform as the scope: another platform's key is a 404, like a missing one.
 */
export async function apiKeyRoutes(app: FastifyInstance, { deps }: { deps: PortalDeps }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const params = { params: Type.Object({ id: ID }) };
  const scopeOf = (request: Parameters<typeof sessionOf>[0]) => ({ platformId: sessionOf(request).platform.id });

  api.get('/api-keys', { config: { access: {} } }, async (request) => {
    const { platform } = sessionOf(request);
    return { platformName: platform.name, keys: await listApiKeys(deps, platform.name), maxActive: MAX_ACTIVE_API_KEYS };
  });

  api.post('/api-keys', { config: { access: { admin: { what: 'generate API keys' }, recentAuth: true } } }, async (request, reply) => {
    const created = await createApiKey(deps, sessionOf(request).platform.name, actorOf(request));
    return reply.code(201).send(created);
  });

  api.post('/api-keys/:id/reveal', { config: { access: { admin: { what: 'reveal API keys' }, recentAuth: true } }, schema: params }, async (request) =>
    revealApiKey(deps, request.params.id, actorOf(request), scopeOf(request)),
  );

  // The same key for the copy icon, recorded as `copy`: the person put it on the clipboard without seeing it.
  api.post('/api-keys/:id/copy', { config: { access: { admin: { what: 'copy API keys' }, recentAuth: true } }, schema: params }, async (request) =>
    copyApiKey(deps, request.params.id, actorOf(request), scopeOf(request)),
  );

  for (const [verb, status] of [
    ['activate', 'active'],
    ['deactivate', 'inactive'],
  ] as const) {
    api.post(`/api-keys/:id/${verb}`, { config: { access: { admin: { what: `${verb} API keys` } } }, schema: params }, async (request) =>
      setApiKeyStatus(deps, request.params.id, status, actorOf(request), scopeOf(request)),
    );
  }

  api.delete('/api-keys/:id', { config: { access: { admin: { what: 'delete API keys' } } }, schema: params }, async (request, reply) => {
    await deleteApiKey(deps, request.params.id, actorOf(request), scopeOf(request));
    return reply.code(204).send();
  });
}
