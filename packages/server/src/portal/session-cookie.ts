import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The session cookie (docs/portal-api.md): HttpOnly (no script reads it), SameSite=Lax (not sent on
 * cross-site subrequests), Path=/. Over https it is Secure with the `__Host-` prefix, which a browser
 * accepts only from a secure origin, with Path=/ and no Domain, so no subdomain can set or shadow it
 * (RFC 6265bis §4.1.3.2).
 */
export class SessionCookie {
  readonly name: string;
  private readonly secure: boolean;

  constructor(publicUrl: string) {
    this.secure = new URL(publicUrl).protocol === 'https:';
    this.name = this.secure ? '__Host-tessera_session' : 'tessera_session';
  }

  /** The session id the request presents, if any. */
  read(request: FastifyRequest): string | undefined {
    const value = request.cookies[this.name];
    return value === undefined || value === '' ? undefined : value;
  }

  /** No Max-Age: the cookie ends with the browser; the session ends sooner by the store's timeouts. */
  set(reply: FastifyReply, id: string): void {
    reply.setCookie(this.name, id, this.attributes());
  }

  clear(reply: FastifyReply): void {
    reply.clearCookie(this.name, this.attributes());
  }

  private attributes() {
    return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: this.secure };
  }
}
