import { type AuditActor, CLI_ACTOR, recordAudit } from '../audit/record-audit.js';
import { digest, newId, newSecret, PREFIX } from '../crypto/secrets.js';
import type { SealedBox } from '../crypto/sealed-box.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { ApiKeyRow, ApiKeyStore } from '../store/api-keys.js';
import type { CredentialScope } from '../store/credential-table.js';
import type { CredentialStatus } from '../store/schema.js';
import { type CredentialDeps, CredentialLifecycle } from './credential-lifecycle.js';
import { recordingRefusal } from './record-refusal.js';

export interface ApiKeyDeps extends CredentialDeps {
  apiKeys: ApiKeyStore;
  sealedBox: SealedBox;
}

/** An API key as listed to people: never the key or its digest (reveal it with {@link revealApiKey}). */
export interface ApiKeyView {
  id: string;
  platform: string;
  status: CredentialStatus;
  created_at: string;
  status_changed_at: string;
  /** When Basic authentication with it last succeeded, to the minute; null: never. */
  last_used_at: string | null;
}

/** The context the key is sealed under: a sealed key copied onto another row does not open. */
function sealContext(id: string): string {
  return `api-key:${id}`;
}

/** API keys in the shared lifecycle: the kind-specific part is the key, kept as a digest and sealed. */
export const apiKeys = new CredentialLifecycle<ApiKeyRow, ApiKeyView, ApiKeyDeps>({
  type: 'api_key',
  idOf: (row) => row.id,
  store: (deps) => deps.apiKeys,
  view: toView,
});

/**
 * Creates an active RaaS API key for Basic authentication (`platformName:apiKey`). The store keeps its
 * SHA-256 digest, to find it, and the key sealed under the master key, to reveal it; never the key itself.
 */
export async function createApiKey(deps: ApiKeyDeps, platformName: string, who: AuditActor = CLI_ACTOR): Promise<{ id: string; api_key: string }> {
  return apiKeys.create(deps, platformName, (platform, now) => {
    const id = newId(PREFIX.apiKeyId);
    const apiKey = newSecret(PREFIX.apiKey);
    return {
      row: {
        id,
        platform_id: platform.id,
        key_digest: digest(apiKey),
        key_sealed: deps.sealedBox.seal(apiKey, sealContext(id)),
        created_at: now,
        status_changed_at: now,
        last_used_at: null,
      },
      created: { id, api_key: apiKey },
    };
  }, who);
}

export const listApiKeys = (deps: ApiKeyDeps, platformName: string) => apiKeys.list(deps, platformName);
export const setApiKeyStatus = (deps: ApiKeyDeps, id: string, status: CredentialStatus, who?: AuditActor, scope?: CredentialScope) =>
  apiKeys.setStatus(deps, id, status, who, scope);
export const deleteApiKey = (deps: ApiKeyDeps, id: string, who?: AuditActor, scope?: CredentialScope) => apiKeys.delete(deps, id, who, scope);

type OpenDeps = Pick<ApiKeyDeps, 'apiKeys' | 'sealedBox' | 'auditLog' | 'now'>;

/**
 * Opens a stored key again to show it: the portal's eye icon, `tessera apikey reveal`. Recorded in the
 * audit log as `reveal` (the id, not the key). With a scope (the portal's platform), another platform's
 * key is `not_found`, like a missing one.
 */
export const revealApiKey = (deps: OpenDeps, id: string, who: AuditActor = CLI_ACTOR, scope: CredentialScope = {}) =>
  openApiKey(deps, id, who, scope, 'reveal');

/**
 * Opens a stored key for the clipboard: the portal's copy icon, which puts the key there without showing
 * it. Recorded as `copy`, so the log says what the person did, not more (issue 19, point 14).
 */
export const copyApiKey = (deps: OpenDeps, id: string, who: AuditActor = CLI_ACTOR, scope: CredentialScope = {}) =>
  openApiKey(deps, id, who, scope, 'copy');

async function openApiKey(
  deps: OpenDeps,
  id: string,
  who: AuditActor,
  scope: CredentialScope,
  action: 'reveal' | 'copy',
): Promise<{ id: string; api_key: string }> {
  // Nothing changes, so reading with the scope in the query is the whole check.
  const key = await deps.apiKeys.find(id, scope);
  if (!key) throw new TesseraError('not_found', `API key ${id} does not exist`);
  // A key that does not open (another master key, a damaged value) is a failed reveal of an existing key.
  const revealed = await recordingRefusal(
    deps,
    who,
    action,
    async () => ({ id: key.id, api_key: deps.sealedBox.open(key.key_sealed, sealContext(key.id)) }),
    async () => ({ platformId: key.platform_id, targetId: key.id }),
  );
  await recordAudit(deps, who, { platformId: key.platform_id, action, targetId: key.id });
  return revealed;
}

function toView(key: ApiKeyRow, platformName: string): ApiKeyView {
  return {
    id: key.id,
    platform: platformName,
    status: key.status,
    created_at: new Date(key.created_at).toISOString(),
    status_changed_at: new Date(key.status_changed_at).toISOString(),
    last_used_at: key.last_used_at === null ? null : new Date(key.last_used_at).toISOString(),
  };
}
