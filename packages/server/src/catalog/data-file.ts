import { readFileSync } from 'node:fs';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { ConfigError } from '../errors/tessera-error.js';

/**
 * The operator's own data files (the catalog, the exchange rates): read and checked once at start-up,
 * so a bad file stops the server with a message naming the setting, the file and the first bad field,
 * instead of an order failing later.
 */

/** Where data came from, for messages: the operator's file, or the seed shipped with the server. */
export interface DataSource {
  /** The setting that names the file (TESSERA_CATALOG_FILE). */
  setting: string;
  /** The file's path, or undefined for the built-in seed. */
  file: string | undefined;
}

/** A refusal of the data, e.g. `Invalid configuration: TESSERA_CATALOG_FILE /etc/catalog.json: brands[0].brandName must be string`. */
export function dataError(source: DataSource, field: string, message: string): ConfigError {
  return new ConfigError(source.setting, `${source.file ?? '(the built-in seed)'}: ${field === '' ? '' : `${field} `}${message}`);
}

/** The JSON in `file`, or a {@link ConfigError} saying why there is none. */
export function readJsonFile(source: DataSource & { file: string }): unknown {
  let text: string;
  try {
    text = readFileSync(source.file, 'utf8');
  } catch (error) {
    throw dataError(source, '', `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw dataError(source, '', `is not valid JSON (${(error as Error).message})`);
  }
}

/** `/brands/0/items/2/utid` → `brands[0].items[2].utid` */
function fieldPath(pointer: string, ...more: string[]): string {
  let name = '';
  for (const segment of [...pointer.split('/').slice(1), ...more]) {
    const unescaped = segment.replace(/~1/g, '/').replace(/~0/g, '~');
    name += /^\d+$/.test(unescaped) ? `[${unescaped}]` : name === '' ? unescaped : `.${unescaped}`;
  }
  return name;
}

/** `value` as `schema` describes it, or a {@link ConfigError} naming the first field that breaks it. */
export function checkShape<T>(source: DataSource, schema: TSchema, value: unknown): T {
  if (Value.Check(schema, value)) return value as T;
  // A misspelt field shows as a missing one and an extra one: name the extra one, it is the typo.
  const errors = Value.Errors(schema, value).filter((error) => error.keyword !== 'boolean');
  const error = errors.find((e) => e.keyword === 'additionalProperties') ?? errors[0];
  if (!error) throw dataError(source, '', 'is not valid');
  const params = error.params as { additionalProperties?: string[]; requiredProperties?: string[] };
  if (error.keyword === 'additionalProperties') {
    throw dataError(source, fieldPath(error.instancePath, params.additionalProperties?.[0] ?? ''), 'is not a field of this format');
  }
  if (error.keyword === 'required') {
    throw dataError(source, fieldPath(error.instancePath, params.requiredProperties?.[0] ?? ''), 'is required');
  }
  const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
  const message = error.keyword === 'enum' && allowed ? `must be one of ${allowed.join(', ')}` : error.message;
  throw dataError(source, fieldPath(error.instancePath) || '(the whole file)', message);
}
