import { type AuditActor, auditEntry, recordAudit } from '../audit/record-audit.js';
import { createPlatform } from '../credentials/platforms.js';
import { newId, PREFIX } from '../crypto/secrets.js';
import { TesseraError } from '../errors.js';
import type { UserRole } from '../store/schema.js';
import type { UserRow } from '../store/users.js';
import type { AccountDeps, RequestOrigin } from './account-deps.js';
import { normaliseEmail, validEmail } from './emails.js';
import { assertPasswordAcceptable } from './passwords.js';
import { type ActiveSession, endSession, markAuthenticated, startSession } from './sessions.js';

/** A user as shown to people: never the password hash. */
export interface UserView {
  id: string;
  email: string;
  role: UserRole;
  created_at: string;
}

/** A new session: its id (the cookie's value, shown only here) and what it opens. */
export interface StartedSession {
  id: string;
  session: ActiveSession;
}

/** One answer for an unknown email and a wrong password: which of the two it was is never said. */
const INVALID_CREDENTIALS = 'The email or password is not correct';

/**
 * Signs up: a new platform with this person as its admin, created together (a taken name or email
 * leaves neither behind), then a session for them.
 */
export async function signUp(
  deps: AccountDeps,
  request: { email: string; password: string; platformName: string },
  origin: RequestOrigin,
  previousSessionId?: string,
): Promise<StartedSession> {
  const email = validEmail(request.email);
  assertPasswordAcceptable(request.password);
  const now = deps.now();
  const user = { id: newId(PREFIX.user), email, role: 'admin' as const, password_hash: await deps.passwords.hash(request.password), created_at: now };
  await deps.users.insertWithNewPlatform(
    (platforms) => createPlatform({ platforms, now: deps.now }, request.platformName),
    user,
    auditEntry(deps, { actor: email, ...origin }, { action: 'sign_up', targetId: user.id }),
  );
  return startSession(deps, user, previousSessionId);
}

/**
 * Signs in with an email and password. Throttled per account and per address; an unknown email costs
 * the same scrypt time as a wrong password and gets the same `invalid_credentials`. A failure for a
 * known email is recorded in its platform's log (outcome `failure`).
 */
export async function signIn(
  deps: AccountDeps,
  request: { email: string; password: string },
  origin: RequestOrigin,
  previousSessionId?: string,
): Promise<StartedSession> {
  const email = normaliseEmail(request.email);
  await deps.signInThrottle.check(origin.sourceAddress, email);
  const user = await deps.users.findByEmail(email);
  const check = user ? await deps.passwords.verify(request.password, user.password_hash) : { matches: await deps.passwords.verifyNobody(request.password), outdated: false };
  const who = { actor: email, ...origin };
  if (!user || !check.matches) {
    await deps.signInThrottle.recordFailure(origin.sourceAddress, email);
    if (user) await recordAudit(deps, who, { platformId: user.platform_id, action: 'sign_in', targetId: user.id, outcome: 'failure' });
    throw new TesseraError('invalid_credentials', INVALID_CREDENTIALS);
  }
  // The cost was raised since this hash was made: the password is at hand, so hash it anew.
  if (check.outdated) await deps.users.setPasswordHash(user.id, await deps.passwords.hash(request.password));
  await recordAudit(deps, who, { platformId: user.platform_id, action: 'sign_in', targetId: user.id });
  return startSession(deps, user, previousSessionId);
}

/** The password entered again within a session: generating and revealing secrets may follow. Throttled as sign-in. */
export async function reauthenticate(deps: AccountDeps, session: ActiveSession, password: string, origin: RequestOrigin): Promise<ActiveSession> {
  await deps.signInThrottle.check(origin.sourceAddress, session.user.email);
  const user = await deps.users.findById(session.user.id);
  const check = user ? await deps.passwords.verify(password, user.password_hash) : { matches: false };
  if (!check.matches) {
    await deps.signInThrottle.recordFailure(origin.sourceAddress, session.user.email);
    throw new TesseraError('invalid_credentials', 'The password is not correct');
  }
  return markAuthenticated(deps, session);
}

/** Ends the session and records the sign-out. */
export async function signOut(deps: AccountDeps, session: ActiveSession, origin: RequestOrigin): Promise<void> {
  await endSession(deps, session);
  await recordAudit(deps, { actor: session.user.email, ...origin }, { platformId: session.platform.id, action: 'sign_out', targetId: session.user.id });
}

export async function listUsers(deps: Pick<AccountDeps, 'users'>, platformId: string): Promise<UserView[]> {
  return (await deps.users.listByPlatform(platformId)).map(userView);
}

/** Removes a user of the platform and their sessions; the platform's last admin stays (`conflict`). */
export async function removeUser(deps: Pick<AccountDeps, 'users' | 'now'>, platformId: string, userId: string, who: AuditActor): Promise<void> {
  await deps.users.removeFromPlatform(platformId, userId, auditEntry(deps, who, { action: 'remove_user', targetId: userId }));
}

export function userView(user: UserRow): UserView {
  return { id: user.id, email: user.email, role: user.role, created_at: new Date(user.created_at).toISOString() };
}

/** A user of the platform named by id or by email (the `tessera` command takes either); `not_found` otherwise. */
export async function findPlatformUser(deps: Pick<AccountDeps, 'users'>, platformId: string, idOrEmail: string): Promise<UserView> {
  const user = idOrEmail.includes('@') ? await deps.users.findByEmail(normaliseEmail(idOrEmail)) : await deps.users.findById(idOrEmail);
  if (!user || user.platform_id !== platformId) throw new TesseraError('not_found', `User ${idOrEmail} does not exist`);
  return userView(user);
}
