import { Type } from 'typebox';
import { DEFAULT_SCOPE } from '../credentials/scopes.js';
import { type ErrorEnvelope } from './error-handler.js';

/**
 * What the RaaS routes say about themselves in the OpenAPI document (console/ builds it from the
 * routes' schemas): who may call them and how they fail. The security scheme names are defined in
 * console/openapi-document.ts; `basicAuth` is Tango's own name for the API key.
 */

/** Every protected route: an API key (HTTP Basic) or an access token (Bearer, or got through the console's client-credentials flow). */
export const RAAS_SECURITY: Array<Record<string, string[]>> = [{ basicAuth: [] }, { bearerAuth: [] }, { oauth2: [DEFAULT_SCOPE] }];

/** Tango's tag, operation id and summary of a protected route, and who may call it. */
export function tango(tag: string, operationId: string, summary: string) {
  return { tags: [tag], operationId, summary, security: RAAS_SECURITY };
}

const ERROR_DESCRIPTIONS = {
  400: 'The request is not valid: a field (see errors[]), malformed JSON, or malformed or repeated credentials',
  402: "Insufficient funds: the account's balance does not cover the order, and nothing was charged",
  401: 'No credentials, or bad ones: an unknown platform, a wrong or deactivated API key; an invalid, expired or revoked token',
  403: 'A valid access token without the raas.all scope',
  404: 'No such resource on this platform',
  409: 'The identifier exists already on this platform',
  429: 'Too many failed authentications from this address: try again after Retry-After seconds',
} as const;

type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

/**
 * Tango's envelope for each status: a reference to the shared ErrorEnvelope schema, so the document
 * names it once (and the serializer sends exactly its fields).
 */
export function errorResponses<S extends ErrorStatus>(...statuses: S[]): Record<S, ReturnType<typeof envelope>> {
  return Object.fromEntries(statuses.map((status) => [status, envelope(ERROR_DESCRIPTIONS[status])])) as Record<S, ReturnType<typeof envelope>>;
}

function envelope(description: string) {
  return Type.Unsafe<ErrorEnvelope>({ $ref: 'ErrorEnvelope#', description });
}

/** The errors any protected route can answer: before the handler runs, the guard has its say. */
export const GUARDED_ERRORS = [400, 401, 403, 429] as const;
