import type { Cache } from '../cache/cache.js';
import type { Config } from '../config/config.js';
import { hasCode, TesseraError } from '../errors/tessera-error.js';
import type { ApiRouting, Audience, AudienceStore } from '../store/audiences.js';
import type { PlatformStore } from '../store/platforms.js';
import { isUniqueViolation } from '../store/unique-violation.js';
import { announceAudienceChange, assertAudienceTtl, assertAudienceUrl, PLAIN_AUDIENCE } from './audiences.js';
import { getPlatform } from './platforms.js';

/**
 * Protected APIs (issue 23): a registered audience (credentials/audiences.ts) that /forward-auth serves,
 * with where it answers — a Host (or any) and a path prefix — and who may call it — platforms by name
 * and credential kinds (or all). The audience is the `aud` its tokens carry (RFC 9068 §4: a resource
 * server refuses a token whose `aud` is not its own), so an API's tokens are asked for as for any
 * audience, and it stops being served the moment it is removed. The default audience is /raas/v2's and
 * is no API. Running instances read them through credentials/audience-registry.ts.
 */

/** How a caller authenticated: an OAuth client's token (Bearer) or an API key (Basic). */
export type CredentialKind = 'oauth_client' | 'api_key';

export const CREDENTIAL_KINDS: readonly CredentialKind[] = ['oauth_client', 'api_key'];

/** A protected API as the registry serves it. */
export interface ProtectedApi {
  /** The token `aud` this API accepts; also the WWW-Authenticate realm. */
  audience: string;
  /** Lowercased `hostname[:port]`; null = any host. */
  host: string | null;
  /** '/' at least; never ends with '/' otherwise. */
  pathPrefix: string;
  /** null = every platform. */
  platforms: readonly string[] | null;
  /** null = both kinds. */
  credentialKinds: readonly CredentialKind[] | null;
}

/** A protected API as shown to people (`tessera api`): snake_case, like the other commands. */
export interface ApiView {
  audience: string;
  ttl_seconds: number;
  host: string | null;
  path_prefix: string;
  platforms: string[] | null;
  credential_kinds: CredentialKind[] | null;
  created_at: string;
}

export interface ProtectedApiDeps {
  audiences: Pick<AudienceStore, 'find' | 'insert' | 'makeApi' | 'listApis' | 'removeApi'>;
  platforms: Pick<PlatformStore, 'findByName'>;
  cache: Pick<Cache, 'publish'>;
  config: Pick<Config, 'audience' | 'tokenTtlSeconds'>;
  now: () => number;
}

/**
 * What `tessera api add` sets. Left out (undefined): on a new API, the default (any host, '/', every
 * platform, both kinds, TESSERA_TOKEN_TTL); with `update`, as it was. null: any host, every platform,
 * both kinds.
 */
export interface ApiChange {
  ttlSeconds?: number;
  host?: string | null;
  pathPrefix?: string;
  platforms?: readonly string[] | null;
  /** Checked here: a kind the command line names may be unknown. */
  credentialKinds?: readonly string[] | null;
}

const MAX_PATH_PREFIX_LENGTH = 512;
/** RFC 1123 §2.1 labels (letters, digits, hyphens; not first or last), as a DNS name is written. */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const PORT = /^[1-9][0-9]{0,4}$/;

/**
 * `hostname[:port]` as a Host header carries it (RFC 9110 §7.2), lowercased (host names are
 * case-insensitive, RFC 4343): no scheme, no path, no user info. A host the WHATWG URL parser reads
 * otherwise (`0x7f.1`, a non-ASCII name) is refused rather than matched in a form nobody sends.
 */
