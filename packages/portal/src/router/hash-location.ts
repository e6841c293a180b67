import { useSyncExternalStore } from 'react';

// Routes live in the fragment: the server serves only `/`, and a fragment (an invitation token)
// never reaches a server log (RFC 3986 §3.5: the fragment is not sent).

export type Location = { path: string; query: URLSearchParams };

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

const snapshot = (): string => window.location.hash;

export function parseHash(hash: string): Location {
  const text = hash.replace(/^#/, '');
  const at = text.indexOf('?');
  const path = (at === -1 ? text : text.slice(0, at)) || '/';
  return { path: path.startsWith('/') ? path : `/${path}`, query: new URLSearchParams(at === -1 ? '' : text.slice(at + 1)) };
}

/** The current hash, re-rendering on every change. */
export function useHash(): string {
  return useSyncExternalStore(subscribe, snapshot, () => '');
}

/** Go to a route (`/team`, `/signin?next=…`); `replace` keeps it out of the history. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const hash = `#${to}`;
  if (options.replace) {
    window.history.replaceState(window.history.state, '', hash);
    // replaceState fires no hashchange: tell the subscribers ourselves.
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    window.location.hash = hash;
  }
}

/** The current route with its query, to come back to after signing in. */
export function currentRoute(): string {
  return window.location.hash.replace(/^#/, '') || '/';
}
