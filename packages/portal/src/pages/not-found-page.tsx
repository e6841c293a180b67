import { useDocumentTitle } from '../hooks/use-document-title';
import { AuthLayout } from './auth-layout';

export function NotFoundPage({ signedIn }: { signedIn: boolean }) {
  useDocumentTitle('Page not found');
  const body = (
    <p className="muted">
      There is no page at this address. {signedIn ? <a href="#/team">Go to Team settings</a> : <a href="#/signin">Go to sign in</a>}.
    </p>
  );
  if (!signedIn) return <AuthLayout title="Page not found">{body}</AuthLayout>;
  return (
    <section className="not-found">
      <h1>Page not found</h1>
      {body}
    </section>
  );
}
