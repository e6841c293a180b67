import type { FastifyRequest, FastifySchemaValidationError } from 'fastify';

/**
 * The one reading of a route schema's refusal (Ajv's errors, as Fastify hands them to an error
 * handler): which part of the request, which field, which keyword with which parameters. Each surface
 * words the failures its own way — Tango's errors[] (raas/error-handler.ts), one plain sentence for a
 * person (portal/schema-error-message.ts) — but none reads Ajv's shapes itself.
 */

/** The part of a request a schema checks, as Fastify names it (`validationContext`). */
export type RequestPart = 'body' | 'params' | 'querystring' | 'headers';

/** One failed constraint of a request's schema. */
export interface SchemaFailure {
  /**
   * The field, as property names from the part's root (the JSON pointer decoded, RFC 6901 §4); empty
   * for the part as a whole. A property that is missing (`required`) or not expected
   * (`additionalProperties`) is named last: the pointer reaches only the object that holds it.
   */
  path: string[];
  /** The JSON Schema keyword that failed: required, type, minLength, pattern, format, enum, const, … */
  keyword: string;
  /** Ajv's parameters of that keyword: limit, pattern, format, allowedValues, allowedValue, type, … */
  params: Record<string, unknown>;
  /** Ajv's own message, for a keyword no surface words (it never quotes the value). */
  message: string | undefined;
}

/** The part a validation error came from; Fastify leaves it out for the body in some versions. */
export function requestPart(validationContext: string | undefined): RequestPart {
  return validationContext === 'params' || validationContext === 'querystring' || validationContext === 'headers' ? validationContext : 'body';
}

/** Ajv's errors as failures: one a missing or unexpected property, in Ajv's order. */
export function schemaFailures(errors: readonly FastifySchemaValidationError[]): SchemaFailure[] {
  const failures: SchemaFailure[] = [];
  for (const error of errors) {
    const params = error.params as Record<string, unknown>;
    const path = decodePointer(error.instancePath);
    const named = namedProperties(error.keyword, params);
    if (named) {
      for (const property of named) failures.push({ path: [...path, property], keyword: error.keyword, params, message: error.message });
    } else {
      failures.push({ path, keyword: error.keyword, params, message: error.message });
    }
  }
  return failures;
}

/** The value a failure's path names in the part of the request it came from (undefined when there is none). */
export function valueAt(request: FastifyRequest, part: RequestPart, path: readonly string[]): unknown {
  let value: unknown = part === 'params' ? request.params : part === 'querystring' ? request.query : part === 'headers' ? request.headers : request.body;
  for (const name of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[name];
  }
  return value;
}

/** True when two failures name the same field. */
export function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}

/** The properties a `required` or `additionalProperties` error names (Ajv gives all of them with allErrors). */
function namedProperties(keyword: string, params: Record<string, unknown>): string[] | undefined {
  if (keyword === 'required') return (params.requiredProperties ?? [params.missingProperty]) as string[];
  if (keyword === 'additionalProperties') return (params.additionalProperties ?? [params.additionalProperty]) as string[];
  return undefined;
}

/** RFC 6901 §4: `/a~1b/c~0d` is the names `a/b` and `c~d`. */
function decodePointer(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((name) => name.replace(/~1/g, '/').replace(/~0/g, '~'));
}
