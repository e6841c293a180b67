import type { IncomingMessage, ServerResponse } from 'node:http';
import { VerificationError } from './errors.js';
import type { TesseraPrincipal } from './principal.js';
import type { Verifier } from './verifier.js';

declare global {
  // Express's own way to type what a middleware adds to its request (@types/express-serve-static-core).
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The caller, set by tesseraExpress before the handlers it protects. */
      tessera?: TesseraPrincipal;
    }
  }
}

type Next = (error?: unknown) => void;

/** Express's `req.ip` (its `trust proxy` setting applied), else Connect's bare socket address. */
function clientIp(req: IncomingMessage & { ip?: string }): string | undefined {
  return req.ip ?? req.socket.remoteAddress;
}

/**
 * Express/Connect middleware: the handlers after it run only for a credential Tessera accepts for the
 * verifier's audience, with `req.tessera` the caller. A refusal is sent as its status, its
 * `WWW-Authenticate` (and `Retry-After`) headers and `{error, error_description}`.
 */
export function tesseraExpress(verifier: Verifier): (req: IncomingMessage & { tessera?: TesseraPrincipal; ip?: string }, res: ServerResponse, next: Next) => void {
  return (req, res, next) => {
    const ip = clientIp(req);
    verifier.verify({ headers: req.headers, rawHeaders: req.rawHeaders, ...(ip === undefined ? {} : { ip }) }).then(
      (principal) => {
        req.tessera = principal;
        next();
      },
      (error: unknown) => {
        if (!(error instanceof VerificationError)) return next(error);
        const body = JSON.stringify(error.toJSON());
        res.statusCode = error.status;
        for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
        res.setHeader('Cache-Control', 'no-store');
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.setHeader('Content-Length', Buffer.byteLength(body));
        res.end(body);
      },
    );
  };
}
