import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { retryAfter, TesseraError } from '../errors/tessera-error.js';
import { isServerFault, saysWhenToComeBack, statusOfCode } from '../http/status-of-code.js';
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

/**
 * The domain's errors in RFC 6749 §5.2's body: the status is the domain's (http/status-of-code.ts),
 * the `error` code the one §5.2 (or its neighbours) gives it; a server fault is server_error.
 */
function fromDomainError(error: TesseraError): OAuthError | undefined {
  const status = statusOfCode(error.code);
  if (isServerFault(status)) return undefined;
  if (saysWhenToComeBack(status)) {
    // 503: never a token without its quota check; the store decides, and while it is away nothing is
    // issued. RFC 6749 §4.1.2.1 names temporarily_unavailable; 429 (RFC 6585 §4) has no §5.2 code.
    const code = status === 503 ? 'temporarily_unavailable' : 'too_many_requests';
    return new OAuthError(code, error.message, { status, headers: retryAfter(error), detail: error.cause === undefined ? undefined : String(error.cause) });
  }
  // RFC 6749 §5.2: "The authorization server responds with an HTTP 400 (Bad Request) status code
  // (unless specified otherwise)" — otherwise is only invalid_client's 401, which client-auth.ts sends
  // with its challenge. So every other refusal of the domain is 400 invalid_request here, whatever its
  // status elsewhere (a 401, 404 or 409).
  return new OAuthError('invalid_request', error.message, { detail: error.code });
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
