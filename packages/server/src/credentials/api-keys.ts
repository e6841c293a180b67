import { announceCredentialChange } from './credential-events.js';
import { digest, newId, newSecret, PREFIX } from '../crypto/secrets.js';
import { TesseraError } from '../errors.js';
import type { Services } from '../services.js';
import type { ApiKeyRow } from '../store/api-keys.js';
import type { CredentialStatus } from '../store/schema.js';
import { getPlatform } from './platforms.js';

type ApiKeyServices = Pick<Services, 'platforms' | 'apiKeys' | 'sealedBox' | 'cache' | 'now'>;

/** An API key as listed to people: never the key or its digest (reveal it with {@link revealApiKey}). */
export interface ApiKeyView {
  id: string;
  platform: string;
  status: CredentialStatus;
  created_at: string;
  status_changed_at: string;
}

/** The context the key is sealed under: a sealed key copied onto another row does not open. */
function sealContext(id: string): string {
  return `api-key:${id}`;
}

/**
 * Creates an active RaaS API key for Basic authentication (`platformName:apiKey`). The store keeps its
 * SHA-256 digest, to find it, and the key sealed under the master key, to reveal it; never the key itself.
 */
export async function createApiKey(services: ApiKeyServices, platformName: string): Promise<{ id: string; api_key: string }> {
  const platform = await getPlatform(services, platformName);
  const id = newId(PREFIX.apiKeyId);
  const apiKey = newSecret(PREFIX.apiKey);
  const now = services.now();
  await services.apiKeys.insertActive(
    {
      id,
      platform_id: platform.id,
      key_digest: digest(apiKey),
      key_sealed: services.sealedBox.seal(apiKey, sealContext(id)),
      created_at: now,
      status_changed_at: now,
    },
    platform.name,
  );
  return { id, api_key: apiKey };
}

export async function listApiKeys(services: ApiKeyServices, platformName: string): Promise<ApiKeyView[]> {
  const platform = await getPlatform(services, platformName);
  return (await services.apiKeys.listByPlatform(platform.id)).map((key) => toView(key, platform.name));
}

/** Opens a stored key again: the portal's eye icon. */
export async function revealApiKey(services: ApiKeyServices, id: string): Promise<{ id: string; api_key: string }> {
  const key = await findKey(services, id);
  return { id: key.id, api_key: services.sealedBox.open(key.key_sealed, sealContext(key.id)) };
}

/** Activates or deactivates a key; every instance stops accepting a deactivated key within seconds. */
export async function setApiKeyStatus(services: ApiKeyServices, id: string, status: CredentialStatus): Promise<ApiKeyView> {
  const key = await services.apiKeys.setStatus(id, status, services.now());
  await announceCredentialChange(services.cache, { type: 'api_key', id });
  const platform = await services.platforms.findById(key.platform_id);
  return toView(key, platform?.name ?? '');
}

/** Deletes a deactivated key. */
export async function deleteApiKey(services: ApiKeyServices, id: string): Promise<void> {
  await services.apiKeys.deleteInactive(id);
  await announceCredentialChange(services.cache, { type: 'api_key', id });
}

async function findKey(services: ApiKeyServices, id: string): Promise<ApiKeyRow> {
  const key = await services.apiKeys.find(id);
  if (!key) throw new TesseraError('not_found', `API key ${id} does not exist`);
  return key;
}

function toView(key: ApiKeyRow, platformName: string): ApiKeyView {
  return {
    id: key.id,
    platform: platformName,
    status: key.status,
    created_at: new Date(key.created_at).toISOString(),
    status_changed_at: new Date(key.status_changed_at).toISOString(),
  };
}
