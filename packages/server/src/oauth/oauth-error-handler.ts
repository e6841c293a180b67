import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { OAuthError } from './oauth-error.js';

/**
 * Turns any failure of the OAuth endpoints into an RFC 6749 §5.2 JSON error: OAuthErrors as they are,
 * Fastify's body errors as invalid_request (or 413), anything unexpected as server_error with nothing
 * internal in the body.
 */
export function sendOAuthError(error: FastifyError | OAuthError, log: FastifyInstance['log'], reply: FastifyReply, bodyLimit: number) {
  if (error instanceof OAuthError) {
    log.info({ error: error.error, detail: error.detail ?? error.description }, 'oauth request refused');
    return reply.code(error.status).headers(error.headers).send(error.toJSON());
  }
  const fastifyError = error as FastifyError;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return reply.code(413).send({ error: 'invalid_request', error_description: `The request body is larger than ${bodyLimit} bytes` });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return reply.code(400).send({
        error: 'invalid_request',
        error_description: 'The Content-Type must be application/x-www-form-urlencoded (RFC 6749 §4.4.2) or application/json',
      });
  }
  if (fastifyError.statusCode !== undefined && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    // Never echo the parser's message: it can quote the body, and the body holds the client secret.
    const json = ['FST_ERR_CTP_INVALID_JSON_BODY', 'FST_ERR_CTP_EMPTY_JSON_BODY'].includes(fastifyError.code) || error instanceof SyntaxError;
    const what = json ? 'is not valid JSON' : 'could not be read';
    return reply.code(400).send({ error: 'invalid_request', error_description: `The request body ${what}` });
  }
  log.error({ err: error }, 'token endpoint failed');
  return reply.code(500).send({ error: 'server_error', error_description: 'The server could not complete the request' });
}
