import { type AuditActor, auditEntry } from '../audit/record-audit.js';
import { digest, newId, newSecret, PREFIX } from '../crypto/secrets.js';
import { hasCode, TesseraError } from '../errors/tessera-error.js';
import type { InvitationRow } from '../store/invitations.js';
import type { UserRole } from '../store/schema.js';
import type { UserRow } from '../store/users.js';
import type { AccountDeps, RequestOrigin } from './account-deps.js';
import { validEmail } from './emails.js';
import { assertPasswordAcceptable } from './passwords.js';
import { startSession } from './sessions.js';
import type { StartedSession } from './users.js';

/** An invitation link works for a week, then it must be sent again. */
export const INVITATION_TTL_MS = 7 * 24 * 3_600_000;

/** A pending invitation as shown to people: never its token. */
export interface InvitationView {
  id: string;
  email: string;
  role: UserRole;
  created_at: string;
  expires_at: string;
}

/** The one-time link: the portal's page for it, with the token after `#`, which browsers never send to a server. */
export function invitationLink(publicUrl: string, token: string): string {
  return `${publicUrl}/#/invitation/${token}`;
}

/**
 * Invites `email` to the platform with `role`. Returns the token, shown only here (the store keeps its
 * digest): whoever holds the link can join, so it goes to the person by a channel the admin trusts.
 */
export async function inviteUser(
  deps: Pick<AccountDeps, 'invitations' | 'now'>,
  platformId: string,
  request: { email: string; role: UserRole },
  who: AuditActor,
): Promise<{ invitation: InvitationView; token: string }> {
  const email = validEmail(request.email);
  const now = deps.now();
  await deps.invitations.purgeExpired(now);
  const token = newSecret(PREFIX.invitationToken);
  const row: InvitationRow = {
    id: newId(PREFIX.invitation),
    platform_id: platformId,
    email,
    role: request.role,
    token_digest: digest(token),
    created_at: now,
    expires_at: now + INVITATION_TTL_MS,
  };
  await deps.invitations.insert(row, auditEntry(deps, who, { action: 'invite', targetId: row.id }));
  return { invitation: invitationView(row), token };
}

export async function listInvitations(deps: Pick<AccountDeps, 'invitations' | 'now'>, platformId: string): Promise<InvitationView[]> {
  return (await deps.invitations.listPending(platformId, deps.now())).map(invitationView);
}

/** Withdraws a pending invitation of the platform: its link no longer works. */
export async function withdrawInvitation(deps: Pick<AccountDeps, 'invitations'>, platformId: string, id: string): Promise<void> {
  await deps.invitations.deleteFromPlatform(platformId, id);
}

/** The one refusal of an unknown, used, withdrawn or expired invitation link (its preview's too). */
export const INVALID_INVITATION_LINK = 'This invitation link is not valid: it was used, withdrawn or has expired';

/**
 * Joins the invitation's platform with its role and this password, and starts a session. The link works
 * once. A link whose email has an account (on any platform) gets the answer of a used link, and stays
 * pending (store/invitations.ts): whoever holds it, the inviting admin too, learns nothing of other
 * platforms from it but what a sign-up would tell, so it is counted as one (accounts/sign-up-throttle.ts):
 * every acceptance that makes no account uses up one of the address's sign-ups.
 */
export async function acceptInvitation(
  deps: AccountDeps,
  request: { token: string; password: string },
  origin: RequestOrigin,
  previousSessionId?: string,
): Promise<StartedSession> {
  assertPasswordAcceptable(request.password);
  await deps.signUpThrottle.reserve(origin.sourceAddress);
  let joined: UserRow;
  try {
    if (!request.token.startsWith(PREFIX.invitationToken)) throw new TesseraError('not_found', INVALID_INVITATION_LINK);
    const passwordHash = await deps.passwords.hash(request.password);
    const now = deps.now();
    joined = await deps.invitations.accept(
      digest(request.token),
      now,
      (invitation) => ({ id: newId(PREFIX.user), platform_id: invitation.platform_id, email: invitation.email, role: invitation.role, password_hash: passwordHash, created_at: now }),
      (user) => auditEntry(deps, { actor: user.email, ...origin }, { action: 'join', targetId: user.id }),
    );
  } catch (error) {
    const refused = hasCode(error, 'not_found', 'conflict');
    // Only a failure of ours (the store, the hasher) gives the attempt back.
    if (!refused) await deps.signUpThrottle.release(origin.sourceAddress);
    // The unique index: the email found an account on another platform meanwhile. The same answer.
    if (hasCode(error, 'conflict')) throw new TesseraError('not_found', INVALID_INVITATION_LINK);
    throw error;
  }
  await deps.signUpThrottle.release(origin.sourceAddress);
  return startSession(deps, joined, previousSessionId);
}

function invitationView(row: InvitationRow): InvitationView {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    created_at: new Date(row.created_at).toISOString(),
    expires_at: new Date(row.expires_at).toISOString(),
  };
}
