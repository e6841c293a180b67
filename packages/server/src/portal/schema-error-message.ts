import type { FastifySchemaValidationError } from 'fastify';
import { requestPart, samePath, type SchemaFailure, schemaFailures } from '../http/schema-failures.js';

/*
 * The portal shows its API's messages to people as they are (docs/portal-api.md), so a schema's refusal
 * is said in plain words — "The password must have at least 12 characters" — never in the validator's
 * ("must NOT have fewer than 12 characters", "must match pattern …", "must be equal to constant").
 * Issue 19, point 15.
 */

/** A parameter is named exactly (a program sends it); a body field, which a person typed, in words. */
const PARAMETER: Record<string, string> = { params: 'path parameter', querystring: 'query parameter' };

/** Fields whose name alone would puzzle a person. */
const FIELD_WORDS: Record<string, string> = { token: 'invitation link', id: 'id', amountCents: 'amount in cents', perHour: 'limit per hour', perDay: 'limit per day' };

/** What a pattern asks for, for the patterns the portal's schemas use (portal/contract/fields.ts, audit-routes.ts, order-routes.ts). */
const PATTERN_WORDS: Array<[RegExp, string]> = [
  [/^\^\[a-z0-9\]\[a-z0-9\._-\]/, 'must use only lowercase letters, digits, ".", "_" and "-"'],
  [/^\^\[0-9a-f\]\{8\}-/, 'is not a valid card token'],
  [/^\^\[0-9\]\{4\}-/, 'must be a year and month as YYYY-MM, e.g. 2030-12'],
  [/^\^\[0-9\]\{3,4\}\$$/, 'must be 3 or 4 digits'],
  [/^\^\(\?:\[\^\\u0000/, 'must not contain control characters (such as line breaks or tabs)'],
  [/^\^\[0-9\]\{1,\d+\}\$$/, 'must be a whole number'],
  [/^\^\[A-Za-z0-9_\]\+\$$/, 'is not a valid id: ids have only letters, digits and _'],
  [/^\^\[a-z_\]\+\$$/, 'must be lower-case letters and _ only'],
  [/^\^\[A-Za-z0-9-\]\+\$$/, 'is not a reference order id, e.g. RA261128-482913-705118'],
];

const TYPE_WORDS: Record<string, string> = {
  string: 'must be text',
  number: 'must be a number',
  integer: 'must be a whole number',
  boolean: 'must be true or false',
  object: 'must be an object',
  array: 'must be a list',
  null: 'must be null',
};

/** `platformName` → `platform name`. */
function words(field: string): string {
  return FIELD_WORDS[field] ?? field.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();
}

/** The first schema error, in plain words, naming the field: `The password must have at least 12 characters`. */
export function schemaErrorMessage(errors: FastifySchemaValidationError[], context: string | undefined): string {
  const failures = schemaFailures(errors);
  // An unexpected field fails twice (a `false` schema under it, and additionalProperties): say it once, by name.
  const failure = failures.find((f) => f.keyword === 'additionalProperties') ?? failures.find((f) => f.keyword !== 'boolean') ?? failures[0]!;
  const part = requestPart(context);
  const parameter = PARAMETER[part];
  const subject = (field: string) => (parameter ? `The ${parameter} "${field}"` : `The ${words(field)}`);
  const field = failure.path.at(-1);
  if (failure.keyword === 'required') return `${subject(field ?? '')} is required`;
  if (failure.keyword === 'additionalProperties') return `The ${parameter ?? 'field'} "${field ?? ''}" is not expected here`;
  if (field === undefined) return part === 'body' ? 'The request body must be a JSON object' : `The request's ${part} is not valid`;
  return `${subject(field)} ${predicate(failure, failures)}`;
}

/** What is wrong with the value, after its subject: `must have at least 12 characters`. */
function predicate(failure: SchemaFailure, failures: SchemaFailure[]): string {
  const { params } = failure;
  const limit = Number(params.limit);
  switch (failure.keyword) {
    case 'minLength':
      return limit <= 1 ? 'must not be empty' : `must have at least ${limit} characters`;
    case 'maxLength':
      return `must have at most ${limit} characters`;
    case 'minimum':
      return `must be at least ${limit}`;
    case 'maximum':
      return `must be at most ${limit}`;
    case 'pattern':
      return PATTERN_WORDS.find(([pattern]) => pattern.test(String(params.pattern)))?.[1] ?? 'is not in the expected form';
    case 'format':
      return `is not a valid ${String(params.format).replace(/-/g, ' ')}`;
    case 'enum':
      return `must be one of: ${(params.allowedValues as unknown[]).join(', ')}`;
    case 'const':
    case 'anyOf':
    case 'type': {
      // A union of literals (a role) fails once per literal: name them all.
      const allowed = failures.filter((f) => samePath(f.path, failure.path) && f.keyword === 'const').map((f) => f.params.allowedValue);
      if (allowed.length > 0) return `must be one of: ${allowed.join(', ')}`;
      return TYPE_WORDS[String(params.type)] ?? 'is not valid';
    }
    default:
      return 'is not valid';
  }
}
