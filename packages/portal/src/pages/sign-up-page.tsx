import { useState, type FormEvent } from 'react';
import { errorMessage } from '../api/api-error';
import { navigate } from '../router/hash-location';
import { usePortal } from '../session/portal-context';
import { useDocumentTitle } from '../hooks/use-document-title';
import { Button } from '../components/button';
import { FormError } from '../components/form-error';
import { AuthLayout } from './auth-layout';

export function SignUpPage() {
  useDocumentTitle('Set up an account');
  const { api, setSession } = usePortal();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [platformName, setPlatformName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const missing = [email.trim() === '' && 'your email', password === '' && 'a password', platformName.trim() === '' && 'a platform name'].filter(Boolean);
    if (missing.length > 0) {
      setError(`Enter ${missing.join(', ')}.`);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      setSession(await api.signUp({ email: email.trim(), password, platformName: platformName.trim() }));
      navigate('/team', { replace: true });
    } catch (caught) {
      setBusy(false);
      setError(errorMessage(caught));
    }
  };

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
        <div className="field">
          <label htmlFor="signup-password">Password</label>
          <input id="signup-password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} aria-describedby="signup-password-hint" />
          <p className="hint" id="signup-password-hint">
            At least 12 characters. A few unrelated words make a strong one.
          </p>
        </div>
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
