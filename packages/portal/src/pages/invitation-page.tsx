import { useState, type FormEvent } from 'react';
import { errorMessage, isApiError } from '../api/api-error';
import { navigate } from '../router/hash-location';
import { usePortal } from '../session/portal-context';
import { useDocumentTitle } from '../hooks/use-document-title';
import { Button } from '../components/button';
import { FormError } from '../components/form-error';
import { AuthLayout } from './auth-layout';

export function InvitationPage({ token }: { token: string }) {
  useDocumentTitle('Join your team');
  const { api, setSession } = usePortal();
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (password === '') {
      setError('Choose a password.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      setSession(await api.acceptInvitation({ token, password }));
      // Replace the entry, so the token does not stay in the history.
      navigate('/team', { replace: true });
    } catch (caught) {
      setBusy(false);
      setError(
        isApiError(caught) && caught.status === 404
          ? 'This invitation link is not valid: it was used, cancelled or has expired. Ask an admin of your team for a new one.'
          : errorMessage(caught),
      );
    }
  };

  return (
    <AuthLayout
      title="Join your team"
      subtitle="You were invited to a platform on Tessera. Choose a password to finish setting up your account."
      footer={
        <>
          Already joined? <a href="#/signin">Sign in</a>
        </>
      }
    >
      <form onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="invitation-password">Password</label>
          <input id="invitation-password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} autoFocus aria-describedby="invitation-password-hint" />
          <p className="hint" id="invitation-password-hint">
            At least 12 characters. A few unrelated words make a strong one.
          </p>
        </div>
        <FormError message={error} />
        <Button type="submit" loading={busy} className="button-block">
          Join the team
        </Button>
      </form>
    </AuthLayout>
  );
}
