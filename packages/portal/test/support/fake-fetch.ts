import type { FetchLike } from '../../src/api/http-client';

/** One request the portal sent, as the server would see it. */
export type Call = { method: string; url: string; headers: Record<string, string>; body: unknown; credentials: string | undefined };

export type Reply = { status: number; body?: unknown; headers?: Record<string, string> };
type Handler = Reply | ((call: Call) => Reply | Promise<Reply>);

export const json = (status: number, body?: unknown, headers: Record<string, string> = {}): Reply => ({ status, body, headers });

/**
 * A fetch that answers from `routes` ("POST /portal/api/api-keys" → reply) and records every call.
 * A request no route answers fails the test with a 599 body naming it.
 */
export function fakeFetch(routes: Record<string, Handler>) {
  const calls: Call[] = [];
  const fetch: FetchLike = async (input, init = {}) => {
    const method = init.method ?? 'GET';
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    const call: Call = {
      method,
      url: input,
      headers,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
      credentials: init.credentials,
    };
    calls.push(call);
    const handler = routes[`${method} ${input}`] ?? routes[`${method} ${input.split('?')[0]}`];
    const reply = handler === undefined ? json(599, { error: 'no_route', message: `No fake route for ${method} ${input}` }) : typeof handler === 'function' ? await handler(call) : handler;
    const responseHeaders = new Headers(reply.headers);
    if (reply.body !== undefined) responseHeaders.set('content-type', 'application/json');
    return new Response(reply.status === 204 || reply.body === undefined ? null : JSON.stringify(reply.body), {
      status: reply.status,
      headers: responseHeaders,
    });
  };
  /** The calls other than the session look-up at start, as "METHOD url". */
  const requests = () => calls.filter((c) => !(c.method === 'GET' && c.url === '/portal/api/session')).map((c) => `${c.method} ${c.url}`);
  return { fetch, calls, requests };
}
