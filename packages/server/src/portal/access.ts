import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { RequestOrigin } from '../accounts/account-deps.js';
import { type ActiveSession, csrfTokenMatches, recentlyAuthenticated, resolveSession, type SessionDeps } from '../accounts/sessions.js';
import { csrf, forbidden, misdirected, reauthenticationRequired, unauthenticated } from './portal-error.js';
import type { SessionCookie } from './session-cookie.js';
import { thisServer } from './this-server.js';

/**
 * Who may call a route: anyone (sign-up, sign-in, accepting an invitation: no session yet), any signed-in
 * user, or an admin (`what` names the action in the 403). `recentAuth`: a password entered in the last
 * 5 minutes (generating and revealing secrets).
 */
export type Access = { public: true } | { public?: false; admin?: { what: string }; recentAuth?: boolean };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    /** The portal session of the request; set for every route that is not public. */
    portalSession: ActiveSession | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The portal's gate, run before anything is parsed: the host name, the cross-site checks, then the
 * session, then the role and the recent sign-in. Host: the request must name this server (the public
 * URL's host, or a loopback name when that URL is local: portal/this-server.ts), else 421, so a
 * DNS-rebinding page, which names its own host, gets nothing. CSRF (docs/portal-api.md): every unsafe
 * request must come from this server's origin when the browser says where it comes from (Origin,
 * RFC 6454 §7; Sec-Fetch-Site, Fetch Metadata), and carry the session's X-CSRF-Token; the public ones,
 * which have no session yet, must be application/json, which a cross-site form cannot send without a
 * preflight we never grant.
 */
export function accessHook(deps: SessionDeps, cookie: SessionCookie, publicUrl: string): onRequestAsyncHookHandler {
  const server = thisServer(publicUrl);
  const origin = server.origin;
  return async (request, reply) => {
    const access = request.routeOptions.config.access;
    if (!access) return; // not a portal route: the 404 handler answers
    // Host, or X-Forwarded-Host from a trusted proxy (TESSERA_TRUST_PROXY).
    if (!server.isHost(request.host)) throw misdirected(origin);
    const unsafe = !SAFE_METHODS.has(request.method);
    if (unsafe) {
      const sentOrigin = request.headers.origin;
      // Only origins taken from the public URL: the one the request names (Host) is the attacker's
      // choice under DNS rebinding, and a page elsewhere sends its own origin (RFC 6454 §5).
      if (sentOrigin !== undefined && !server.isOrigin(sentOrigin)) throw csrf(`Requests must come from ${origin}`);
      const site = request.headers['sec-fetch-site'];
      if (site !== undefined && site !== 'same-origin') throw csrf(`Requests must come from ${origin}`);
    }
    if (access.public) {
      if (unsafe && mediaType(request) !== 'application/json') throw csrf('Send the request body as application/json');
      return;
    }
    const id = cookie.read(request);
    const session = id === undefined ? undefined : await resolveSession(deps, id);
    if (!session) {
      if (id !== undefined) cookie.clear(reply);
      throw unauthenticated();
    }
    if (unsafe) {
      const token = request.headers['x-csrf-token'];
      if (!csrfTokenMatches(session, typeof token === 'string' ? token : undefined)) throw csrf('The X-CSRF-Token header is missing or does not match the session');
    }
    if (access.admin && session.user.role !== 'admin') throw forbidden(access.admin.what);
    if (access.recentAuth && !recentlyAuthenticated(deps, session)) throw reauthenticationRequired();
    request.portalSession = session;
  };
}

function mediaType(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The request's session: every route but the public ones has one (see {@link accessHook}). */
export function sessionOf(request: FastifyRequest): ActiveSession {
  if (!request.portalSession) throw unauthenticated();
  return request.portalSession;
}

/** Where the request came from, for the audit log and the throttle. */
export function originOf(request: FastifyRequest): RequestOrigin {
  return { sourceAddress: request.ip, userAgent: request.headers['user-agent'] ?? null };
}

/** The audit log's actor for a signed-in user's request. */
export function actorOf(request: FastifyRequest): { actor: string; sourceAddress: string; userAgent: string | null } {
  return { actor: sessionOf(request).user.email, ...originOf(request) };
}
