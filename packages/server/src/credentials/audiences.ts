import type { Cache } from '../cache/cache.js';
import type { Config } from '../config/config.js';
import { hasCode, TesseraError } from '../errors/tessera-error.js';
import type { Audience, AudienceStore } from '../store/audiences.js';

/**
 * The audiences tokens may be issued for (issue 22): the default one — TESSERA_AUDIENCE, whose tokens
 * live TESSERA_TOKEN_TTL — and those an operator registers, each with its own lifetime, in the store so
 * that every instance sees them. A token request names one with `audience` (Tango's, Auth0's) or
 * `resource` (RFC 8707 §2); the token endpoint reads them through credentials/audience-registry.ts, which also
 * serves the protected APIs among them (credentials/protected-apis.ts) to /forward-auth.
 */

/** The channel on which a change of the registered audiences is announced to every instance. */
export const AUDIENCE_CHANNEL = 'audiences';

/**
 * How long an instance may answer from the audiences it read before reading them again: the bound on
 * how late it learns of a change that was not announced (Redis away; PostgreSQL without Redis).
 */
export const AUDIENCE_RECHECK_MS = 5_000;

/** The lifetimes an audience's tokens may have, in seconds: TESSERA_TOKEN_TTL's range. */
export const MIN_AUDIENCE_TTL_SECONDS = 60;
export const MAX_AUDIENCE_TTL_SECONDS = 31_536_000;

/** The columns of an audience that is no protected API (credentials/protected-apis.ts), as the store defaults them. */
export const PLAIN_AUDIENCE = { api: 0, match_host: null, match_path_prefix: '/', allowed_platforms: null, allowed_credential_kinds: null } as const;

/** Longer is no API's address; a token's `aud` stays short. */
const MAX_AUDIENCE_LENGTH = 512;

export interface AudienceDeps {
  audiences: Pick<AudienceStore, 'list' | 'find' | 'insert' | 'upsert' | 'remove'>;
  cache: Pick<Cache, 'publish'>;
  config: Pick<Config, 'audience' | 'tokenTtlSeconds'>;
  now: () => number;
}

/** An audience as shown to people. */
export interface AudienceView {
  audience: string;
  ttl_seconds: number;
  /** The default audience: tokens asked for without `audience` or `resource` are for it; not removable. */
  default: boolean;
  /** When it was registered; null for the default one, which is configuration. */
  created_at: string | null;
}

/**
 * RFC 8707 §2: a resource is an absolute URI (RFC 3986 §4.3) without a fragment, and should have no query;
 * here an http or https one, written as it is sent (no spaces, no characters a form would mangle).
 */
export function assertAudienceUrl(url: string): void {
  const refuse = (why: string) => new TesseraError('invalid_input', `Invalid audience ${JSON.stringify(url)}: ${why}`);
  if (url.length === 0 || url.length > MAX_AUDIENCE_LENGTH) throw refuse(`use an absolute http:// or https:// URI of at most ${MAX_AUDIENCE_LENGTH} characters`);
  if (!/^[\x21-\x7e]+$/.test(url)) throw refuse('use an absolute http:// or https:// URI without spaces or non-ASCII characters');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw refuse('use an absolute http:// or https:// URI, e.g. https://api.example.com/');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw refuse('use an absolute http:// or https:// URI');
  if (url.includes('#')) throw refuse('an audience has no fragment (RFC 8707 §2)');
  if (url.includes('?')) throw refuse('an audience has no query (RFC 8707 §2)');
}

/** TESSERA_TOKEN_TTL's rule: whole seconds from 60 to 31536000 (a year). */
export function assertAudienceTtl(ttlSeconds: number): void {
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < MIN_AUDIENCE_TTL_SECONDS || ttlSeconds > MAX_AUDIENCE_TTL_SECONDS) {
    throw new TesseraError(
      'invalid_input',
      `Invalid TTL: use a whole number of seconds from ${MIN_AUDIENCE_TTL_SECONDS} to ${MAX_AUDIENCE_TTL_SECONDS}, like TESSERA_TOKEN_TTL`,
    );
  }
}

function defaultView(config: AudienceDeps['config']): AudienceView {
  return { audience: config.audience, ttl_seconds: config.tokenTtlSeconds, default: true, created_at: null };
}

function toView(row: Audience): AudienceView {
  return { audience: row.url, ttl_seconds: row.ttl_seconds, default: false, created_at: new Date(row.created_at).toISOString() };
}

/** The default audience first, then the registered ones by URL. */
export async function listAudiences(deps: Pick<AudienceDeps, 'audiences' | 'config'>): Promise<AudienceView[]> {
  const rows = await deps.audiences.list();
  // A row for the default's URL (registered under another TESSERA_AUDIENCE) is shadowed by the default.
  return [defaultView(deps.config), ...rows.filter((row) => row.url !== deps.config.audience).map(toView)];
}

/**
 * Registers an audience with the lifetime of its tokens. One already registered is a conflict, unless
 * `update` is set: then its lifetime changes (tokens already issued keep their `exp`).
 */
export async function addAudience(deps: AudienceDeps, url: string, ttlSeconds: number, options: { update?: boolean } = {}): Promise<AudienceView> {
  assertAudienceUrl(url);
  assertAudienceTtl(ttlSeconds);
  if (url === deps.config.audience) {
    throw new TesseraError(
      'conflict',
      `Audience ${url} is the default audience: its tokens live TESSERA_TOKEN_TTL (${deps.config.tokenTtlSeconds} seconds), set in the environment`,
    );
  }
  const now = deps.now();
  let row: Audience;
  if (options.update) {
    row = await deps.audiences.upsert(url, ttlSeconds, now);
  } else {
    row = { url, ttl_seconds: ttlSeconds, created_at: now, updated_at: now, ...PLAIN_AUDIENCE };
    try {
      await deps.audiences.insert(row);
    } catch (error) {
      if (!hasCode(error, 'conflict')) throw error;
      const held = await deps.audiences.find(url);
      const lifetime = held ? ` with a TTL of ${held.ttl_seconds} seconds` : '';
      throw new TesseraError('conflict', `Audience ${url} already exists${lifetime}: add --update to change its TTL`);
    }
  }
  await announceAudienceChange(deps.cache);
  return toView(row);
}

/** Removes a registered audience: no new token is issued for it (tokens already issued live out their TTL). */
export async function removeAudience(deps: AudienceDeps, url: string): Promise<void> {
  if (url === deps.config.audience) throw new TesseraError('conflict', `Audience ${url} is the default audience (TESSERA_AUDIENCE): it cannot be removed`);
  if (!(await deps.audiences.remove(url))) throw new TesseraError('not_found', `Audience ${url} is not registered`);
  await announceAudienceChange(deps.cache);
}

/**
 * Tells every instance to read the audiences again. Best effort: the change is committed, and every
 * instance reads them again within {@link AUDIENCE_RECHECK_MS} anyway (at once on SQLite, which tells
 * an instance that another connection wrote).
 */
export async function announceAudienceChange(cache: Pick<Cache, 'publish'>): Promise<void> {
  try {
    await cache.publish(AUDIENCE_CHANNEL, 'changed');
  } catch {
    // Bounded by the re-read: see above.
  }
}
