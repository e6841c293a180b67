import type { FastifySchemaValidationError } from 'fastify';
import { describe, expect, it } from 'vitest';
import { requestPart, schemaFailures } from '../../src/http/schema-failures.js';

/** Issue 21, point 4: one reading of Ajv's errors, which the RaaS and portal surfaces each word their own way. */
describe('schema failures', () => {
  const ajv = (keyword: string, instancePath: string, params: Record<string, unknown>, message?: string): FastifySchemaValidationError => ({
    keyword,
    instancePath,
    schemaPath: `#/${keyword}`,
    params,
    message,
  });

  it('names each missing and each unexpected property as a field of its own, in Ajv’s order', () => {
    expect(
      schemaFailures([
        ajv('required', '', { missingProperty: 'email' }, "must have required property 'email'"),
        ajv('required', '/recipient', { requiredProperties: ['email', 'firstName'] }),
        ajv('additionalProperties', '', { additionalProperty: 'admin' }, 'must NOT have additional properties'),
        ajv('minLength', '/name', { limit: 1 }, 'must NOT have fewer than 1 characters'),
      ]),
    ).toStrictEqual([
      { path: ['email'], keyword: 'required', params: { missingProperty: 'email' }, message: "must have required property 'email'" },
      { path: ['recipient', 'email'], keyword: 'required', params: { requiredProperties: ['email', 'firstName'] }, message: undefined },
      { path: ['recipient', 'firstName'], keyword: 'required', params: { requiredProperties: ['email', 'firstName'] }, message: undefined },
      { path: ['admin'], keyword: 'additionalProperties', params: { additionalProperty: 'admin' }, message: 'must NOT have additional properties' },
      { path: ['name'], keyword: 'minLength', params: { limit: 1 }, message: 'must NOT have fewer than 1 characters' },
    ]);
  });

  it('decodes the JSON pointer (RFC 6901 §4) and gives the whole part an empty path', () => {
    expect(schemaFailures([ajv('type', '/a~1b/c~0d/0', { type: 'string' }), ajv('type', '', { type: 'object' })]).map((f) => f.path)).toStrictEqual([['a/b', 'c~d', '0'], []]);
  });

  it('reads the part of the request from Fastify’s validation context, the body when it has none', () => {
    expect(['params', 'querystring', 'headers', 'body', undefined].map(requestPart)).toStrictEqual(['params', 'querystring', 'headers', 'body', 'body']);
  });
});
