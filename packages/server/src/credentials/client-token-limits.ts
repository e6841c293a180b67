import { type AuditActor, auditEntry, CLI_ACTOR, type AuditDeps } from '../audit/record-audit.js';
import type { Cache } from '../cache/cache.js';
import { type ClientTokenLimitMode, CLIENT_TOKEN_LIMIT_MODES, type Config, MAX_CLIENT_TOKEN_LIMIT } from '../config/config.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { ClientTokenLimitStore, ClientTokenLimitsValues } from '../store/client-token-limits.js';
import type { CredentialScope } from '../store/credential-table.js';
import type { ClientOwnLimits, OAuthClientStore } from '../store/oauth-clients.js';
import { announceCredentialChange } from './credential-events.js';

/**
 * Per-client token limits (issue 22, after Auth0's fine-grained token quotas): at most N tokens issued per
 * UTC hour and per UTC day, on top of the token policy in force (quota or rate). A default for every client
 * comes from the settings (TESSERA_CLIENT_TOKENS_PER_HOUR, …_PER_DAY, …_LIMIT_MODE); a client's own limits,
 * in the store, replace it whole — numbers and mode — so that every instance applies the same ones. The
 * token endpoint counts and enforces them (oauth/client-limits.ts).
 */

/** The limits in force for one client: its own, or the default; null numbers are no limit in that window. */
export interface ClientTokenLimits {
  per_hour: number | null;
  per_day: number | null;
  mode: ClientTokenLimitMode;
  /** `client`: its own limits (set by the CLI or the portal); `default`: the settings'. */
  source: 'client' | 'default';
}

/** What a change of a client's own limits uses: the store, the audit log, the announcements, the defaults. */
export interface ClientLimitDeps extends AuditDeps {
  oauthClients: Pick<OAuthClientStore, 'find'>;
  clientTokenLimits: Pick<ClientTokenLimitStore, 'find' | 'set' | 'clear'>;
  cache: Pick<Cache, 'publish'>;
  config: Pick<Config, 'clientTokensPerHour' | 'clientTokensPerDay' | 'clientTokenLimitMode'>;
}

/** What is asked of a client's own limits: a number per window (null or absent: no limit there), and the mode. */
export interface ClientLimitsInput {
  per_hour?: number | null;
  per_day?: number | null;
  mode?: ClientTokenLimitMode;
}

function isMode(value: string | null | undefined): value is ClientTokenLimitMode {
  return (CLIENT_TOKEN_LIMIT_MODES as readonly (string | null | undefined)[]).includes(value);
}

/** The limits in force, from a client's own (as a row, or as joined to its row) or the default. */
export function limitsInForce(own: ClientOwnLimits | ClientTokenLimitsValues | undefined, config: ClientLimitDeps['config']): ClientTokenLimits {
  const mode = own && ('mode' in own ? own.mode : own.limit_mode);
  if (own && isMode(mode)) {
    const values = 'mode' in own ? own : { per_hour: own.limit_per_hour ?? null, per_day: own.limit_per_day ?? null };
    return { per_hour: values.per_hour, per_day: values.per_day, mode, source: 'client' };
  }
  return { per_hour: config.clientTokensPerHour ?? null, per_day: config.clientTokensPerDay ?? null, mode: config.clientTokenLimitMode, source: 'default' };
}

/** Whether any limit applies (one in a window): the token endpoint counts nothing otherwise. */
export function hasLimit(limits: ClientTokenLimits): boolean {
  return limits.per_hour !== null || limits.per_day !== null;
}

/** A number of tokens per hour or per day: whole, from 1 to {@link MAX_CLIENT_TOKEN_LIMIT}. */
function assertLimit(value: number | null | undefined, window: 'hour' | 'day'): number | null {
  if (value === undefined || value === null) return null;
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_CLIENT_TOKEN_LIMIT) {
    throw new TesseraError('invalid_input', `Invalid limit per ${window}: use a whole number of tokens from 1 to ${MAX_CLIENT_TOKEN_LIMIT}`);
  }
  return value;
}

/** The limits in force for a client; `not_found` when it does not exist (or, with a scope, is another platform's). */
export async function clientLimits(
  deps: Pick<ClientLimitDeps, 'oauthClients' | 'clientTokenLimits' | 'config'>,
  clientId: string,
  scope: CredentialScope = {},
): Promise<ClientTokenLimits> {
  const client = await deps.oauthClients.find(clientId, scope);
  if (!client) throw new TesseraError('not_found', `Client ${clientId} does not exist`);
  return limitsInForce(await deps.clientTokenLimits.find(clientId), deps.config);
}

/**
 * Sets a client's own limits (replacing the default for it, whole: a window left out has no limit), audited
 * as `client_limits_changed` with the change; announced, so that every instance's token endpoint applies
 * them at once (oauth/client-cache.ts), or within its re-read of the client's row.
 */
export async function setClientLimits(
  deps: ClientLimitDeps,
  clientId: string,
  input: ClientLimitsInput,
  who: AuditActor = CLI_ACTOR,
  scope: CredentialScope = {},
): Promise<ClientTokenLimits> {
  const mode = input.mode ?? 'enforce';
  if (!isMode(mode)) throw new TesseraError('invalid_input', `Invalid mode: use ${CLIENT_TOKEN_LIMIT_MODES.join(' or ')}`);
  const values = { per_hour: assertLimit(input.per_hour, 'hour'), per_day: assertLimit(input.per_day, 'day'), mode };
  await changing(deps, clientId, () =>
    deps.clientTokenLimits.set(clientId, values, deps.now(), auditEntry(deps, who, { action: 'client_limits_changed', targetId: clientId }), scope),
  );
  return { ...values, source: 'client' };
}

/** Removes a client's own limits: the default ones apply to it again. Audited and announced as a change. */
export async function clearClientLimits(deps: ClientLimitDeps, clientId: string, who: AuditActor = CLI_ACTOR, scope: CredentialScope = {}): Promise<ClientTokenLimits> {
  await changing(deps, clientId, () =>
    deps.clientTokenLimits.clear(clientId, auditEntry(deps, who, { action: 'client_limits_changed', targetId: clientId }), scope),
  );
  return limitsInForce(undefined, deps.config);
}

async function changing(deps: ClientLimitDeps, clientId: string, write: () => Promise<unknown>): Promise<void> {
  await write();
  // Every instance's client cache forgets the client's row, its limits with it (oauth/client-cache.ts).
  await announceCredentialChange(deps.cache, { type: 'oauth_client', id: clientId });
}

/** The limits as one line for people: `100 per hour, 1000 per day (enforced)`, or `none`. */
export function describeLimits(limits: ClientTokenLimits): string {
  const parts = [limits.per_hour === null ? undefined : `${limits.per_hour} per hour`, limits.per_day === null ? undefined : `${limits.per_day} per day`].filter(
    (part): part is string => part !== undefined,
  );
  if (parts.length === 0) return 'none';
  return `${parts.join(', ')} (${limits.mode === 'enforce' ? 'enforced' : 'observed only'})`;
}
