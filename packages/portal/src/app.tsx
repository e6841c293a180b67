import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { errorMessage, isApiError } from './api/api-error';
import type { PortalApi } from './api/portal-api';
import type { Session } from './api/types';
import { currentRoute, navigate, parseHash, useHash } from './router/hash-location';
import { matchRoute, PUBLIC_ROUTES, signInRoute, type Route } from './router/routes';
import { PortalContext } from './session/portal-context';
import { ReauthProvider } from './session/reauth';
import { AppShell } from './layout/app-shell';
import { Loading } from './components/loading';
import { Button } from './components/button';
import { SignInPage } from './pages/sign-in-page';
import { SignUpPage } from './pages/sign-up-page';
import { InvitationPage } from './pages/invitation-page';
import { SignUpFinishPage } from './pages/sign-up-finish-page';
import { TeamPage } from './pages/team-page';
import { OAuthClientsPage } from './pages/oauth-clients-page';
import { ApiKeysPage } from './pages/api-keys-page';
import { MembersPage } from './pages/members-page';
import { AuditPage } from './pages/audit-page';
import { AccountsPage } from './pages/accounts-page';
import { AccountPage } from './pages/account-page';
import { OrdersPage } from './pages/orders-page';
import { OrderPage } from './pages/order-page';
import { NotFoundPage } from './pages/not-found-page';

type Boot = { state: 'loading' } | { state: 'ready' } | { state: 'failed'; message: string };

export function App({ api }: { api: PortalApi }) {
  const hash = useHash();
  const route = useMemo(() => {
    const { path, query } = parseHash(hash);
    return matchRoute(path, query);
  }, [hash]);
  const [session, setSession] = useState<Session | null>(null);
  const [boot, setBoot] = useState<Boot>({ state: 'loading' });

  // Who is signed in: a 401 means no one (the API client then takes the person to sign-in).
  const fetchSession = useCallback(
    () =>
      api.session().then(
        (current) => {
          setSession(current);
          setBoot({ state: 'ready' });
        },
        (error: unknown) => {
          if (isApiError(error, 'unauthenticated')) setBoot({ state: 'ready' });
          else setBoot({ state: 'failed', message: errorMessage(error) });
        },
      ),
    [api],
  );

  useEffect(() => {
    void fetchSession();
  }, [fetchSession]);

  const retry = () => {
    setBoot({ state: 'loading' });
    void fetchSession();
  };

  // The API client takes the person to sign-in; here the session it had is dropped.
  useEffect(() => api.http.onUnauthenticated(() => setSession(null)), [api]);

  const portal = useMemo(() => ({ api, session, setSession }), [api, session]);

  if (boot.state === 'loading') return <Loading label="Loading the portal…" />;
  if (boot.state === 'failed') {
    return (
      <div className="public-page">
        <div className="auth-card" role="alert">
          <h1>The portal could not start</h1>
          <p className="muted">{boot.message}</p>
          <Button onClick={retry}>Try again</Button>
        </div>
      </div>
    );
  }

  return (
    <PortalContext.Provider value={portal}>
      <ReauthProvider>
        <Routed route={route} session={session} />
      </ReauthProvider>
    </PortalContext.Provider>
  );
}

function Routed({ route, session }: { route: Route; session: Session | null }) {
  if (route.name === 'home') return <Redirect to={session ? '/team' : '/signin'} />;
  if (route.name === 'invitation') return <InvitationPage token={route.token} />;
  if (route.name === 'signup-finish') return <SignUpFinishPage token={route.token} />;
  if (PUBLIC_ROUTES.has(route.name)) {
    if (session) return <Redirect to={route.name === 'signin' && route.next ? route.next : '/team'} />;
    return route.name === 'signin' ? <SignInPage next={route.next} /> : <SignUpPage />;
  }
  if (!session) {
    if (route.name === 'not-found') return <NotFoundPage signedIn={false} />;
    return <Redirect to={signInRoute(currentRoute())} />;
  }
  return <AppShell route={route}>{page(route)}</AppShell>;
}

function page(route: Route): ReactNode {
  switch (route.name) {
    case 'team':
      return <TeamPage />;
    case 'oauth-clients':
      return <OAuthClientsPage />;
    case 'api-keys':
      return <ApiKeysPage />;
    case 'members':
      return <MembersPage />;
    case 'audit':
      return <AuditPage />;
    case 'accounts':
      return <AccountsPage />;
    case 'account':
      return <AccountPage key={route.accountIdentifier} accountIdentifier={route.accountIdentifier} />;
    case 'orders':
      return <OrdersPage />;
    case 'order':
      return <OrderPage key={route.referenceOrderID} referenceOrderID={route.referenceOrderID} />;
    default:
      return <NotFoundPage signedIn />;
  }
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}
