import { auditEntry } from '../audit/record-audit.js';
import { assertPlatformName, createPlatform } from '../credentials/platforms.js';
import { digest, newId, newSecret, PREFIX } from '../crypto/secrets.js';
import { hasCode, TesseraError } from '../errors/tessera-error.js';
import type { Mailer } from '../mail/mailer.js';
import type { FailureThrottle } from '../credentials/failure-throttle.js';
import { INVALID_SIGN_UP_LINK, type SignUpStore } from '../store/sign-ups.js';
import type { AccountDeps, RequestOrigin } from './account-deps.js';
import { validEmail } from './emails.js';
import { assertPasswordAcceptable } from './passwords.js';
import { accountExistsMail, finishSignUpMail } from './sign-up-mail.js';
import { startSession } from './sessions.js';
import type { StartedSession } from './users.js';

/** A sign-up link works for an hour. */
export const SIGN_UP_LINK_TTL_MS = 3_600_000;

/** What verified sign-up adds to the accounts domain's deps (services.ts provides it). */
export interface VerifiedSignUpDeps extends AccountDeps {
  signUps: SignUpStore;
  mail: Pick<Mailer, 'send' | 'outbox'>;
  signUpRecipientThrottle: Pick<FailureThrottle, 'reserve'>;
}

/** The one answer to a sign-up request, whatever the address: `outbox` says the mail is in the server's outbox folder. */
export interface SignUpRequested {
  status: 'link_sent';
  expires_in: number;
  outbox: boolean;
}

/** The sign-up link: the portal's page for it, the token after `#`, which browsers never send to a server (as invitations). */
export function signUpLink(publicUrl: string, token: string): string {
  return `${publicUrl}/#/signup/${token}`;
}

/**
 * Step 1 of a verified sign-up (issue 19, point 4): mails the address, and answers the same whether it has
 * an account or not. A free address gets a one-time link that creates the platform; a taken one gets a
 * note that it has an account, and no link. Both cases do the same work before the answer: one look-up,
 * one row (the taken address's token is mailed to nobody, so its row finishes nothing), one message
 * handed to the mailer, which sends it after the answer (mail/mailer.ts); no password is hashed at this
 * step. Throttled per source address (as open sign-up) and per recipient, both counted before any work.
 * A taken platform name is a `conflict` that names the name, and says nothing of the email.
 */
export async function requestSignUp(
  deps: VerifiedSignUpDeps,
  request: { email: string; platformName: string },
  origin: RequestOrigin,
  publicUrl: string,
): Promise<SignUpRequested> {
  const email = validEmail(request.email);
  assertPlatformName(request.platformName);
  await deps.signUpThrottle.reserve(origin.sourceAddress);
  await deps.signUpRecipientThrottle.reserve(digest(email));
  if (await deps.platforms.findByName(request.platformName)) throw platformTaken(request.platformName);
  const account = await deps.users.findByEmail(email);
  const now = deps.now();
  const token = newSecret(PREFIX.signUpToken);
  await deps.signUps.insert({ token_digest: digest(token), email, platform_name: request.platformName, created_at: now, expires_at: now + SIGN_UP_LINK_TTL_MS });
  deps.mail.send(account ? accountExistsMail(email, `${publicUrl}/#/signin`) : finishSignUpMail(email, request.platformName, signUpLink(publicUrl, token)), 'sign_up');
  return { status: 'link_sent', expires_in: SIGN_UP_LINK_TTL_MS / 1000, outbox: deps.mail.outbox };
}

/** What a sign-up link creates, for its page: the platform and the address, never the token. */
export async function previewSignUp(deps: Pick<VerifiedSignUpDeps, 'signUps' | 'now'>, token: string): Promise<{ platform: string; email: string }> {
  if (!token.startsWith(PREFIX.signUpToken)) throw new TesseraError('not_found', INVALID_SIGN_UP_LINK);
  const signUp = await deps.signUps.findUsable(digest(token), deps.now());
  return { platform: signUp.platform_name, email: signUp.email };
}

/**
 * Step 2: the link's holder chooses the password; the platform and its admin are created (audited
 * `sign_up`, as open sign-up) and a session starts. The link works once. An unknown, used or expired link
 * is `not_found`, before any hash. Whoever holds the link has proved they read the address's mail, so an
 * address or platform name taken in the meantime may now be named (`conflict`). The hash goes through the
 * password hasher, whose bound answers `busy` (503) past it.
 */
export async function finishSignUp(
  deps: VerifiedSignUpDeps,
  request: { token: string; password: string },
  origin: RequestOrigin,
  previousSessionId?: string,
): Promise<StartedSession> {
  assertPasswordAcceptable(request.password);
  const pending = await previewSignUp(deps, request.token);
  await assertStillFree(deps, pending);
  const passwordHash = await deps.passwords.hash(request.password);
  const now = deps.now();
  try {
    const { user } = await deps.signUps.finish(
      digest(request.token),
      now,
      (platforms, signUp) => createPlatform({ platforms, now: deps.now }, signUp.platform_name),
      (signUp) => ({ id: newId(PREFIX.user), email: signUp.email, role: 'admin', password_hash: passwordHash, created_at: now }),
      (user) => auditEntry(deps, { actor: user.email, ...origin }, { action: 'sign_up', targetId: user.id }),
    );
    return await startSession(deps, user, previousSessionId);
  } catch (error) {
    // Taken between the check and the insert, by another sign-up at this moment: say which.
    if (hasCode(error, 'conflict')) await assertStillFree(deps, pending);
    throw error;
  }
}

async function assertStillFree(deps: Pick<AccountDeps, 'users' | 'platforms'>, pending: { platform: string; email: string }): Promise<void> {
  if (await deps.users.findByEmail(pending.email)) {
    throw new TesseraError('conflict', `${pending.email} has had an account since this link was sent: sign in instead`);
  }
  if (await deps.platforms.findByName(pending.platform)) {
    throw new TesseraError('conflict', `The platform name ${pending.platform} was taken since this link was sent: sign up again with another name`);
  }
}

function platformTaken(name: string): TesseraError {
  return new TesseraError('conflict', `The platform name ${name} is taken: choose another`);
}
