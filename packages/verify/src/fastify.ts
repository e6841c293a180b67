import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { VerificationError } from './errors.js';
import type { TesseraPrincipal } from './principal.js';
import { createVerifier, type Verifier, type VerifierOptions } from './verifier.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, set by the tesseraFastify plugin before any handler of the routes it protects; null elsewhere. */
    tessera: TesseraPrincipal | null;
  }
}

/** A verifier made elsewhere (closed by its maker), or the options of one the plugin makes (and closes with the app). */
export type TesseraFastifyOptions = { verifier: Verifier } | VerifierOptions;

/** Sends a refusal: its status, its challenge and Retry-After headers, and `{error, error_description}`. */
function refuse(reply: FastifyReply, error: VerificationError): FastifyReply {
  return reply
    .code(error.status)
    .headers(error.headers as Record<string, string | string[]>)
    .header('Cache-Control', 'no-store')
    .send(error.toJSON());
}

async function plugin(app: FastifyInstance, options: TesseraFastifyOptions): Promise<void> {
  const owned = !('verifier' in options);
  const verifier = 'verifier' in options ? options.verifier : createVerifier(options);
  if (owned) app.addHook('onClose', () => verifier.close());
  app.decorateRequest('tessera', null);
  const refused = (request: FastifyRequest, reply: FastifyReply, error: unknown, done: (error?: Error) => void): void => {
    if (!(error instanceof VerificationError)) return done(error as Error);
    if (error.status === 503) request.log.warn({ tessera: error.description }, 'request refused: Tessera could not check the credential');
    refuse(reply, error);
  };
  // onRequest: before the body is read, so a refused caller costs no parsing. Callback style, so that a
  // credential whose answer is remembered costs no promise (verifier.cached); the rest awaits verify().
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    const asked = { headers: request.headers, rawHeaders: request.raw.rawHeaders, ip: request.ip };
    let principal: TesseraPrincipal | undefined;
    try {
      principal = verifier.cached(asked);
    } catch (error) {
      return refused(request, reply, error, done);
    }
    if (principal) {
      request.tessera = principal;
      return done();
    }
    verifier.verify(asked).then(
      (verified) => {
        request.tessera = verified;
        done();
      },
      (error: unknown) => refused(request, reply, error, done),
    );
  });
}

/**
 * Fastify plugin: every route of the context it is registered in (and its children) needs a credential
 * Tessera accepts for the audience; `request.tessera` is the caller. Registered at the root it protects
 * every route; registered inside a plugin of yours, that plugin's routes only.
 */
export const tesseraFastify = fp(plugin, { fastify: '5.x', name: '@tessera/verify' });
