import { announceCredentialChange } from './credential-events.js';
import { TesseraError } from '../errors.js';
import { digest, newId, newSecret, PREFIX } from '../crypto/secrets.js';
import { DEFAULT_SCOPE } from './scopes.js';
import type { Services } from '../services.js';
import type { OAuthClient } from '../store/oauth-clients.js';
import { getPlatform } from './platforms.js';

type ClientServices = Pick<Services, 'platforms' | 'oauthClients' | 'now'>;
/** Changes of status are announced on the cache, so every instance's API guard applies them at once. */
type ClientStatusServices = ClientServices & Pick<Services, 'cache'>;

/** A client credential as shown to people: never the secret or its digest. */
export interface ClientView {
  name: string;
  client_id: string;
  platform: string;
  status: OAuthClient['status'];
  scope: string;
  created_at: string;
  last_token_issued_at: string | null;
}

const MAX_NAME_LENGTH = 100;
const CLIENT_NAME = new RegExp(`^[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]{1,${MAX_NAME_LENGTH}}$`);

/** Creates a client credential; the secret is returned here and never again. */
export async function createClient(
  services: ClientServices,
  platformName: string,
  name?: string,
): Promise<{ name: string; client_id: string; client_secret: string }> {
  const platform = await getPlatform(services, platformName);
  const clientName = (name ?? `${platform.name}-client`).trim();
  // The name appears in the quota error's error_description: RFC 6749 §5.2 allows printable ASCII there, without " and \.
  if (!CLIENT_NAME.test(clientName)) {
    throw new TesseraError('invalid_input', `Invalid client name: use 1 to ${MAX_NAME_LENGTH} printable ASCII characters, without " and \\`);
  }
  const clientId = newId(PREFIX.client);
  const clientSecret = newSecret(PREFIX.clientSecret);
  const now = services.now();
  await services.oauthClients.insertActive(
    {
      client_id: clientId,
      platform_id: platform.id,
      name: clientName,
      secret_digest: digest(clientSecret),
      scopes: DEFAULT_SCOPE,
      created_at: now,
      status_changed_at: now,
    },
    platform.name,
  );
  return { name: clientName, client_id: clientId, client_secret: clientSecret };
}

export async function listClients(services: ClientServices, platformName: string): Promise<ClientView[]> {
  const platform = await getPlatform(services, platformName);
  return (await services.oauthClients.listByPlatform(platform.id)).map((client) => toView(client, platform.name));
}

export async function setClientStatus(services: ClientStatusServices, clientId: string, status: OAuthClient['status']): Promise<ClientView> {
  const client = await services.oauthClients.setStatus(clientId, status, services.now());
  await announceCredentialChange(services.cache, { type: 'oauth_client', id: clientId });
  const platform = await services.platforms.findById(client.platform_id);
  return toView(client, platform?.name ?? '');
}

export async function deleteClient(services: ClientStatusServices, clientId: string): Promise<void> {
  await services.oauthClients.deleteInactive(clientId);
  await announceCredentialChange(services.cache, { type: 'oauth_client', id: clientId });
}

export async function resetClientQuota(services: ClientServices, clientId: string): Promise<void> {
  await services.oauthClients.resetQuota(clientId);
}

function toView(client: OAuthClient, platformName: string): ClientView {
  return {
    name: client.name,
    client_id: client.client_id,
    platform: platformName,
    status: client.status,
    scope: client.scopes,
    created_at: new Date(client.created_at).toISOString(),
    last_token_issued_at: client.last_issued_at === null ? null : new Date(client.last_issued_at).toISOString(),
  };
}
