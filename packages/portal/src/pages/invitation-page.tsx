import { type ReactNode, useEffect, useState } from 'react';
import { errorMessage, isApiError } from '../api/api-error';
import type { InvitationPreview, Role } from '../api/types';
import { navigate } from '../router/hash-location';
import { usePortal } from '../session/portal-context';
import { useDocumentTitle } from '../hooks/use-document-title';
import { useSubmit } from '../hooks/use-submit';
import { Button } from '../components/button';
import { FormError } from '../components/form-error';
import { Loading } from '../components/loading';
import { NewPasswordField } from '../components/new-password-field';
import { AuthLayout } from './auth-layout';

const NOT_VALID = 'This invitation link is not valid: it was used, withdrawn or has expired. Ask an admin of your team for a new one.';

/** A 404: the link was used, withdrawn or has expired. */
const isNotValid = (caught: unknown) => isApiError(caught) && caught.status === 404;

const describe = (caught: unknown) => (isNotValid(caught) ? NOT_VALID : errorMessage(caught));

const asRole = (role: Role) => (role === 'admin' ? 'an admin' : 'a member');

/** What the page knows of its link: still asking, what it joins, or why it cannot say. */
type Lookup = { state: 'loading' } | { state: 'found'; invitation: InvitationPreview } | { state: 'failed'; message: string; invalid: boolean };

/** The page of an invitation link: names the platform it joins and the role, then asks for a password. */
export function InvitationPage({ token }: { token: string }) {
  const { api } = usePortal();
  const [lookup, setLookup] = useState<Lookup>({ state: 'loading' });

  useEffect(() => {
    let live = true;
    api.previewInvitation(token).then(
      (invitation) => live && setLookup({ state: 'found', invitation }),
      (caught: unknown) => live && setLookup({ state: 'failed', message: describe(caught), invalid: isNotValid(caught) }),
    );
    return () => {
      live = false;
    };
  }, [api, token]);

  const title = lookup.state === 'found' ? `Join ${lookup.invitation.platform} as ${asRole(lookup.invitation.role)}` : lookup.state === 'failed' && lookup.invalid ? 'Invitation link not valid' : 'Join your team';
  useDocumentTitle(title);
  const footer = (
    <>
      Already joined? <a href="#/signin">Sign in</a>
    </>
  );

  if (lookup.state === 'loading') {
    return (
      <AuthLayout title={title} footer={footer}>
        <Loading label="Checking your invitation…" />
      </AuthLayout>
    );
  }
  if (lookup.state === 'failed' && lookup.invalid) {
    return (
      <AuthLayout title={title} footer={footer}>
        <FormError message={lookup.message} />
      </AuthLayout>
    );
  }
  return <JoinForm token={token} title={title} invitation={lookup.state === 'found' ? lookup.invitation : null} lookupError={lookup.state === 'failed' ? lookup.message : null} footer={footer} />;
}

type JoinFormProps = {
  token: string;
  title: string;
  /** Null when the look-up failed for another reason (offline): joining may still work. */
  invitation: InvitationPreview | null;
  lookupError: string | null;
  footer: ReactNode;
};

function JoinForm({ token, title, invitation, lookupError, footer }: JoinFormProps) {
  const { api, setSession } = usePortal();
  const [password, setPassword] = useState('');
  const { busy, error, submit } = useSubmit({
    validate: () => (password === '' ? 'Choose a password.' : null),
    run: async () => {
      setSession(await api.acceptInvitation({ token, password }));
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
        invitation ? (
          <>
            You were invited as <strong>{invitation.email}</strong> to the platform <strong>{invitation.platform}</strong> on Tessera. Choose a password
            to finish setting up your account.
          </>
        ) : (
          'You were invited to a platform on Tessera. Choose a password to finish setting up your account.'
        )
      }
      footer={footer}
    >
      <form onSubmit={submit} noValidate>
        {invitation && (
          <div className="field">
            <label htmlFor="invitation-email">Email</label>
            <input id="invitation-email" type="email" autoComplete="username" value={invitation.email} readOnly aria-describedby="invitation-email-hint" />
            <p className="hint" id="invitation-email-hint">
              You sign in with this email; the invitation was made for it.
            </p>
          </div>
        )}
        <NewPasswordField id="invitation-password" value={password} onChange={setPassword} autoFocus />
        <FormError message={error ?? lookupError} />
        <Button type="submit" loading={busy} className="button-block">
          {invitation ? `Join ${invitation.platform}` : 'Join the team'}
        </Button>
      </form>
    </AuthLayout>
  );
}
