import type { FastifyRequest } from 'fastify';
import type { LoggerOptions } from 'pino';
import { PREFIX } from '../crypto/secrets.js';

const REDACTED = '[redacted]';

/** Headers that carry credentials: Basic/Bearer, the portal's session cookie and its CSRF token. */
const SECRET_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-csrf-token'];

/** Fields that hold a credential wherever they appear in a logged object (a body, an error's extras). */
const SECRET_FIELDS = ['client_secret', 'api_key', 'apiKey', 'token', 'access_token', 'refresh_token', 'password', 'newPassword', 'currentPassword', 'secret'];

/** Where pino blanks a value before it is written (fast-redact paths: one level of wildcard). */
const REDACT_PATHS = [
  ...SECRET_HEADERS.flatMap((h) => [`req.headers["${h}"]`, `res.headers["${h}"]`, `headers["${h}"]`, `*.headers["${h}"]`]),
  ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
];

/** Credentials that can hide in free text (an error's message or stack): typed secrets, JWTs, auth schemes, form and JSON fields. */
const SECRET_TEXT: Array<[RegExp, string]> = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  [new RegExp(`(${[PREFIX.clientSecret, PREFIX.apiKey, PREFIX.invitationToken, PREFIX.session].join('|')})[0-9A-Za-z]+`, 'g'), `$1${REDACTED}`],
  [/eyJ[\w-]*\.[\w-]*\.[\w-]*/g, REDACTED],
  [new RegExp(`\\b(${SECRET_FIELDS.join('|')})=[^&\\s"']*`, 'gi'), `$1=${REDACTED}`],
  [new RegExp(`"(${SECRET_FIELDS.join('|')})"\\s*:\\s*"(?:[^"\\\\]|\\\\.)*"?`, 'gi'), `"$1":"${REDACTED}"`],
];

export function scrubSecrets(text: string): string {
  return SECRET_TEXT.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

/**
 * An error as type, message, stack, code and cause only, its text scrubbed: pino's own serializer copies
 * every property, and an error may carry the request (headers and all) or the body it failed on.
 */
export function serializeError(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) {
    const message = typeof error === 'object' && error !== null && 'message' in error ? String((error as { message: unknown }).message) : String(error);
    return { message: scrubSecrets(message) };
  }
  const out: Record<string, unknown> = { type: error.constructor.name, message: scrubSecrets(error.message), stack: scrubSecrets(error.stack ?? '') };
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  if (typeof statusCode === 'number') out.statusCode = statusCode;
  if (error.cause !== undefined && depth < 3) out.cause = serializeError(error.cause, depth + 1);
  return out;
}

/** The server's pino options: level, credentials redacted, requests logged by path only. */
export function logOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    serializers: {
      // Paths only: a query string may carry a token, and headers carry credentials.
      req: (req: FastifyRequest) => ({ method: req.method, url: req.url.split('?')[0], remoteAddress: req.ip }),
      err: serializeError,
    },
  };
}