export function normaliseHost(input: string): string {
  const host = input.toLowerCase();
  const refuse = (why: string) => new TesseraError('invalid_input', `Invalid host ${JSON.stringify(input)}: ${why}`);
  if (host.includes('://')) throw refuse('give the host alone, without a scheme, e.g. api.example.com or api.example.com:8443');
  if (/[/?#]/.test(host)) throw refuse('give the host alone, without a path, e.g. api.example.com (the path goes in --path-prefix)');
  if (host.includes('@')) throw refuse('give the host alone, without user information');
  const bracketed = /^(\[[0-9a-f:.]+\])(?::(.*))?$/.exec(host);
  const [hostname, port] = bracketed ? [bracketed[1]!, bracketed[2]] : (host.split(/:(.*)/s, 2) as [string, string | undefined]);
  if (port !== undefined && (!PORT.test(port) || Number(port) > 65_535)) throw refuse('the port is a number from 1 to 65535');
  if (!bracketed && (hostname.length > 253 || !hostname.split('.').every((label) => LABEL.test(label)))) {
    throw refuse('use a host name of letters, digits, hyphens and dots (e.g. api.example.com), or an IP address');
  }
  let parsed: URL;
  try {
    parsed = new URL(`http://${hostname}/`);
  } catch {
    throw refuse('use a host name (e.g. api.example.com) or an IP address');
  }
  if (parsed.hostname !== hostname) throw refuse(`the URL parser reads it as ${parsed.hostname}: register it in that form`);
  return port === undefined ? hostname : `${hostname}:${port}`;
}

/**
 * A path prefix: starts with '/', no query or fragment, no trailing '/' (but '/' itself), and already in
 * the form the WHATWG URL parser gives it (dot segments resolved, RFC 3986 §5.2.4; characters encoded
 * as it encodes them): /forward-auth normalises the request's path so before matching it, so a prefix
 * in another form would never match, or match what it does not look like.
 */
export function assertPathPrefix(prefix: string): void {
  const refuse = (why: string) => new TesseraError('invalid_input', `Invalid path prefix ${JSON.stringify(prefix)}: ${why}`);
  if (!prefix.startsWith('/')) throw refuse(`start it with '/', e.g. /v1`);
  if (prefix.length > MAX_PATH_PREFIX_LENGTH) throw refuse(`use at most ${MAX_PATH_PREFIX_LENGTH} characters`);
  if (prefix.includes('?') || prefix.includes('#')) throw refuse('a path prefix has no query or fragment');
  if (prefix !== '/' && prefix.endsWith('/')) throw refuse(`leave out the trailing '/': ${prefix.replace(/\/+$/, '') || '/'} matches it and everything under it`);
  let normalised: string;
  try {
    normalised = new URL(prefix, 'http://host.invalid').pathname;
  } catch {
    throw refuse('it is no URL path');
  }
  // '//x' is read as a host: the pathname is then '/', which differs too.
  if (normalised !== prefix) throw refuse(`the URL parser reads it as ${JSON.stringify(normalised)}: register the path as requests carry it`);
}

/** The credential kinds given, each known, each once, in their canonical order; both: null (all). */
export function normaliseCredentialKinds(kinds: readonly string[]): CredentialKind[] | null {
  const unknown = kinds.filter((kind) => !(CREDENTIAL_KINDS as readonly string[]).includes(kind));
  if (kinds.length === 0 || unknown.length > 0) {
    const what = kinds.length === 0 ? 'none given' : `unknown ${unknown.map((kind) => JSON.stringify(kind)).join(', ')}`;
    throw new TesseraError('invalid_input', `Invalid credential kinds (${what}): use oauth_client, api_key, or both separated by a comma`);
  }
  const chosen = CREDENTIAL_KINDS.filter((kind) => kinds.includes(kind));
  return chosen.length === CREDENTIAL_KINDS.length ? null : chosen;
}

/**
 * A JSON array of strings from the store; anything else (a hand-edited row) allows nothing, so a damaged
 * row closes the API rather than opening it to every caller.
 */
function parseList(json: string | null): string[] | null {
  if (json === null) return null;
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : [];
  } catch {
    return [];
  }
}

/** A stored row as the registry serves it (the row must be an API: `api` = 1). */
export function protectedApiOf(row: Audience): ProtectedApi {
  const kinds = parseList(row.allowed_credential_kinds);
  return {
    audience: row.url,
    host: row.match_host,
    pathPrefix: row.match_path_prefix,
    platforms: parseList(row.allowed_platforms),
    credentialKinds: kinds === null ? null : kinds.filter((kind): kind is CredentialKind => (CREDENTIAL_KINDS as readonly string[]).includes(kind)),
  };
}

function toView(row: Audience): ApiView {
  const api = protectedApiOf(row);
  return {
    audience: api.audience,
    ttl_seconds: row.ttl_seconds,
    host: api.host,
    path_prefix: api.pathPrefix,
    platforms: api.platforms && [...api.platforms],
    credential_kinds: api.credentialKinds && [...api.credentialKinds],
    created_at: new Date(row.created_at).toISOString(),
  };
}

/** Where an API answers, in words: "host api.example.com, path /v1", "any host, path /". */
export function routeOf(host: string | null, pathPrefix: string): string {
  return host === null ? `any host, path ${pathPrefix}` : `host ${host}, path ${pathPrefix}`;
}

/** The protected APIs, by audience. */
export async function listApis(deps: { audiences: Pick<AudienceStore, 'listApis'>; config: Pick<Config, 'audience'> }): Promise<ApiView[]> {
  const rows = await deps.audiences.listApis();
  return rows.filter((row) => row.url !== deps.config.audience).map(toView);
}

/**
 * Registers a protected API: a new audience (its tokens living `ttlSeconds`, TESSERA_TOKEN_TTL by default)
 * or a registered one made an API (its TTL kept unless given). An API already registered is a conflict
 * unless `update` is set: then what `change` gives replaces what it had, the rest stays. Another API on
 * the same host and path prefix is a conflict. Every instance is told.
 */
export async function addApi(deps: ProtectedApiDeps, url: string, change: ApiChange, options: { update?: boolean } = {}): Promise<ApiView> {
  assertAudienceUrl(url);
  if (change.ttlSeconds !== undefined) assertAudienceTtl(change.ttlSeconds);
  if (url === deps.config.audience) {
    throw new TesseraError('conflict', `Audience ${url} is the default audience (TESSERA_AUDIENCE), which /raas/v2 accepts: it cannot be a protected API; register the API under its own audience`);
  }
  const host = change.host == null ? change.host : normaliseHost(change.host);
  if (change.pathPrefix !== undefined) assertPathPrefix(change.pathPrefix);
  const platforms = change.platforms == null ? change.platforms : [...new Set(change.platforms)];
  for (const name of platforms ?? []) await getPlatform(deps, name);
  const kinds = change.credentialKinds == null ? change.credentialKinds : normaliseCredentialKinds(change.credentialKinds);

  const held = await deps.audiences.find(url);
  if (held?.api === 1 && !options.update) {
    throw new TesseraError('conflict', `API ${url} already exists (${routeOf(held.match_host, held.match_path_prefix)}): add --update to change it`);
  }
  const keep = held?.api === 1 ? held : undefined;
  const routing: ApiRouting = {
    match_host: host === undefined ? (keep?.match_host ?? null) : host,
    match_path_prefix: change.pathPrefix ?? keep?.match_path_prefix ?? '/',
    allowed_platforms: platforms === undefined ? (keep?.allowed_platforms ?? null) : platforms && JSON.stringify(platforms),
    allowed_credential_kinds: kinds === undefined ? (keep?.allowed_credential_kinds ?? null) : kinds && JSON.stringify(kinds),
  };
  const now = deps.now();
  let row: Audience | undefined;
  try {
    if (held) {
      row = await deps.audiences.makeApi(url, routing, { ttlSeconds: change.ttlSeconds, now, onlyIf: options.update ? 'any' : 'plain' });
    } else {
      row = { ...PLAIN_AUDIENCE, url, ttl_seconds: change.ttlSeconds ?? deps.config.tokenTtlSeconds, created_at: now, updated_at: now, ...routing, api: 1 };
      await deps.audiences.insert(row);
    }
  } catch (error) {
    // The insert's unique violations are `conflict` already (the URL or the route); the update's are the route's.
    if (!hasCode(error, 'conflict') && !isUniqueViolation(error)) throw error;
    throw await routeConflict(deps, url, routing);
  }
  // Removed, or made an API by another command, since it was read.
  if (!row) throw new TesseraError('conflict', `Audience ${url} changed while this command ran: run it again`);
  await announceAudienceChange(deps.cache);
  return toView(row);
}

/** A conflict named: the API that answers on the same host and path prefix, else the audience registered meanwhile. */
async function routeConflict(deps: ProtectedApiDeps, url: string, routing: ApiRouting): Promise<TesseraError> {
  const other = (await deps.audiences.listApis()).find(
    (row) => row.url !== url && row.match_host === routing.match_host && row.match_path_prefix === routing.match_path_prefix,
  );
  if (!other) return new TesseraError('conflict', `Audience ${url} was registered while this command ran: run it again`);
  return new TesseraError(
    'conflict',
    `API ${other.url} already answers on ${routeOf(routing.match_host, routing.match_path_prefix)}: give this API another --host or --path-prefix`,
  );
}

/**
 * Removes a protected API and its audience: no new token is issued for it, and /forward-auth refuses it
 * as soon as an instance learns of it (at once when told; within the registry's recheck otherwise).
 */
export async function removeApi(deps: Pick<ProtectedApiDeps, 'audiences' | 'cache' | 'config'>, url: string): Promise<void> {
  if (url === deps.config.audience) throw new TesseraError('conflict', `Audience ${url} is the default audience (TESSERA_AUDIENCE): it is not a protected API and cannot be removed`);
  if (!(await deps.audiences.removeApi(url))) {
    const held = await deps.audiences.find(url);
    if (held) throw new TesseraError('conflict', `Audience ${url} is not a protected API: remove it with tessera audience remove`);
    throw new TesseraError('not_found', `API ${url} is not registered`);
  }
  await announceAudienceChange(deps.cache);
}
