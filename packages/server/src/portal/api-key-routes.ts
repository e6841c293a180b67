import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { copyApiKey, createApiKey, deleteApiKey, listApiKeys, revealApiKey, setApiKeyStatus } from '../credentials/api-keys.js';
import { MAX_ACTIVE_API_KEYS } from '../store/api-keys.js';
import { actorOf, sessionOf } from './access.js';
import type { PortalDeps } from './portal-deps.js';
import { ApiKeyList, ApiKeySecret, ApiKeyView, ID, NO_CONTENT } from './contract/index.js';
import { apiKeySecretView, apiKeyView } from './views.js';

/**
 * The platform's RaaS API keys, through the credentials domain. Every action by id passes the session's
 * platform as the scope: another platform's key is a 404, like a missing one.
 */
export async function apiKeyRoutes(app: FastifyInstance, { deps }: { deps: PortalDeps }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const params = { params: Type.Object({ id: ID }) };
  const scopeOf = (request: Parameters<typeof sessionOf>[0]) => ({ platformId: sessionOf(request).platform.id });

  api.get('/api-keys', { config: { access: {} }, schema: { response: { 200: ApiKeyList } } }, async (request) => {
    const { platform } = sessionOf(request);
    return { platformName: platform.name, keys: (await listApiKeys(deps, platform.name)).map(apiKeyView), maxActive: MAX_ACTIVE_API_KEYS };
  });

  api.post('/api-keys', { config: { access: { admin: { what: 'generate API keys' }, recentAuth: true } }, schema: { response: { 201: ApiKeySecret } } }, async (request, reply) => {
    const created = await createApiKey(deps, sessionOf(request).platform.name, actorOf(request));
    return reply.code(201).send(apiKeySecretView(created));
  });

  api.post('/api-keys/:id/reveal', { config: { access: { admin: { what: 'reveal API keys' }, recentAuth: true } }, schema: { ...params, response: { 200: ApiKeySecret } } }, async (request) =>
    apiKeySecretView(await revealApiKey(deps, request.params.id, actorOf(request), scopeOf(request))),
  );

  // The same key for the copy icon, recorded as `copy`: the person put it on the clipboard without seeing it.
  api.post('/api-keys/:id/copy', { config: { access: { admin: { what: 'copy API keys' }, recentAuth: true } }, schema: { ...params, response: { 200: ApiKeySecret } } }, async (request) =>
    apiKeySecretView(await copyApiKey(deps, request.params.id, actorOf(request), scopeOf(request))),
  );

  for (const [verb, status] of [
    ['activate', 'active'],
    ['deactivate', 'inactive'],
  ] as const) {
    api.post(`/api-keys/:id/${verb}`, { config: { access: { admin: { what: `${verb} API keys` } } }, schema: { ...params, response: { 200: ApiKeyView } } }, async (request) =>
      apiKeyView(await setApiKeyStatus(deps, request.params.id, status, actorOf(request), scopeOf(request))),
    );
  }

  api.delete('/api-keys/:id', { config: { access: { admin: { what: 'delete API keys' } } }, schema: { ...params, response: { 204: NO_CONTENT } } }, async (request, reply) => {
    await deleteApiKey(deps, request.params.id, actorOf(request), scopeOf(request));
    return reply.code(204).send(null);
  });
}
