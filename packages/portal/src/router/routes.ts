// The portal's routes. Each path maps to one view; anything else is "not found".

export type Route =
  | { name: 'home' }
  | { name: 'signin'; next: string | null }
  | { name: 'signup' }
  | { name: 'invitation'; token: string }
  | { name: 'signup-finish'; token: string }
  | { name: 'team' }
  | { name: 'oauth-clients' }
  | { name: 'api-keys' }
  | { name: 'members' }
  | { name: 'audit' }
  | { name: 'accounts' }
  | { name: 'account'; accountIdentifier: string }
  | { name: 'orders' }
  | { name: 'order'; referenceOrderID: string }
  | { name: 'not-found'; path: string };

export const PUBLIC_ROUTES = new Set<Route['name']>(['signin', 'signup', 'invitation', 'signup-finish']);

const FIXED: Record<string, Route> = {
  '/': { name: 'home' },
  '/signup': { name: 'signup' },
  '/team': { name: 'team' },
  '/team/oauth-clients': { name: 'oauth-clients' },
  '/team/api-keys': { name: 'api-keys' },
  '/team/members': { name: 'members' },
  '/audit': { name: 'audit' },
  '/accounts': { name: 'accounts' },
  '/orders': { name: 'orders' },
};

export function matchRoute(path: string, query: URLSearchParams): Route {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  if (trimmed === '/signin') return { name: 'signin', next: safeNext(query.get('next')) };
  const invitation = /^\/invitation\/([^/]+)$/.exec(trimmed);
  if (invitation?.[1]) return { name: 'invitation', token: decodeURIComponent(invitation[1]) };
  const signUpLink = /^\/signup\/([^/]+)$/.exec(trimmed);
  if (signUpLink?.[1]) return { name: 'signup-finish', token: decodeURIComponent(signUpLink[1]) };
  const account = /^\/accounts\/([^/]+)$/.exec(trimmed);
  if (account?.[1]) return { name: 'account', accountIdentifier: decodeURIComponent(account[1]) };
  const order = /^\/orders\/([^/]+)$/.exec(trimmed);
  if (order?.[1]) return { name: 'order', referenceOrderID: decodeURIComponent(order[1]) };
  return FIXED[trimmed] ?? { name: 'not-found', path };
}

/** Only a route of this portal (`/team/…`), never a sign-in page or another origin. */
export function safeNext(next: string | null): string | null {
  if (next === null || !next.startsWith('/') || next.startsWith('//')) return null;
  const at = next.indexOf('?');
  const route = matchRoute(at === -1 ? next : next.slice(0, at), new URLSearchParams());
  return PUBLIC_ROUTES.has(route.name) || route.name === 'not-found' || route.name === 'home' ? null : next;
}

export const signInRoute = (next: string | null): string =>
  next && safeNext(next) ? `/signin?next=${encodeURIComponent(next)}` : '/signin';
