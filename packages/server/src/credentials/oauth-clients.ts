import { announceCredentialChange } from './credential-events.js';
import { type AuditActor, auditEntry, CLI_ACTOR } from '../audit/record-audit.js';
import { type Config, quotaIntervalMs } from '../config/config.js';
import { digest, newId, newSecret, PREFIX } from '../crypto/secrets.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { CredentialScope } from '../store/credential-table.js';
import type { OAuthClient, OAuthClientStore } from '../store/oauth-clients.js';
import { type CredentialDeps, CredentialLifecycle } from './credential-lifecycle.js';
import { recordingRefusal } from './record-refusal.js';
import { DEFAULT_SCOPE } from './scopes.js';

export interface ClientDeps extends CredentialDeps {
  oauthClients: OAuthClientStore;
  /** The quota's interval: a view says when the next token may be had. */
  config: Pick<Config, 'quotaIntervalSeconds' | 'tokenPolicy'>;
}

/** A client credential as shown to people: never the secret or its digest. */
export interface ClientView {
  name: string;
  client_id: string;
  platform: string;
  status: OAuthClient['status'];
  scope: string;
  created_at: string;
  /** When the last token was issued, a quota reset notwithstanding (the token still lives); null: never. */
  last_token_issued_at: string | null;
  /** When the quota lets the client have its next token; null: now, so a quota reset has nothing to do. */
  next_token_at: string | null;
}

const MAX_NAME_LENGTH = 100;
const CLIENT_NAME = new RegExp(`^[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]{1,${MAX_NAME_LENGTH}}$`);

/** OAuth clients in the shared lifecycle: the kind-specific part is the secret, kept as a digest only. */
export const oauthClients = new CredentialLifecycle<OAuthClient, ClientView, ClientDeps>({
  type: 'oauth_client',
  idOf: (row) => row.client_id,
  store: (deps) => deps.oauthClients,
  view: toView,
});

/** Creates a client credential; the secret is returned here and never again. */
export async function createClient(
  deps: ClientDeps,
  platformName: string,
  name?: string,
  who: AuditActor = CLI_ACTOR,
): Promise<{ name: string; client_id: string; client_secret: string }> {
  return oauthClients.create(deps, platformName, (platform, now) => {
    const clientName = (name ?? `${platform.name}-client`).trim();
    // The name appears in the quota error's error_description: RFC 6749 §5.2 allows printable ASCII there, without " and \.
    if (!CLIENT_NAME.test(clientName)) {
      // Said in plain words: the portal shows it as it is (issue 19, point 15).
      throw new TesseraError('invalid_input', `The name may have 1 to ${MAX_NAME_LENGTH} characters: letters without accents, digits, spaces and punctuation other than " and \\`);
    }
    const clientId = newId(PREFIX.client);
    const clientSecret = newSecret(PREFIX.clientSecret);
    return {
      row: {
        client_id: clientId,
        platform_id: platform.id,
        name: clientName,
        secret_digest: digest(clientSecret),
        scopes: DEFAULT_SCOPE,
        created_at: now,
        status_changed_at: now,
        last_issued_at: null,
        issued_before_reset_at: null,
        tokens_not_before: null,
      },
      created: { name: clientName, client_id: clientId, client_secret: clientSecret },
    };
  }, who);
}

export const listClients = (deps: ClientDeps, platformName: string) => oauthClients.list(deps, platformName);
export const setClientStatus = (deps: ClientDeps, clientId: string, status: OAuthClient['status'], who?: AuditActor, scope?: CredentialScope) =>
  oauthClients.setStatus(deps, clientId, status, who, scope);
export const deleteClient = (deps: ClientDeps, clientId: string, who?: AuditActor, scope?: CredentialScope) => oauthClients.delete(deps, clientId, who, scope);

/**
 * Lets a client get a new token now: the recovery path when an issued token was lost. Audited, refused
 * attempts too. With a scope (the portal's platform), another platform's client is `not_found`. Under the
 * `rate` policy there is no quota to reset (a token is issued on every request within the rate): refused
 * as a `conflict`, as the portal, which offers no reset there, says. Returns the client as it now is.
 */
export async function resetClientQuota(
  deps: Pick<ClientDeps, 'oauthClients' | 'platforms' | 'auditLog' | 'now' | 'cache' | 'config'>,
  clientId: string,
  who: AuditActor = CLI_ACTOR,
  scope: CredentialScope = {},
): Promise<ClientView> {
  const client = await recordingRefusal(
    deps,
    who,
    'reset_quota',
    async () => {
      if (deps.config.tokenPolicy === 'rate') {
        throw new TesseraError('conflict', 'There is no token quota to reset: the token policy of this server is rate (TESSERA_TOKEN_POLICY=rate)');
      }
      return deps.oauthClients.resetQuota(clientId, auditEntry(deps, who, { action: 'reset_quota', targetId: clientId }), scope);
    },
    async () => {
      const found = await deps.oauthClients.find(clientId, scope);
      return found && { platformId: found.platform_id, targetId: found.client_id };
    },
  );
  // Every instance's token endpoint forgets the quota it remembered (oauth/client-cache.ts) at once.
  await announceCredentialChange(deps.cache, { type: 'oauth_client', id: clientId });
  const platform = await deps.platforms.findById(client.platform_id);
  return toView(client, platform?.name ?? '', deps);
}

function toView(client: OAuthClient, platformName: string, deps: Pick<ClientDeps, 'config' | 'now'>): ClientView {
  const lastIssuedAt = client.last_issued_at ?? client.issued_before_reset_at;
  return {
    name: client.name,
    client_id: client.client_id,
    platform: platformName,
    status: client.status,
    scope: client.scopes,
    created_at: new Date(client.created_at).toISOString(),
    last_token_issued_at: lastIssuedAt === null ? null : new Date(lastIssuedAt).toISOString(),
    next_token_at: nextTokenAt(client, deps),
  };
}

/** When the quota clock lets the client have a token again, if that is still to come (oauth/quota.ts decides alike). */
function nextTokenAt(client: OAuthClient, deps: Pick<ClientDeps, 'config' | 'now'>): string | null {
  const next = quotaHeldUntil(client.last_issued_at, quotaIntervalMs(deps.config), deps.now());
  return next === undefined ? null : new Date(next).toISOString();
}

/**
 * When a client whose last token was issued at `lastIssuedAt` may have its next one, if that is after
 * `now`; else undefined. An interval of 0 turns the quota off, even for a row written by an instance
 * whose clock is ahead. The one reading of the quota: the token endpoint's (oauth/quota.ts) and the views'.
 */
export function quotaHeldUntil(lastIssuedAt: number | null, intervalMs: number, now: number): number | undefined {
  if (intervalMs === 0 || lastIssuedAt === null) return undefined;
  const next = lastIssuedAt + intervalMs;
  return next > now ? next : undefined;
}
