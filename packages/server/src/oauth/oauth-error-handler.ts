import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { retryAfter, TesseraError } from '../errors.js';
import { invalidRequest, OAuthError } from './oauth-error.js';

/**
 * The OAuth endpoints' one mapping of errors to the RFC 6749 §5.2 JSON body: OAuthErrors as they are,
 * the domain's errors by code, Fastify's body errors as invalid_request (or 413), anything unexpected
 * as server_error with nothing internal in the body.
 */
export function sendOAuthError(error: FastifyError | OAuthError | TesseraError, log: FastifyInstance['log'], reply: FastifyReply, bodyLimit: number) {
  const refusal = error instanceof OAuthError ? error : error instanceof TesseraError ? fromDomainError(error) : fromFastifyError(error, bodyLimit);
  if (!refusal) {
    log.error({ err: error }, 'token endpoint failed');
    return reply.code(500).send(new OAuthError('server_error', 'The server could not complete the request', { status: 500 }).toJSON());
  }
  return sendRefusal(refusal, log, reply);
}

/** An OAuthError as its RFC 6749 §5.2 answer; the detail goes to the log only. */
export function sendRefusal(refusal: OAuthError, log: FastifyInstance['log'], reply: FastifyReply) {
  log.info({ error: refusal.error, detail: refusal.detail ?? refusal.description }, 'oauth request refused');
  return reply.code(refusal.status).headers(refusal.headers).send(refusal.toJSON());
}

/** The domain's errors that can reach these endpoints; any other is unexpected here. */
function fromDomainError(error: TesseraError): OAuthError | undefined {
  if (error.code === 'too_many_failures') {
    return new OAuthError('too_many_requests', error.message, { status: 429, headers: retryAfter(error) });
  }
  if (error.code === 'unavailable') {
    // Never a token without its quota check: the store decides, and while it is away nothing is issued.
    return new OAuthError('temporarily_unavailable', error.message, {
      status: 503,
      headers: retryAfter(error),
      detail: String(error.cause),
    });
  }
  return undefined;
}

/** Fastify's own refusals of a request body, said without the parser's message (it can quote the body, which holds the secret). */
function fromFastifyError(error: FastifyError, bodyLimit: number): OAuthError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new OAuthError('invalid_request', `The request body is larger than ${bodyLimit} bytes`, { status: 413 });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return invalidRequest('The Content-Type must be application/x-www-form-urlencoded (RFC 6749 section 4.4.2) or application/json');
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) return invalidRequest('The request body could not be read');
  return undefined;
}
