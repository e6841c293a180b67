import { type ReactNode, useEffect, useState } from 'react';
import { errorMessage, isApiError } from '../api/api-error';
import type { SignUpPreview } from '../api/types';
import { navigate } from '../router/hash-location';
import { usePortal } from '../session/portal-context';
import { useDocumentTitle } from '../hooks/use-document-title';
import { useSubmit } from '../hooks/use-submit';
import { Button } from '../components/button';
import { FormError } from '../components/form-error';
import { Loading } from '../components/loading';
import { NewPasswordField } from '../components/new-password-field';
import { AuthLayout } from './auth-layout';

const NOT_VALID = 'This sign-up link is not valid: it was used or has expired. Sign up again to get a new one.';

/** A 404: the link was used or has expired. */
const isNotValid = (caught: unknown) => isApiError(caught) && caught.status === 404;

const describe = (caught: unknown) => (isNotValid(caught) ? NOT_VALID : errorMessage(caught));

/** What the page knows of its link: still asking, what it creates, or why it cannot say (as invitation-page.tsx). */
type Lookup = { state: 'loading' } | { state: 'found'; signUp: SignUpPreview } | { state: 'failed'; message: string; invalid: boolean };

/** The page of a mailed sign-up link: names the platform it creates and the address, then asks for a password. */
export function SignUpFinishPage({ token }: { token: string }) {
  const { api } = usePortal();
  const [lookup, setLookup] = useState<Lookup>({ state: 'loading' });

  useEffect(() => {
    let live = true;
    api.previewSignUp(token).then(
      (signUp) => live && setLookup({ state: 'found', signUp }),
      (caught: unknown) => live && setLookup({ state: 'failed', message: describe(caught), invalid: isNotValid(caught) }),
    );
    return () => {
      live = false;
    };
  }, [api, token]);

  const title = lookup.state === 'found' ? `Finish creating ${lookup.signUp.platform}` : lookup.state === 'failed' && lookup.invalid ? 'Sign-up link not valid' : 'Finish setting up your account';
  useDocumentTitle(title);
  const footer = (
    <>
      Already have an account? <a href="#/signin">Sign in</a>
    </>
  );

  if (lookup.state === 'loading') {
    return (
      <AuthLayout title={title} footer={footer}>
        <Loading label="Checking your link…" />
      </AuthLayout>
    );
  }
  if (lookup.state === 'failed' && lookup.invalid) {
    return (
      <AuthLayout
        title={title}
        footer={
          <>
            <a href="#/signup">Sign up again</a> · <a href="#/signin">Sign in</a>
          </>
        }
      >
        <FormError message={lookup.message} />
      </AuthLayout>
    );
  }
  return <FinishForm token={token} title={title} signUp={lookup.state === 'found' ? lookup.signUp : null} lookupError={lookup.state === 'failed' ? lookup.message : null} footer={footer} />;
}

type FinishFormProps = {
  token: string;
  title: string;
  /** Null when the look-up failed for another reason (offline): finishing may still work. */
  signUp: SignUpPreview | null;
  lookupError: string | null;
  footer: ReactNode;
};

function FinishForm({ token, title, signUp, lookupError, footer }: FinishFormProps) {
  const { api, setSession } = usePortal();
  const [password, setPassword] = useState('');
  const { busy, error, submit } = useSubmit({
    validate: () => (password === '' ? 'Choose a password.' : null),
    run: async () => {
      setSession(await api.finishSignUp({ token, password }));
      // Replace the entry, so the token does not stay in the history.
      navigate('/team', { replace: true });
    },
    describe,
    leaves: true,
  });

  return (
    <AuthLayout
      title={title}
      subtitle={
        signUp ? (
          <>
            You are creating the platform <strong>{signUp.platform}</strong> on Tessera as <strong>{signUp.email}</strong>, its first admin. Choose a
            password to finish.
          </>
        ) : (
          'You are creating a platform on Tessera. Choose a password to finish.'
        )
      }
      footer={footer}
    >
      <form onSubmit={submit} noValidate>
        {signUp && (
          <div className="field">
            <label htmlFor="finish-email">Email</label>
            <input id="finish-email" type="email" autoComplete="username" value={signUp.email} readOnly aria-describedby="finish-email-hint" />
            <p className="hint" id="finish-email-hint">
              You sign in with this email; the link was sent to it.
            </p>
          </div>
        )}
        <NewPasswordField id="finish-password" value={password} onChange={setPassword} autoFocus />
        <FormError message={error ?? lookupError} />
        <Button type="submit" loading={busy} className="button-block">
          {signUp ? `Create ${signUp.platform}` : 'Create the platform'}
        </Button>
      </form>
    </AuthLayout>
  );
}
