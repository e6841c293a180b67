import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { retryAfter, TesseraError } from '../errors/tessera-error.js';
import { isServerFault, saysWhenToComeBack, statusOfCode } from '../http/status-of-code.js';
import { PortalError } from './portal-error.js';
import { schemaErrorMessage } from './schema-error-message.js';

/**
 * The portal's one mapping of errors to `{error, message}` (docs/portal-api.md). Expected failures
 * carry their own message; a parser's message is never repeated (it can quote the body); anything
 * unexpected is a 500 that says nothing more, with the details in the log.
 */
export function portalErrorHandler(error: FastifyError | TesseraError | PortalError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const send = (status: number, code: string, message: string) => reply.code(status).send({ error: code, message });
  if (error instanceof PortalError) return send(error.status, error.error, error.message);
  if (error instanceof TesseraError) {
    // The domain's statuses as they are (http/status-of-code.ts): the portal chooses only the body.
    const status = statusOfCode(error.code);
    if (!isServerFault(status)) {
      if (saysWhenToComeBack(status)) reply.headers(retryAfter(error));
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
