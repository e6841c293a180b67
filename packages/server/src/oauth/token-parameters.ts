import { parseTree } from 'jsonc-parser';
import { invalidRequest, excerpt, OAuthError } from './oauth-error.js';

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
 * Parses an `application/json` body (as Auth0 accepts): one object of string values, read by the
 * standard JSON.parse, and nothing else. JSON.parse keeps the last of a repeated name where a proxy may
 * have read the first, so the names are also read with jsonc-parser's parser over the same text, and a
 * name given twice is refused like a repeated form parameter (RFC 6749 §3.1, §3.2; RFC 8259 §4: names
 * SHOULD be unique).
 */
export function parseJsonParameters(body: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    // Never the parser's message: it can quote the body, and the body holds the client secret.
    throw invalidRequest('The request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidRequest('The request body must be a JSON object of string values');
  const tree = parseTree(body);
  const names = (tree?.type === 'object' ? (tree.children ?? []) : []).map((property) => property.children?.[0]?.value as unknown);
  const seen = new Set<string>();
  for (const name of names) {
    if (typeof name !== 'string') continue;
    if (seen.has(name)) throw invalidRequest(`The ${excerpt(name)} parameter is given more than once`);
    seen.add(name);
  }
  const keys = Object.keys(parsed);
  // Both parsers must read the same names; should they ever disagree, the body is refused, not guessed at.
  if (seen.size !== names.length || keys.length !== seen.size || !keys.every((key) => seen.has(key))) {
    throw invalidRequest('The request body is not valid JSON');
  }
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value !== 'string') throw invalidRequest(`The ${excerpt(name)} parameter must be a string`);
  }
  return parsed as Record<string, string>;
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
    // RFC 8707 §2 lets `resource` repeat to ask for several resources; a token here has one audience, and
    // the server that cannot serve them all says invalid_target.
    if (Array.isArray(value) && name === 'resource') {
      throw new OAuthError('invalid_target', 'Several resource parameters: a token here is for one audience, so name one resource');
    }
    if (Array.isArray(value)) throw invalidRequest(`The ${excerpt(name)} parameter is given more than once`);
    if (typeof value !== 'string') throw invalidRequest(`The ${excerpt(name)} parameter must be a string`);
    // A NUL can reach no stored value (PostgreSQL text refuses it): refuse it here, as the client's error.
    if (value.includes('\0')) throw invalidRequest(`The ${excerpt(name)} parameter contains a NUL character`);
    out[name] = value === '' ? undefined : value;
  }
  return out;
}
