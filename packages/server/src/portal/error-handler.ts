import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorCode, retryAfter, TesseraError } from '../errors.js';
import { PortalError } from './portal-error.js';
import { schemaErrorMessage } from './schema-error-message.js';

/** The domain's errors as the portal's statuses; a code missing here is unexpected in the portal (500). */
const DOMAIN_STATUS: Partial<Record<ErrorCode, number>> = {
  invalid_input: 400,
  invalid_credentials: 401,
  not_found: 404,
  conflict: 409,
  limit_reached: 409,
  too_many_failures: 429,
  unavailable: 503,
  busy: 503,
  // A card the issuer refused (the sandbox's test cards): the request was understood, the payment failed.
  declined: 402,
};

/**
 * The portal's one mapping of errors to `{error, message}` (docs/portal-api.md). Expected failures
 * carry their own message; a parser's message is never repeated (it can quote the body); anything
 * unexpected is a 500 that says nothing more, with the details in the log.
 */
export function portalErrorHandler(error: FastifyError | TesseraError | PortalError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const send = (status: number, code: string, message: string) => reply.code(status).send({ error: code, message });
  if (error instanceof PortalError) return send(error.status, error.error, error.message);
  if (error instanceof TesseraError) {
    const status = DOMAIN_STATUS[error.code];
    if (status !== undefined) {
      // RFC 6585 §4 and RFC 9110 §15.6.4: 429 and 503 say when to come back.
      if (error.code === 'too_many_failures' || error.code === 'unavailable' || error.code === 'busy') reply.headers(retryAfter(error));
      if (error.code === 'unavailable') request.log.warn({ err: error.cause }, 'portal request failed: the store is unavailable');
      return send(status, error.code, error.message);
    }
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) return send(400, 'invalid_input', schemaErrorMessage(fastifyError.validation, fastifyError.validationContext));
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return send(413, 'payload_too_large', `The request body is larger than the limit of ${request.routeOptions.bodyLimit ?? 'this server'} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return send(415, 'unsupported_media_type', 'Send the request body as application/json');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return send(400, 'invalid_input', 'The request body is not valid JSON');
  }
  if (error instanceof SyntaxError) return send(400, 'invalid_input', 'The request body is not valid JSON');
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) return send(status, 'bad_request', 'The request could not be read');
  request.log.error({ err: error }, 'portal request failed');
  return send(500, 'internal_error', 'An unexpected error occurred');
}
