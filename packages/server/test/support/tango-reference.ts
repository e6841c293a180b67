import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { expect } from 'vitest';

/**
 * Tango's own console definition of the RaaS v2 API (Swagger 2.0), copied from
 * `shared/reference/tango-raas-v2-console-swagger.json` into the fixtures so a clean clone has it.
 */
export const TANGO_REFERENCE_FILE = new URL('../fixtures/tango-raas-v2-console-swagger.json', import.meta.url);

type Schema = Record<string, unknown>;

const reference = JSON.parse(readFileSync(TANGO_REFERENCE_FILE, 'utf8')) as { definitions: Record<string, Schema> };

/** The names of the reference's `definitions` (its response views and request criteria). */
export const TANGO_DEFINITIONS: readonly string[] = Object.keys(reference.definitions);

/**
 * One deliberate difference from the reference: a definition that lists its `properties` is closed
 * (`additionalProperties: false`), so a field Tango does not have, or a misspelt one, fails the test
 * instead of passing silently. Swagger 2.0 leaves objects open; Tango's responses carry only these
 * fields. Maps the reference already declares (`imageUrls`) keep their own `additionalProperties`.
 */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== 'object') return schema;
  const copy: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    copy[key] =
      key === 'properties' ? Object.fromEntries(Object.entries(value as Schema).map(([name, property]) => [name, closed(property)])) : closed(value);
  }
  if ('properties' in copy && !('additionalProperties' in copy)) copy.additionalProperties = false;
  return copy;
}

// Swagger 2.0 is JSON Schema draft 4 plus `example`, `format: int32|int64`; Ajv's draft-07 reads it
// as is. Strict mode stays on so a keyword Ajv does not know fails here rather than being ignored.
const ajv = new Ajv({ allErrors: true, strict: true });
ajv.addVocabulary(['example']);
ajv.addFormat('int32', { type: 'number', validate: (n) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
ajv.addFormat('int64', { type: 'number', validate: (n) => Number.isSafeInteger(n) });
ajv.addSchema({ $id: 'tango', definitions: closed(reference.definitions) });

const validators = new Map<string, ValidateFunction>();

function validator(definition: string, list: boolean): ValidateFunction {
  if (!TANGO_DEFINITIONS.includes(definition)) {
    throw new Error(`${definition} is not a definition of the Tango reference; it has: ${TANGO_DEFINITIONS.join(', ')}`);
  }
  const key = `${definition}${list ? '[]' : ''}`;
  let validate = validators.get(key);
  if (!validate) {
    const ref = { $ref: `tango#/definitions/${definition}` };
    validate = ajv.compile(list ? { type: 'array', items: ref } : ref);
    validators.set(key, validate);
  }
  return validate;
}

/** `/brands/0/items/2/utid` → `brands[0].items[2].utid` */
function fieldName(instancePath: string, child?: string): string {
  const segments = instancePath.split('/').slice(1);
  if (child !== undefined) segments.push(child);
  let name = '';
  for (const segment of segments) name += /^\d+$/.test(segment) ? `[${segment}]` : name === '' ? segment : `.${segment}`;
  return name === '' ? '(the body)' : name;
}

function describe(error: ErrorObject, body: unknown): string {
  const value = error.instancePath.split('/').slice(1).reduce<unknown>((at, segment) => (at as Record<string, unknown> | undefined)?.[segment], body);
  switch (error.keyword) {
    case 'required':
      return `${fieldName(error.instancePath, error.params.missingProperty as string)} is required but missing`;
    case 'additionalProperties':
      return `${fieldName(error.instancePath, error.params.additionalProperty as string)} is not a field of the reference's view`;
    default:
      return `${fieldName(error.instancePath)} ${error.message ?? 'is not valid'} (got ${JSON.stringify(value)})`;
  }
}

/** The problems of `body` against the reference's `definition`, one readable line each; empty when it conforms. */
export function tangoViewProblems(body: unknown, definition: string, options: { list?: boolean } = {}): string[] {
  const validate = validator(definition, options.list ?? false);
  if (validate(body)) return [];
  return (validate.errors ?? []).map((error) => describe(error, body));
}

/**
 * Fails the test unless `body` conforms to the Tango reference's definition `definition`, with a message
 * naming each bad field, e.g. `CatalogViewVerbose: brands[0].items[1].minValue must be number (got "5")`.
 *
 * Deliberate differences from the reference (see {@link closed}): objects are closed, so an extra field
 * fails. `CustomerView` and `CatalogView` are bare `{type: object}` in the reference, so they check
 * only that the body is an object: validate against `CustomerViewSummary` / `CatalogViewVerbose`,
 * which the reference's operations actually return. The reference defines no error body, so errors
 * are checked by `expectEnvelope` (test/support/tenants.ts) against Tango's envelope instead.
 *
 * @example
 * expectTangoView(response.json(), 'CatalogViewVerbose');
 */
export function expectTangoView(body: unknown, definition: string): void {
  const problems = tangoViewProblems(body, definition);
  expect(problems, `${definition}:\n  ${problems.join('\n  ')}`).toStrictEqual([]);
}

/**
 * {@link expectTangoView} for a list operation (`type: array, items: $ref`): every element of `body`
 * conforms to `definition`.
 *
 * @example
 * expectTangoViews(response.json(), 'CustomerViewSummary');
 */
export function expectTangoViews(body: unknown, definition: string): void {
  const problems = tangoViewProblems(body, definition, { list: true });
  expect(problems, `${definition}[]:\n  ${problems.join('\n  ')}`).toStrictEqual([]);
}
