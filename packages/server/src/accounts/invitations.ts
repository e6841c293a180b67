import { type AuditActor, auditEntry } from '../audit/record-audit.js';
import { digest, newId, newSecret, PREFIX } from '../crypto/secrets.js';
import { TesseraError } from '../errors.js';
import type { InvitationRow } from '../store/invitations.js';
import type { UserRole } from '../store/schema.js';
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

/** Joins the invitation's platform with its role and this password, and starts a session. The link works once. */
export async function acceptInvitation(
  deps: AccountDeps,
  request: { token: string; password: string },
  origin: RequestOrigin,
  previousSessionId?: string,
): Promise<StartedSession> {
  assertPasswordAcceptable(request.password);
  if (!request.token.startsWith(PREFIX.invitationToken)) {
    throw new TesseraError('not_found', 'This invitation link is not valid: it was used, withdrawn or has expired');
  }
  const passwordHash = await deps.passwords.hash(request.password);
  const now = deps.now();
  const user = await deps.invitations.accept(
    digest(request.token),
    now,
    (invitation) => ({ id: newId(PREFIX.user), platform_id: invitation.platform_id, email: invitation.email, role: invitation.role, password_hash: passwordHash, created_at: now }),
    (joined) => auditEntry(deps, { actor: joined.email, ...origin }, { action: 'join', targetId: joined.id }),
  );
  return startSession(deps, user, previousSessionId);
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
