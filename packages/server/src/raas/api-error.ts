import { STATUS_CODES } from 'node:http';
import type { FastifyRequest } from 'fastify';

/** One failed constraint of a request, as Tango's ApiValidationError reports it. */
export interface FieldError {
  path: string;
  message: string;
  invalidValue: unknown;
  constraint: string;
  i18nKey: string;
}

/** Tango's error envelope: the body of every error response under /raas/v2. */
export interface ErrorEnvelope {
  timestamp: string;
  requestId: string;
  path: string;
  httpCode: number;
  httpPhrase: string;
  i18nKey: string;
  message: string;
  errors: FieldError[];
}

/** An expected failure of a RaaS request: a status, a public message and its i18n key. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly i18nKey: string,
    readonly errors: FieldError[] = [],
    readonly headers: Record<string, string | string[]> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function notFound(message: string): ApiError {
  return new ApiError(404, message, 'error.notFound');
}

export function conflict(message: string): ApiError {
  return new ApiError(409, message, 'error.duplicate');
}

/** The envelope for a response; the path never carries the query string, which may hold a credential. */
export function envelope(request: FastifyRequest, now: number, status: number, message: string, i18nKey: string, errors: FieldError[] = []): ErrorEnvelope {
  return {
    timestamp: new Date(now).toISOString(),
    requestId: request.id,
    path: request.url.split('?')[0]!,
    httpCode: status,
    httpPhrase: STATUS_CODES[status] ?? 'Error',
    i18nKey,
    message,
    errors,
  };
}
