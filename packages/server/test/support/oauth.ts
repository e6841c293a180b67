import type { FastifyInstance } from 'fastify';
import type { TestClient } from './tenants.js';

export function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/** POSTs a form to `url` through inject. */
export async function postForm(app: FastifyInstance, url: string, body: string, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url, payload: body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
}

export async function requestToken(app: FastifyInstance, client: TestClient, extra: Record<string, string> = {}) {
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
