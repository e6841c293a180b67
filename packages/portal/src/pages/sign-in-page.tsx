import { useState } from 'react';
import { navigate } from '../router/hash-location';
import { usePortal } from '../session/portal-context';
import { useDocumentTitle } from '../hooks/use-document-title';
import { useSubmit } from '../hooks/use-submit';
import { Button } from '../components/button';
import { FormError } from '../components/form-error';
import { AuthLayout } from './auth-layout';

export function SignInPage({ next }: { next: string | null }) {
  useDocumentTitle('Sign in');
  const { api, setSession } = usePortal();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, submit } = useSubmit({
    validate: () => (email.trim() === '' || password === '' ? 'Enter your email and password.' : null),
    run: async () => {
      setSession(await api.signIn({ email: email.trim(), password }));
      navigate(next ?? '/team', { replace: true });
    },
    leaves: true,
  });

  return (
    <AuthLayout
      title="Sign in to your team"
      subtitle="Manage your platform's OAuth client credentials, RaaS API keys and audit log."
      footer={
        <>
          New to Tessera? <a href="#/signup">Set up an account</a>
        </>
      }
    >
      <form onSubmit={submit} noValidate aria-describedby={error ? 'signin-error' : undefined}>
        <div className="field">
          <label htmlFor="signin-email">Email</label>
          <input id="signin-email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="signin-password">Password</label>
          <input id="signin-password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </div>
        <FormError id="signin-error" message={error} />
        <Button type="submit" loading={busy} className="button-block">
          Sign in
        </Button>
      </form>
    </AuthLayout>
  );
}
