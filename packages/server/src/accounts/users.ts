import { type AuditActor, auditEntry, recordAudit } from '../audit/record-audit.js';
import { createPlatform } from '../credentials/platforms.js';
import { newId, PREFIX } from '../crypto/secrets.js';
import { hasCode, TesseraError } from '../errors/tessera-error.js';
import type { UserRole } from '../store/schema.js';
import type { UserRow } from '../store/users.js';
import type { AccountDeps, RequestOrigin } from './account-deps.js';
import { normaliseEmail, validEmail } from './emails.js';
import { assertPasswordAcceptable, assertPasswordNotTooLong } from './passwords.js';
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
 * One answer for an open sign-up (TESSERA_PORTAL_SIGNUP=open) whose email or platform name is taken. It
 * keeps the answer from naming the email, yet a refused sign-up still tells a free address from a taken
 * one to whoever picks a free platform name: open is for machines where that does not matter. The
 * default, verified sign-up (accounts/verified-sign-up.ts), answers every address alike and tells the
 * address's mailbox alone.
 */
const SIGN_UP_CONFLICT = 'This email or platform name cannot be used: choose another platform name, or sign in if you already have an account';

/**
 * Open sign-up: a new platform with this person as its admin, created together (a taken name or email
 * leaves neither behind), then a session for them. Throttled per address.
 */
export async function signUp(
  deps: AccountDeps,
  request: { email: string; password: string; platformName: string },
  origin: RequestOrigin,
  previousSessionId?: string,
): Promise<StartedSession> {
  const email = validEmail(request.email);
  assertPasswordAcceptable(request.password);
  // Counted before the hash, taken email or not (accounts/sign-up-throttle.ts).
  await deps.signUpThrottle.reserve(origin.sourceAddress);
  const now = deps.now();
  const user = { id: newId(PREFIX.user), email, role: 'admin' as const, password_hash: await deps.passwords.hash(request.password), created_at: now };
  try {
    await deps.users.insertWithNewPlatform(
      (platforms) => createPlatform({ platforms, now: deps.now }, request.platformName),
      user,
      auditEntry(deps, { actor: email, ...origin }, { action: 'sign_up', targetId: user.id }),
    );
  } catch (error) {
    // A taken email and a taken platform name get one answer that names neither (issue 19, point 4).
    if (hasCode(error, 'conflict')) throw new TesseraError('conflict', SIGN_UP_CONFLICT);
    throw error;
  }
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
  assertPasswordNotTooLong(request.password);
  const { user, check } = await throttledCheck(deps, origin, email, async () => {
    const user = await deps.users.findByEmail(email);
    const check = user ? await deps.passwords.verify(request.password, user.password_hash) : { matches: await deps.passwords.verifyNobody(request.password), outdated: false };
    return { user, check, matches: check.matches };
  });
  const who = { actor: email, ...origin };
  if (!user || !check.matches) {
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
  assertPasswordNotTooLong(password);
  const { matches } = await throttledCheck(deps, origin, session.user.email, async () => {
    const user = await deps.users.findById(session.user.id);
    return user ? await deps.passwords.verify(password, user.password_hash) : { matches: false };
  });
  if (!matches) throw new TesseraError('invalid_credentials', 'The password is not correct');
  return markAuthenticated(deps, session);
}

/**
 * Runs a password check under the sign-in throttle: the attempt is counted before the check, so at most
 * the limit are checked however many arrive at once, on however many instances; it is given back when
 * the password is right, or when the check could not be made (the store or the hasher failed).
 */
async function throttledCheck<T extends { matches: boolean }>(deps: AccountDeps, origin: RequestOrigin, email: string, check: () => Promise<T>): Promise<T> {
  await deps.signInThrottle.reserve(origin.sourceAddress, email);
  let result: T;
  try {
    result = await check();
  } catch (error) {
    await deps.signInThrottle.release(origin.sourceAddress, email);
    throw error;
  }
  if (result.matches) await deps.signInThrottle.release(origin.sourceAddress, email);
  return result;
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
