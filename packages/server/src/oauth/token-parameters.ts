import { invalidRequest, quoted } from './oauth-error.js';

/** The parameters of a request to the token, introspection or revocation endpoint, each at most once. */
export type TokenParameters = Readonly<Record<string, string | undefined>>;

/**
 * Parses an `application/x-www-form-urlencoded` body, keeping repeated names as arrays so that
 * {@link singleValued} can refuse them.
 */
export function parseForm(body: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of new URLSearchParams(body)) collect(out, name, value);
  return out;
}

/**
 * Parses an `application/json` body (as Auth0 accepts) so that a name given twice is kept as an array,
 * like {@link parseForm}: JSON.parse alone keeps the last, and a proxy may have read the first.
 */
export function parseJsonParameters(body: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    // Never the parser's message: it can quote the body, and the body holds the client secret.
    throw invalidRequest('The request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return parsed;
  const values = Object.values(parsed);
  // Anything but a flat object of strings is refused by singleValued anyway.
  if (!values.every((v) => typeof v === 'string')) return parsed;
  // In a flat object of strings the string tokens alternate name and value, in order: more of them
  // than the parsed object holds means a name came twice.
  const tokens = body.match(/"(?:[^"\\]|\\.)*"/g) ?? [];
  if (tokens.length === 2 * values.length) return parsed;
  const out: Record<string, string | string[]> = Object.create(null);
  for (let i = 0; i + 1 < tokens.length; i += 2) collect(out, JSON.parse(tokens[i]!) as string, JSON.parse(tokens[i + 1]!) as string);
  return out;
}

/** Adds a parameter, turning a name seen before into the array of its values. */
function collect(out: Record<string, string | string[]>, name: string, value: string): void {
  const held = out[name];
  out[name] = held === undefined ? value : Array.isArray(held) ? [...held, value] : [held, value];
}

/**
 * RFC 6749 §3.1 and §3.2: request parameters must not be included more than once. JSON bodies (as
 * Auth0 accepts) must hold only strings. An empty value counts as omitted (§3.1).
 */
export function singleValued(body: unknown): TokenParameters {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw invalidRequest('The request body must be a form or a JSON object');
  const out: Record<string, string | undefined> = Object.create(null);
  for (const [name, value] of Object.entries(body)) {
    if (Array.isArray(value)) throw invalidRequest(`The ${quoted(name)} parameter is given more than once`);
    if (typeof value !== 'string') throw invalidRequest(`The ${quoted(name)} parameter must be a string`);
    // A NUL can reach no stored value (PostgreSQL text refuses it): refuse it here, as the client's error.
    if (value.includes('\0')) throw invalidRequest(`The ${quoted(name)} parameter contains a NUL character`);
    out[name] = value === '' ? undefined : value;
  }
  return out;
}
