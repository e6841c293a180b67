import type { FastifyRequest } from 'fastify';
import { TesseraError } from '../errors/tessera-error.js';

/** Where proxies send their authentication subrequests: `/forward-auth`, or `/forward-auth/<original path>` (Envoy). */
export const FORWARD_AUTH_PATH = '/forward-auth';

/** What the proxy says of the request it holds back: the request forward auth decides on. */
export interface ForwardedRequest {
  method: string;
  /** The Host the client asked for, lowercased. */
  host: string;
  /** The path, normalised as a URL parser does (dot segments and their percent-encodings resolved). */
  path: string;
  /** The protected API named on the forward-auth URL (`/forward-auth?audience=`), by a caller that knows it. */
  audience: string | undefined;
}

/** Longer than any URL a proxy lets through (nginx's default large_client_header_buffers is 8 KiB). */
const MAX_URI_LENGTH = 8192;

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function refuse(message: string): TesseraError {
  return new TesseraError('invalid_input', message);
}

/**
 * The original request, as each proxy forwards it:
 * - Traefik ForwardAuth and Caddy forward_auth: X-Forwarded-Method, X-Forwarded-Host, X-Forwarded-Uri;
 * - nginx auth_request: the headers its configuration sets (docs/protect-your-api.md), X-Forwarded-* or
 *   the older convention X-Original-Method, X-Original-Host and X-Original-URI;
 * - Envoy ext_authz (HTTP service, path_prefix /forward-auth): the original method, Host and path, the
 *   path appended to the prefix.
 *
 * A proxy passes the client's own headers on to this endpoint too (nginx and Caddy do), so only what the
 * proxy sets can be trusted: each documented configuration overwrites the headers read here. Where two
 * sources could disagree, the one a client cannot reach wins:
 * - under `/forward-auth/<path>` the path is the proxy's (Envoy builds it), and forwarded URI headers are
 *   not read at all;
 * - `?audience=` names the API only when no forwarded URI is present (a direct caller, the verification
 *   library): behind a proxy that appends the client's query to the auth URL (Caddy's `uri /forward-auth`),
 *   a client must not choose the API its credential is checked against — the host and path decide.
 */
export function readForwardedRequest(request: FastifyRequest): ForwardedRequest {
  const [pathname = '', query] = request.url.split('?', 2);
  const envoyPath = pathname.length > FORWARD_AUTH_PATH.length ? pathname.slice(FORWARD_AUTH_PATH.length) : undefined;
  const forwardedUri = header(request, 'x-forwarded-uri') ?? header(request, 'x-original-uri');
  const uri = envoyPath === undefined ? forwardedUri : query === undefined ? envoyPath : `${envoyPath}?${query}`;
  const host = (
    (envoyPath === undefined ? (header(request, 'x-forwarded-host') ?? header(request, 'x-original-host')) : undefined) ??
    header(request, 'host') ??
    ''
  )
    .trim()
    .toLowerCase();
  const method = (header(request, 'x-forwarded-method') ?? header(request, 'x-original-method') ?? request.method).trim().toUpperCase();
  const audience = uri === undefined && query !== undefined ? (new URLSearchParams(query).get('audience') ?? undefined) : undefined;
  if (!/^[A-Z]{1,20}$/.test(method)) throw refuse('The forwarded method is not an HTTP method');
  return { method, host, path: uri === undefined ? '/' : normalisedPath(uri), audience };
}

/**
 * The path of the forwarded URI as the upstream will route it: the WHATWG URL parser resolves `.` and
 * `..` segments and their percent-encoded forms (`%2e%2e`), so `/public/../admin` is matched as `/admin`.
 * RFC 9112 §3.2.1: the origin-form of a request target is an absolute path; anything else is refused.
 */
function normalisedPath(uri: string): string {
  if (uri.length > MAX_URI_LENGTH) throw refuse(`The forwarded URI is longer than ${MAX_URI_LENGTH} characters`);
  if (!uri.startsWith('/')) throw refuse('The forwarded URI must be an absolute path (origin-form, RFC 9112 §3.2.1), starting with /');
  try {
    // Concatenated, not resolved against a base: `//host/x` stays a path, never another authority.
    return new URL(`http://forwarded.invalid${uri}`).pathname;
  } catch {
    throw refuse('The forwarded URI is not a valid path');
  }
}
