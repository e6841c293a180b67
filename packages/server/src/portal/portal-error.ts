/**
 * A refusal that belongs to the portal surface itself, not to the domain: no session, a request for
 * another host name, a cross-site request, a member asking for an admin's action, a stale sign-in. The error handler sends it as
 * `{error, message}` with its status (docs/portal-api.md).
 */
export class PortalError extends Error {
  constructor(
    readonly status: 401 | 403 | 421,
    readonly error: 'unauthenticated' | 'csrf' | 'forbidden' | 'reauthentication_required' | 'signup_closed' | 'misdirected_request',
    message: string,
  ) {
    super(message);
    this.name = 'PortalError';
  }
}

export const unauthenticated = () => new PortalError(401, 'unauthenticated', 'Sign in to continue');
export const reauthenticationRequired = () => new PortalError(403, 'reauthentication_required', 'Enter your password again to continue');
export const csrf = (message: string) => new PortalError(403, 'csrf', message);
export const forbidden = (what: string) => new PortalError(403, 'forbidden', `Only an admin can ${what}`);

/**
 * RFC 9110 §15.5.20: the request names a host this server does not answer for (a DNS-rebinding page,
 * or a name other than the public URL's). Not 403: nothing is wrong with who asks, only with where.
 */
export const misdirected = (origin: string) =>
  new PortalError(421, 'misdirected_request', `The portal answers at ${origin} only: open it there, or set TESSERA_PUBLIC_URL to the address you use`);
