import { invalidRequest } from './oauth-error.js';

/** The parameters of a request to the token, introspection or revocation endpoint, each at most once. */
export type TokenParameters = Readonly<Record<string, string | undefined>>;

/**
 * Parses an `application/x-www-form-urlencoded` body, keeping repeated names as arrays so that
 * {@link singleValued} can refuse them.
 */
export function parseForm(body: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of new URLSearchParams(body)) {
    const held = out[name];
    out[name] = held === undefined ? value : Array.isArray(held) ? [...held, value] : [held, value];
  }
  return out;
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
    if (Array.isArray(value)) throw invalidRequest(`The ${name} parameter is given more than once`);
    if (typeof value !== 'string') throw invalidRequest(`The ${name} parameter must be a string`);
    out[name] = value === '' ? undefined : value;
  }
  return out;
}
