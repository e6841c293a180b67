import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { TestClient } from './tenants.js';

export function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/** POSTs a form to `url` through inject. */
export async function postForm(app: FastifyInstance, url: string, body: string, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url, payload: body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
}

export async function requestToken(app: FastifyInstance, client: Pick<TestClient, 'client_id' | 'client_secret'>, extra: Record<string, string> = {}) {
  return postForm(app, '/oauth/token', form({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret, ...extra }));
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/**
 * `secret` with its last character replaced by another one, so never equal to it: a wrong credential
 * of the right shape. (Replacing it with a fixed letter is wrong once in 62 keys, which end in it.)
 */
export function wrongByOneCharacter(secret: string): string {
  const last = secret.at(-1);
  return `${secret.slice(0, -1)}${last === 'A' ? 'B' : 'A'}`;
}

/** A token request with the client's Basic header (client_secret_basic): the token policy is told before the body is read. */
export function basicTokenRequest(app: FastifyInstance, client: Pick<TestClient, 'client_id' | 'client_secret'>) {
  return postForm(app, '/oauth/token', 'grant_type=client_credentials', { authorization: basic(client.client_id, client.client_secret) });
}

/** A token answer's status, Retry-After and RateLimit fields, for exact comparison. */
export function rateLimitAnswer(response: LightMyRequestResponse) {
  return {
    status: response.statusCode,
    retryAfter: response.headers['retry-after'],
    policy: response.headers['ratelimit-policy'],
    rateLimit: response.headers['ratelimit'],
  };
}

/**
 * Asks `app` for a token until `settled` says the answer is the one expected: another instance hears of a
 * change (the announcement through Redis) a moment later. Real time, bounded at 2 s; the clock stays frozen.
 */
export async function tokenAnswerWithin(
  app: FastifyInstance,
  client: Pick<TestClient, 'client_id' | 'client_secret'>,
  settled: (response: LightMyRequestResponse) => boolean,
): Promise<LightMyRequestResponse> {
  const started = Date.now();
  for (;;) {
    const response = await requestToken(app, client);
    if (settled(response)) return response;
    if (Date.now() - started > 2_000) throw new Error(`still ${response.statusCode} ${response.body} after 2 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
