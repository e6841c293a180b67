import { useState } from 'react';
import { navigate } from '../router/hash-location';
import { usePortal } from '../session/portal-context';
import { useDocumentTitle } from '../hooks/use-document-title';
import { useSubmit } from '../hooks/use-submit';
import { Button } from '../components/button';
import { FormError } from '../components/form-error';
import { NewPasswordField } from '../components/new-password-field';
import { AuthLayout } from './auth-layout';

export function SignUpPage() {
  useDocumentTitle('Set up an account');
  const { api, setSession } = usePortal();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [platformName, setPlatformName] = useState('');
  const { busy, error, submit } = useSubmit({
    validate: () => {
      const missing = [email.trim() === '' && 'your email', password === '' && 'a password', platformName.trim() === '' && 'a platform name'].filter(Boolean);
      return missing.length > 0 ? `Enter ${missing.join(', ')}.` : null;
    },
    run: async () => {
      setSession(await api.signUp({ email: email.trim(), password, platformName: platformName.trim() }));
      navigate('/team', { replace: true });
    },
    leaves: true,
  });

  return (
    <AuthLayout
      title="Set up an account"
      subtitle="Create your platform and its first admin. You can invite your team afterwards."
      footer={
        <>
          Already have an account? <a href="#/signin">Sign in</a>
        </>
      }
    >
      <form onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="signup-email">Email</label>
          <input id="signup-email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
        </div>
        <NewPasswordField id="signup-password" value={password} onChange={setPassword} />
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
          Create account
        </Button>
      </form>
    </AuthLayout>
  );
}
