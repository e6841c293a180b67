import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { AuthError, type AuthFailure } from '../auth/auth-error.js';
import { type ErrorCode, retryAfter, TesseraError } from '../errors/tessera-error.js';
import { type RequestPart, requestPart, type SchemaFailure, schemaFailures, valueAt } from '../http/schema-failures.js';
import { isServerFault, saysWhenToComeBack, statusOfCode } from '../http/status-of-code.js';
import { EMAIL_TEMPLATE_PATTERN_MESSAGES } from './email-template-views.js';
import { PATTERN_MESSAGES } from './views.js';

/** One failed constraint of a request, as Tango's ApiValidationError reports it. */
export const FieldError = Type.Object(
  {
    path: Type.String({ description: 'The field, as a dotted path; the part of the request (body, params) for the whole of it' }),
    message: Type.String(),
    invalidValue: Type.Unknown({ description: 'The value that failed (strings cut to 256 characters; null for objects and arrays)' }),
    constraint: Type.String({ description: 'The Bean Validation constraint, as Tango names it: NotNull, Size, Pattern, Email, Type, …' }),
    i18nKey: Type.String(),
  },
  { $id: 'FieldError' },
);
export type FieldError = Static<typeof FieldError>;

/**
 * Tango's error envelope: the body of every error response under /raas/v2. A shared schema (see
 * raas/routes.ts) so that the OpenAPI document names it once and every route refers to it.
 */
export const ErrorEnvelope = Type.Object(
  {
    timestamp: Type.String({ format: 'date-time' }),
    requestId: Type.String({ description: 'The same as the X-REQUEST-ID header: quote it when you report a problem' }),
    path: Type.String(),
    httpCode: Type.Integer(),
    httpPhrase: Type.String(),
    i18nKey: Type.String(),
    message: Type.String(),
    errors: Type.Array(FieldError),
  },
  { $id: 'ErrorEnvelope' },
);
export type ErrorEnvelope = Static<typeof ErrorEnvelope>;

/** A RaaS error response: its status, public message and i18n key, field errors and extra headers. */
export interface RaasError {
  status: number;
  message: string;
  i18nKey: string;
  errors?: FieldError[];
  headers?: Record<string, string | string[]>;
}

/**
 * The one place Tango's envelope is sent, with X-REQUEST-ID: by the error handler below, the 404 and
 * 405 of the routes, and the app for what Fastify refuses before routing. The path never carries the
 * query string, which may hold a credential.
 */
export function sendRaasError(request: FastifyRequest, reply: FastifyReply, now: number, error: RaasError): FastifyReply {
  const body: ErrorEnvelope = {
    timestamp: new Date(now).toISOString(),
    requestId: request.id,
    path: request.url.split('?')[0]!,
    httpCode: error.status,
    httpPhrase: STATUS_CODES[error.status] ?? 'Error',
    i18nKey: error.i18nKey,
    message: error.message,
    errors: error.errors ?? [],
  };
  return reply
    .code(error.status)
    .headers({ ...error.headers, 'X-REQUEST-ID': request.id })
    .send(body);
}

const AUTH_I18N: Record<AuthFailure, string> = {
  credentials_required: 'auth.credentialsRequired',
  unsupported_scheme: 'auth.unsupportedScheme',
  invalid_request: 'auth.invalidRequest',
  invalid_token: 'auth.invalidToken',
  invalid_credentials: 'auth.invalidCredentials',
  insufficient_scope: 'auth.insufficientScope',
};

/**
 * The i18n key of each domain error in Tango's envelope; the status is the domain's
 * (http/status-of-code.ts) but for {@link raasStatus}'s one exception. Exhaustive, like the statuses.
 */
const DOMAIN_I18N: Record<ErrorCode, string> = {
  invalid_input: 'error.badRequest',
  not_found: 'error.notFound',
  conflict: 'error.duplicate',
  limit_reached: 'error.limitReached',
  invalid_credentials: 'auth.invalidCredentials',
  invalid_token: 'auth.invalidToken',
  too_many_failures: 'auth.tooManyFailures',
  invalid_config: 'error.internal',
  cannot_start: 'error.internal',
  unavailable: 'error.serviceUnavailable',
  busy: 'error.serviceUnavailable',
  declined: 'error.creditCard.declined',
  // The reference's createOrder: "402 Insufficient Funds".
  insufficient_funds: 'error.order.insufficientFunds',
  // createOrder's refusals are 400s in the reference (no 404 for an unknown utid).
  unknown_item: 'error.order.unknownUtid',
  invalid_amount: 'error.order.invalidAmount',
  duplicate_order: 'error.order.duplicateExternalRefID',
};

/** The domain's status, as Tango's reference (test/fixtures/tango-raas-v2-console-swagger.json) has it where it differs. */
function raasStatus(code: ErrorCode): number {
  // The reference gives the Fund operations 400 for every refusal (no 402 there): a declined card is one.
  if (code === 'declined') return 400;
  return statusOfCode(code);
}

/** Bean Validation constraint names, as Tango reports them, for the schema keywords that failed. */
const CONSTRAINTS: Record<string, string> = {
  required: 'NotNull',
  type: 'Type',
  minLength: 'Size',
  maxLength: 'Size',
  pattern: 'Pattern',
  format: 'Format',
  enum: 'Enum',
  minimum: 'Min',
  maximum: 'Max',
  minItems: 'Size',
  maxItems: 'Size',
};

