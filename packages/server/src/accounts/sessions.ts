import { createHash } from 'node:crypto';
import { digest, digestsEqual, newSecret, PREFIX } from '../crypto/secrets.js';
import type { SessionStore, SessionWithUser } from '../store/sessions.js';
import type { UserRole } from '../store/schema.js';

/** How long sessions live (config.ts: TESSERA_SESSION_IDLE_MINUTES, TESSERA_SESSION_MAX_HOURS). */
export interface SessionPolicy {
  idleMs: number;
  maxMs: number;
}

/** A request's last-seen time is written at most once a minute: a busy page does not write on each request. */
const MAX_LAST_SEEN_RESOLUTION_MS = 60_000;

/**
 * How often a session's last-seen time is written under `policy`: at most once a minute, and never
 * less often than four times per idle timeout. An unwritten request can leave the stored time behind the
 * real last use by up to this much, so a session used more often than every 3/4 of the idle timeout
 * never expires, whatever the setting (a fixed minute ended a 1-minute session used every 15 s).
 */
function lastSeenResolutionMs(policy: SessionPolicy): number {
  return Math.min(MAX_LAST_SEEN_RESOLUTION_MS, Math.floor(policy.idleMs / 4));
}

/** A recent sign-in or re-authentication: what generating and revealing a secret need. */
export const RECENT_AUTHENTICATION_MS = 5 * 60_000;

export interface SessionDeps {
  sessions: SessionStore;
  sessionPolicy: SessionPolicy;
  now: () => number;
}

/** A live session as the portal uses it. Never holds its id: only the one who presents it knows it. */
export interface ActiveSession {
  idDigest: string;
  user: { id: string; email: string; role: UserRole };
  platform: { id: string; name: string };
  /** The token unsafe requests must carry (the contract's `X-CSRF-Token`). */
  csrfToken: string;
  authenticatedAt: number;
  /** The sign-in: the absolute timeout runs from it. */
  startedAt: number;
  /** The earlier of the idle and the absolute timeout. */
  expiresAt: number;
}

/**
 * The CSRF token of a session: derived from its id (SHA-256 under a label of its own, so it is neither
 * the stored digest nor the id, and does not give the id back), so the store keeps nothing more and a
 * dump holds no token.
 * The synchronizer-token pattern (OWASP CSRF cheat sheet), bound to the session.
 */
function csrfTokenOf(sessionId: string): string {
  return createHash('sha256').update(`tessera-csrf\0${sessionId}`, 'utf8').digest('hex');
}

/** Constant-time comparison of a presented CSRF token with the session's. */
export function csrfTokenMatches(session: ActiveSession, presented: string | undefined): boolean {
  return presented !== undefined && /^[0-9a-f]{64}$/.test(presented) && digestsEqual(presented, session.csrfToken);
}

/**
 * Starts a session for a user who just proved who they are: always a new id (no fixation: a session
 * id planted before the sign-in is never promoted), the one presented with the request (if any) ended,
 * and expired sessions of everyone purged on the way. Returns the cookie's value, shown only here.
 */
export async function startSession(
  deps: SessionDeps,
  user: { id: string },
  previousId: string | undefined,
): Promise<{ id: string; session: ActiveSession }> {
  const now = deps.now();
  if (previousId) await deps.sessions.delete(digest(previousId));
  await deps.sessions.purgeExpired(now - deps.sessionPolicy.idleMs, now - deps.sessionPolicy.maxMs);
  const id = newSecret(PREFIX.session);
  const idDigest = digest(id);
  await deps.sessions.insert({ id_digest: idDigest, user_id: user.id, created_at: now, authenticated_at: now, last_seen_at: now });
  const session = await resolve(deps, id);
  if (!session) throw new Error('a session just made was not found');
  return { id, session };
}

/**
 * The live session this id opens, or undefined (unknown, ended, idle too long, or older than the
 * absolute limit; an expired one is deleted). Records the request as its last activity, at most every
 * {@link lastSeenResolutionMs}, so the idle timeout is accurate to that (a minute, or a quarter of it when shorter).
 */
export async function resolveSession(deps: SessionDeps, id: string): Promise<ActiveSession | undefined> {
  return resolve(deps, id, true);
}

async function resolve(deps: SessionDeps, id: string, touch = false): Promise<ActiveSession | undefined> {
  if (!id.startsWith(PREFIX.session)) return undefined;
  const idDigest = digest(id);
  const row = await deps.sessions.find(idDigest);
  if (!row) return undefined;
  const now = deps.now();
  if (now >= expiry(deps.sessionPolicy, row)) {
    await deps.sessions.delete(idDigest);
    return undefined;
  }
  if (touch && now - row.last_seen_at >= lastSeenResolutionMs(deps.sessionPolicy)) {
    await deps.sessions.setLastSeen(idDigest, now);
    row.last_seen_at = now;
  }
  return view(deps.sessionPolicy, row, id);
}

/** Marks the session as just authenticated (the password entered again): generating and revealing may follow. */
export async function markAuthenticated(deps: SessionDeps, session: ActiveSession): Promise<ActiveSession> {
  const now = deps.now();
  await deps.sessions.setAuthenticated(session.idDigest, now);
  return { ...session, authenticatedAt: now, expiresAt: expiry(deps.sessionPolicy, { created_at: session.startedAt, last_seen_at: now }) };
}

/** Whether the session's last password entry is under {@link RECENT_AUTHENTICATION_MS} old. */
export function recentlyAuthenticated(deps: Pick<SessionDeps, 'now'>, session: ActiveSession): boolean {
  return deps.now() - session.authenticatedAt < RECENT_AUTHENTICATION_MS;
}

/** Ends the session: its row is deleted, so its cookie opens nothing on any instance. */
export async function endSession(deps: SessionDeps, session: ActiveSession): Promise<void> {
  await deps.sessions.delete(session.idDigest);
}

function expiry(policy: SessionPolicy, row: Pick<SessionWithUser, 'created_at' | 'last_seen_at'>): number {
  return Math.min(row.last_seen_at + policy.idleMs, row.created_at + policy.maxMs);
}

function view(policy: SessionPolicy, row: SessionWithUser, id: string): ActiveSession {
  return {
    idDigest: row.id_digest,
    user: { id: row.user_id, email: row.email, role: row.role },
    platform: { id: row.platform_id, name: row.platform_name },
    csrfToken: csrfTokenOf(id),
    authenticatedAt: row.authenticated_at,
    startedAt: row.created_at,
    expiresAt: expiry(policy, row),
  };
}
