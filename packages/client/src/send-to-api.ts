import { OriginNotAllowedError } from './errors.js';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Throws {@link OriginNotAllowedError} unless `origin` is one of `apiOrigins`: whoever receives a
 * bearer token can use it (RFC 6750 §5.3, RFC 9700 §2.3), so it goes to the API only.
 */
export function checkApiOrigin(apiOrigins: ReadonlySet<string>, origin: string, why: string): void {
  if (apiOrigins.has(origin)) return;
  throw new OriginNotAllowedError(`Refused to send the access token: ${why} (apiOrigins: ${[...apiOrigins].join(', ')})`, origin);
}

/**
 * Sends `request` with the token, leaving `request` itself unsent (so a caller can send it again). With the default `redirect: 'follow'` the redirects are followed
 * here, as fetch would (Fetch §4.4), but only to an API origin: fetch itself would carry the request
 * (and its body) to any origin.
 */
export async function sendToApi(
  fetchImpl: typeof globalThis.fetch,
  apiOrigins: ReadonlySet<string>,
  request: Request,
  token: string,
): Promise<Response> {
  if (request.redirect !== 'follow') return fetchImpl(withBearer(request.clone(), token, request.redirect));
  let current = request;
  for (let redirects = 0; ; redirects++) {
    const response = await fetchImpl(withBearer(current.clone(), token, 'manual'));
    const location = response.headers.get('location');
    if (!REDIRECT_STATUSES.has(response.status) || location === null) return response;
    await response.body?.cancel().catch(() => undefined);
    // Fetch §4.4 gives up after 20 redirects with a network error (a TypeError).
    if (redirects >= 20) throw new TypeError(`fetch failed: more than 20 redirects from ${request.url}`);
    const target = new URL(location, current.url);
    checkApiOrigin(apiOrigins, target.origin, `${current.url} redirected to ${target.origin}, which is not an API origin`);
    current = redirectedRequest(current, response.status, target);
  }
}

function withBearer(request: Request, token: string, redirect: Request['redirect']): Request {
  const headers = new Headers(request.headers);
  headers.set('authorization', `Bearer ${token}`);
  return new Request(request, { headers, redirect });
}

/** The request a redirect asks for (Fetch §4.4 HTTP-redirect fetch, RFC 9110 §15.4). */
function redirectedRequest(request: Request, status: number, target: URL): Request {
  // 303 for anything but GET/HEAD, and 301/302 for a POST, become a GET without body or content headers.
  const toGet =
    (status === 303 && request.method !== 'GET' && request.method !== 'HEAD') ||
    ((status === 301 || status === 302) && request.method === 'POST');
  const headers = new Headers(request.headers);
  if (toGet) for (const name of ['content-encoding', 'content-language', 'content-location', 'content-type', 'content-length']) headers.delete(name);
  return new Request(target, {
    method: toGet ? 'GET' : request.method,
    headers,
    body: toGet ? null : request.body,
    redirect: 'manual',
    signal: request.signal,
    ...(toGet || request.body === null ? {} : { duplex: 'half' }),
  } as RequestInit);
}
