import { digest, PREFIX } from '../crypto/secrets.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { UserRole } from '../store/schema.js';
import type { AccountDeps } from './account-deps.js';
import { INVALID_INVITATION_LINK } from './invitations.js';

/** What an invitation link joins, for the person who holds it: never the token, the ids or who invited. */
export interface InvitationPreview {
  platform: string;
  email: string;
  role: UserRole;
}

/**
 * What the invitation with this token joins, so its page can say "Join acme as a member" before the
 * person chooses a password (issue 19, point 15). Whoever holds the link can join, so this tells them
 * nothing more than joining would. An unknown, used, withdrawn or expired token is `not_found`, one
 * refusal for all four, as at acceptance (accounts/invitations.ts). An invitation whose email has an
 * account on another platform is answered like any other: the inviting admin holds the link, and a
 * different answer would tell them the address has an account (issue 19, point 4). The token travels
 * in a POST body, never a URL, so no access log or proxy keeps it.
 */
export async function previewInvitation(deps: Pick<AccountDeps, 'invitations' | 'now'>, token: string): Promise<InvitationPreview> {
  if (!token.startsWith(PREFIX.invitationToken)) throw new TesseraError('not_found', INVALID_INVITATION_LINK);
  const invitation = await deps.invitations.findAcceptable(digest(token), deps.now());
  return { platform: invitation.platform_name, email: invitation.email, role: invitation.role };
}