/** Fields never echoed back, even invalid: a card's number and security code are secrets (raas/funding-views.ts). */
const SECRET_FIELDS: ReadonlySet<string> = new Set(['creditCard.number', 'creditCard.verificationNumber']);

/** Longest invalid value echoed back; longer strings are cut. */
const MAX_ECHOED_LENGTH = 256;

/**
 * Every error under /raas/v2 becomes Tango's envelope. Expected failures carry their own message;
 * parser failures get a fixed one (a parser's message can quote the body); anything unexpected is a
 * 500 that says nothing but the request id, with the details in the log only.
 */
export function raasErrorHandler(now: () => number) {
  return (error: FastifyError | AuthError | TesseraError, request: FastifyRequest, reply: FastifyReply) => {
    const send = (status: number, message: string, i18nKey: string, errors: FieldError[] = [], headers: Record<string, string | string[]> = {}) =>
      sendRaasError(request, reply, now(), { status, message, i18nKey, errors, headers });

    if (error instanceof AuthError) {
      request.log.info({ failure: error.failure, detail: error.detail }, 'raas request refused');
      return send(error.status, error.description, AUTH_I18N[error.failure], [], error.headers);
    }
    if (error instanceof TesseraError) {
      const status = raasStatus(error.code);
      if (!isServerFault(status)) {
        if (!saysWhenToComeBack(status)) return send(status, error.message, DOMAIN_I18N[error.code]);
        if (error.code === 'unavailable') request.log.warn({ err: error.cause }, 'raas request failed: the store is unavailable');
        else request.log.info({ failure: error.code }, 'raas request refused');
        return send(status, error.message, DOMAIN_I18N[error.code], [], retryAfter(error));
      }
    }

    const fastifyError = error as FastifyError;
    if (fastifyError.validation) {
      const errors = fieldErrors(schemaFailures(fastifyError.validation), requestPart(fastifyError.validationContext), request);
      return send(400, 'The request is not valid: see errors for each field', 'error.validation', errors);
    }
    switch (fastifyError.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return send(413, `The request body is larger than the limit of ${request.routeOptions.bodyLimit ?? 'this server'} bytes`, 'error.payloadTooLarge');
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return send(415, 'The Content-Type must be application/json', 'error.unsupportedMediaType');
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return send(400, 'The request body is not valid JSON', 'error.malformedJson');
    }
    if (error instanceof SyntaxError) return send(400, 'The request body is not valid JSON', 'error.malformedJson');
    const status = fastifyError.statusCode;
    if (status !== undefined && status >= 400 && status < 500) return send(status, 'The request could not be read', 'error.badRequest');

    request.log.error({ err: error }, 'raas request failed');
    return send(500, 'An unexpected error occurred: quote the requestId when you report it', 'error.internal');
  };
}

/** Tango's errors[]: one entry per failed field, with the value that failed. */
function fieldErrors(failures: SchemaFailure[], part: RequestPart, request: FastifyRequest): FieldError[] {
  return failures.map((failure) => {
    // A dotted path; the root is named by its part of the request.
    const path = failure.path.length === 0 ? part : failure.path.join('.');
    if (failure.keyword === 'required') return fieldError(path, 'must not be null', null, 'NotNull');
    const constraint = failure.keyword === 'format' && failure.params.format === 'email' ? 'Email' : (CONSTRAINTS[failure.keyword] ?? failure.keyword);
    const invalidValue = SECRET_FIELDS.has(path) ? null : echo(valueAt(request, part, failure.path));
    return fieldError(path, describe(failure), invalidValue, constraint);
  });
}

function fieldError(path: string, message: string, invalidValue: unknown, constraint: string): FieldError {
  return { path, message, invalidValue, constraint, i18nKey: `validation.${constraint.charAt(0).toLowerCase()}${constraint.slice(1)}` };
}

function describe({ keyword, params, message }: SchemaFailure): string {
  switch (keyword) {
    case 'type':
      return `must be of type ${String(params.type)}`;
    case 'minLength':
      return params.limit === 1 ? 'must not be empty' : `size must be at least ${String(params.limit)}`;
    case 'maxLength':
      return `size must be at most ${String(params.limit)}`;
    case 'pattern':
      return PATTERN_MESSAGES[String(params.pattern)] ?? EMAIL_TEMPLATE_PATTERN_MESSAGES[String(params.pattern)] ?? `must match ${String(params.pattern)}`;
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
    case 'minimum':
      return `must be at least ${String(params.limit)}`;
    case 'maximum':
      return `must be at most ${String(params.limit)}`;
    case 'maxItems':
      return `size must be at most ${String(params.limit)}`;
    case 'format':
      return params.format === 'email' ? 'must be a well-formed email address' : `must be a valid ${String(params.format)}`;
    default:
      return message ?? 'is not valid';
  }
}

/** Echoes scalars only, and not too long: an error must not become a copy of the request. */
function echo(value: unknown): unknown {
  if (typeof value === 'string') return value.length > MAX_ECHOED_LENGTH ? value.slice(0, MAX_ECHOED_LENGTH) : value;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return null;
}
