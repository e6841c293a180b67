import { useState } from 'react';
import { errorMessage, isApiError } from '../api/api-error';
import { navigate } from '../router/hash-location';
import { usePortal } from '../session/portal-context';
import { useDocumentTitle } from '../hooks/use-document-title';
import { useSubmit } from '../hooks/use-submit';
import { Button } from '../components/button';
import { FormError } from '../components/form-error';
import { NewPasswordField } from '../components/new-password-field';
import { AuthLayout } from './auth-layout';

export function InvitationPage({ token }: { token: string }) {
  useDocumentTitle('Join your team');
  const { api, setSession } = usePortal();
  const [password, setPassword] = useState('');
  const { busy, error, submit } = useSubmit({
    validate: () => (password === '' ? 'Choose a password.' : null),
    run: async () => {
      setSession(await api.acceptInvitation({ token, password }));
      // Replace the entry, so the token does not stay in the history.
      navigate('/team', { replace: true });
    },
    describe: (caught) =>
      isApiError(caught) && caught.status === 404
        ? 'This invitation link is not valid: it was used, cancelled or has expired. Ask an admin of your team for a new one.'
        : errorMessage(caught),
    leaves: true,
  });

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
        <NewPasswordField id="invitation-password" value={password} onChange={setPassword} autoFocus />
        <FormError message={error} />
        <Button type="submit" loading={busy} className="button-block">
          Join the team
        </Button>
      </form>
    </AuthLayout>
  );
}
