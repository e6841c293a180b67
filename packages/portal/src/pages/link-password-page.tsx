import { type ReactNode, useEffect, useState } from 'react';
import { errorMessage, isApiError } from '../api/api-error';
import type { Session } from '../api/types';
import { navigate } from '../router/hash-location';
import { usePortal } from '../session/portal-context';
import { useDocumentTitle } from '../hooks/use-document-title';
import { useSubmit } from '../hooks/use-submit';
import { Button } from '../components/button';
import { FormError } from '../components/form-error';
import { Loading } from '../components/loading';
import { NewPasswordField } from '../components/new-password-field';
import { AuthLayout } from './auth-layout';

/** What a mailed link names before the person chooses a password. */
type LinkPreview = { platform: string; email: string };

/** The words of one kind of link; `preview` is null when the look-up failed for another reason (offline). */
export type LinkPasswordWords<P extends LinkPreview> = {
  /** Shown for a 404: the link was used or has expired. */
  notValid: string;
  title: (preview: P) => string;
  invalidTitle: string;
  pendingTitle: string;
  loadingLabel: string;
  footer: ReactNode;
  /** The footer under the not-valid message; the usual footer when absent. */
  invalidFooter?: ReactNode;
  subtitle: (preview: P | null) => ReactNode;
  /** Prefix of the form's element ids (`…-email`, `…-password`). */
  idPrefix: string;
  emailHint: string;
  submitLabel: (preview: P | null) => string;
};

type LinkPasswordPageProps<P extends LinkPreview> = {
  token: string;
  preview: (token: string) => Promise<P>;
  finish: (body: { token: string; password: string }) => Promise<Session>;
  words: LinkPasswordWords<P>;
};

/** A 404: the link was used, withdrawn or has expired. */
const isNotValid = (caught: unknown) => isApiError(caught) && caught.status === 404;

const describe = (caught: unknown, notValid: string) => (isNotValid(caught) ? notValid : errorMessage(caught));

/** What the page knows of its link: still asking, what it names, or why it cannot say. */
type Lookup<P> = { state: 'loading' } | { state: 'found'; preview: P } | { state: 'failed'; message: string; invalid: boolean };

/** The page of a mailed link (sign-up, invitation): looks the link up, then asks for a password. */
export function LinkPasswordPage<P extends LinkPreview>({ token, preview, finish, words }: LinkPasswordPageProps<P>) {
  const [lookup, setLookup] = useState<Lookup<P>>({ state: 'loading' });

  useEffect(() => {
    let live = true;
    preview(token).then(
      (found) => live && setLookup({ state: 'found', preview: found }),
      (caught: unknown) => live && setLookup({ state: 'failed', message: describe(caught, words.notValid), invalid: isNotValid(caught) }),
    );
    return () => {
      live = false;
    };
  }, [preview, token, words.notValid]);

  const title = lookup.state === 'found' ? words.title(lookup.preview) : lookup.state === 'failed' && lookup.invalid ? words.invalidTitle : words.pendingTitle;
  useDocumentTitle(title);

  if (lookup.state === 'loading') {
    return (
      <AuthLayout title={title} footer={words.footer}>
        <Loading label={words.loadingLabel} />
      </AuthLayout>
    );
  }
  if (lookup.state === 'failed' && lookup.invalid) {
    return (
      <AuthLayout title={title} footer={words.invalidFooter ?? words.footer}>
        <FormError message={lookup.message} />
      </AuthLayout>
    );
  }
  return (
    <PasswordForm
      token={token}
      title={title}
      preview={lookup.state === 'found' ? lookup.preview : null}
      lookupError={lookup.state === 'failed' ? lookup.message : null}
      finish={finish}
      words={words}
    />
  );
}

type PasswordFormProps<P extends LinkPreview> = {
  token: string;
  title: string;
  /** Null when the look-up failed for another reason (offline): finishing may still work. */
  preview: P | null;
  lookupError: string | null;
  finish: LinkPasswordPageProps<P>['finish'];
  words: LinkPasswordWords<P>;
};

function PasswordForm<P extends LinkPreview>({ token, title, preview, lookupError, finish, words }: PasswordFormProps<P>) {
  const { setSession } = usePortal();
  const [password, setPassword] = useState('');
  const { busy, error, submit } = useSubmit({
    validate: () => (password === '' ? 'Choose a password.' : null),
    run: async () => {
      setSession(await finish({ token, password }));
      // Replace the entry, so the token does not stay in the history.
      navigate('/team', { replace: true });
    },
    describe: (caught) => describe(caught, words.notValid),
    leaves: true,
  });
  const id = words.idPrefix;

  return (
    <AuthLayout title={title} subtitle={words.subtitle(preview)} footer={words.footer}>
      <form onSubmit={submit} noValidate>
        {preview && (
          <div className="field">
            <label htmlFor={`${id}-email`}>Email</label>
            <input id={`${id}-email`} type="email" autoComplete="username" value={preview.email} readOnly aria-describedby={`${id}-email-hint`} />
            <p className="hint" id={`${id}-email-hint`}>
              {words.emailHint}
            </p>
          </div>
        )}
        <NewPasswordField id={`${id}-password`} value={password} onChange={setPassword} />
        <FormError message={error ?? lookupError} />
        <Button type="submit" loading={busy} className="button-block">
          {words.submitLabel(preview)}
        </Button>
      </form>
    </AuthLayout>
  );
}
