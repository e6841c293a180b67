import type { InvitationPreview, Role } from '../api/types';
import { usePortal } from '../session/portal-context';
import { LinkPasswordPage, type LinkPasswordWords } from './link-password-page';

const asRole = (role: Role) => (role === 'admin' ? 'an admin' : 'a member');

const WORDS: LinkPasswordWords<InvitationPreview> = {
  notValid: 'This invitation link is not valid: it was used, withdrawn or has expired. Ask an admin of your team for a new one.',
  title: (invitation) => `Join ${invitation.platform} as ${asRole(invitation.role)}`,
  invalidTitle: 'Invitation link not valid',
  pendingTitle: 'Join your team',
  loadingLabel: 'Checking your invitation…',
  footer: (
    <>
      Already joined? <a href="#/signin">Sign in</a>
    </>
  ),
  subtitle: (invitation) =>
    invitation ? (
      <>
        You were invited as <strong>{invitation.email}</strong> to the platform <strong>{invitation.platform}</strong> on Tessera. Choose a password to
        finish setting up your account.
      </>
    ) : (
      'You were invited to a platform on Tessera. Choose a password to finish setting up your account.'
    ),
  idPrefix: 'invitation',
  emailHint: 'You sign in with this email; the invitation was made for it.',
  submitLabel: (invitation) => (invitation ? `Join ${invitation.platform}` : 'Join the team'),
};

/** The page of an invitation link: names the platform it joins and the role, then asks for a password. */
export function InvitationPage({ token }: { token: string }) {
  const { api } = usePortal();
  return <LinkPasswordPage token={token} preview={api.previewInvitation} finish={api.acceptInvitation} words={WORDS} />;
}
