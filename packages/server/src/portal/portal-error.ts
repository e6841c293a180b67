/**
 * A refusal that belongs to the portal surface itself, not to the domain: no session, a cross-site
 * request, a member asking for an admin's action, a stale sign-in. The error handler sends it as
 * `{error, message}` with its status (docs/portal-api.md).
 */
export class PortalError extends Error {
  constructor(
    readonly status: 401 | 403,
    readonly error: 'unauthenticated' | 'csrf' | 'forbidden' | 'reauthentication_required' | 'signup_closed',
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
