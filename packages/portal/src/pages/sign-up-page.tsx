import { useEffect, useState } from 'react';
import type { SignUpMode } from '../api/types';
import { navigate } from '../router/hash-location';
import { usePortal } from '../session/portal-context';
import { useDocumentTitle } from '../hooks/use-document-title';
import { useSubmit } from '../hooks/use-submit';
import { Button } from '../components/button';
import { FormError } from '../components/form-error';
import { MailIcon } from '../components/icons';
import { NewPasswordField } from '../components/new-password-field';
import { AuthLayout } from './auth-layout';

/** What a verified sign-up said it sent, and where. */
type Sent = { email: string; platform: string; outbox: boolean };

/**
 * Sign-up. On a server with verified sign-up (the default) it asks for the email and the platform name,
 * then says a link was mailed (the same answer whatever the address); the link's page asks for the
 * password (sign-up-finish-page.tsx). Where sign-up is open it asks for the password here and signs in.
 */
export function SignUpPage() {
  const { api, setSession } = usePortal();
  const [mode, setMode] = useState<SignUpMode>('verified');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [platformName, setPlatformName] = useState('');
  const [sent, setSent] = useState<Sent | null>(null);
  useDocumentTitle(sent ? 'Check your inbox' : 'Set up an account');

  useEffect(() => {
    let live = true;
    // Until the server says otherwise, verified: the form without a password is right on most servers.
    api.signUpMode().then(
      (answer) => live && setMode(answer),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api]);

  const open = mode === 'open';
  const { busy, error, submit } = useSubmit({
    validate: () => {
      const missing = [email.trim() === '' && 'your email', open && password === '' && 'a password', platformName.trim() === '' && 'a platform name'].filter(Boolean);
      return missing.length > 0 ? `Enter ${missing.join(', ')}.` : null;
    },
    run: async () => {
      const answer = await api.signUp({ email: email.trim(), platformName: platformName.trim(), ...(open ? { password } : {}) });
      if ('csrfToken' in answer) {
        setSession(answer);
        navigate('/team', { replace: true });
      } else {
        setSent({ email: email.trim(), platform: platformName.trim(), outbox: answer.outbox });
      }
    },
    leaves: open,
  });

  const footer = (
    <>
      Already have an account? <a href="#/signin">Sign in</a>
    </>
  );

  if (mode === 'closed') {
    return (
      <AuthLayout title="Set up an account" footer={footer}>
        <FormError message="Sign-up is closed on this server: ask an admin of your platform for an invitation." />
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title={sent ? 'One more step' : 'Set up an account'}
      subtitle={sent ? undefined : 'Create your platform and its first admin. You can invite your team afterwards.'}
      footer={footer}
    >
      {/* Always there, so a screen reader announces the confirmation as it appears (WAI-ARIA 1.2, role "status"). */}
      <div className="sign-up-sent-region" role="status" aria-live="polite" aria-atomic="true">
        {sent && (
          <>
            <p className="sign-up-sent">
              <MailIcon size={20} />
              <span>
                Check your inbox: we sent a link to <strong>{sent.email}</strong> to finish creating <strong>{sent.platform}</strong>. It is valid for one
                hour.
              </span>
            </p>
            {sent.outbox && (
              <p className="hint sign-up-outbox">
                This server sends no mail (it has no <code>TESSERA_SMTP_URL</code>): the message is in its outbox folder. Run <code>npx tessera mail</code> in
                the server&apos;s project folder to print it, then open the link.
              </p>
            )}
          </>
        )}
      </div>
      {sent ? (
        <Button variant="secondary" className="button-block" onClick={() => setSent(null)}>
          Use another email or platform name
        </Button>
      ) : (
        <form onSubmit={submit} noValidate>
          <div className="field">
            <label htmlFor="signup-email">Email</label>
            <input id="signup-email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} aria-describedby={open ? undefined : 'signup-email-hint'} />
            {!open && (
              <p className="hint" id="signup-email-hint">
                We send a link there; you choose your password on its page.
              </p>
            )}
          </div>
          {open && <NewPasswordField id="signup-password" value={password} onChange={setPassword} />}
          <div className="field">
            <label htmlFor="signup-platform">Platform name</label>
            <input
              id="signup-platform"
              autoComplete="organization"
              spellCheck={false}
              value={platformName}
              onChange={(e) => setPlatformName(e.target.value)}
              aria-describedby="signup-platform-hint"
            />
            <p className="hint" id="signup-platform-hint">
              Your integrations send it as the user name of HTTP Basic auth to the RaaS API.
            </p>
          </div>
          <FormError message={error} />
          <Button type="submit" loading={busy} className="button-block">
            {open ? 'Create account' : 'Send the link'}
          </Button>
        </form>
      )}
    </AuthLayout>
  );
}
