import type { SignUpPreview } from '../api/types';
import { usePortal } from '../session/portal-context';
import { LinkPasswordPage, type LinkPasswordWords } from './link-password-page';

const WORDS: LinkPasswordWords<SignUpPreview> = {
  notValid: 'This sign-up link is not valid: it was used or has expired. Sign up again to get a new one.',
  title: (signUp) => `Finish creating ${signUp.platform}`,
  invalidTitle: 'Sign-up link not valid',
  pendingTitle: 'Finish setting up your account',
  loadingLabel: 'Checking your link…',
  footer: (
    <>
      Already have an account? <a href="#/signin">Sign in</a>
    </>
  ),
  invalidFooter: (
    <>
      <a href="#/signup">Sign up again</a> · <a href="#/signin">Sign in</a>
    </>
  ),
  subtitle: (signUp) =>
    signUp ? (
      <>
        You are creating the platform <strong>{signUp.platform}</strong> on Tessera as <strong>{signUp.email}</strong>, its first admin. Choose a password
        to finish.
      </>
    ) : (
      'You are creating a platform on Tessera. Choose a password to finish.'
    ),
  idPrefix: 'finish',
  emailHint: 'You sign in with this email; the link was sent to it.',
  submitLabel: (signUp) => (signUp ? `Create ${signUp.platform}` : 'Create the platform'),
};

/** The page of a mailed sign-up link: names the platform it creates and the address, then asks for a password. */
export function SignUpFinishPage({ token }: { token: string }) {
  const { api } = usePortal();
  return <LinkPasswordPage token={token} preview={api.previewSignUp} finish={api.finishSignUp} words={WORDS} />;
}
