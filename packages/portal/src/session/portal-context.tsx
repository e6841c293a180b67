import { createContext, useContext } from 'react';
import type { PortalApi } from '../api/portal-api';
import type { Session } from '../api/types';

export type Portal = {
  api: PortalApi;
  /** null when signed out. */
  session: Session | null;
  setSession: (session: Session | null) => void;
};

export const PortalContext = createContext<Portal | null>(null);

export function usePortal(): Portal {
  const portal = useContext(PortalContext);
  if (portal === null) throw new Error('usePortal needs a PortalContext provider');
  return portal;
}

/** The signed-in session: only for views behind the sign-in guard. */
export function useSession(): Session {
  const { session } = usePortal();
  if (session === null) throw new Error('useSession needs a signed-in session');
  return session;
}

export const isAdmin = (session: Session): boolean => session.user.role === 'admin';
