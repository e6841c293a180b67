import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../src/services.js';
import { startDeployment } from '../support/bootstrap.js';
import { form, postForm } from '../support/oauth.js';
import type { TestEnvironment } from '../support/services.js';
import { createTestClient } from '../support/tenants.js';

/** The token endpoint's own form parser (RFC 6749 §4.4.2), without a plugin. */
describe('form bodies of the OAuth endpoints', () => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;

  beforeAll(async () => ({ env, app, services } = await startDeployment({ config: { bodyLimitBytes: 1024 } })));
  afterAll(async () => env?.close());

  it('reads a form whose Content-Type carries a charset, percent-encoding included', async () => {
    const client = await createTestClient(services);
    const body = form({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret });
    const response = await postForm(app, '/oauth/token', body, { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ token_type: 'Bearer', scope: 'raas.all' });
  });

  it('keeps a repeated parameter, so that it is refused, even when one value is empty', async () => {
    const response = await postForm(app, '/oauth/token', 'grant_type=client_credentials&grant_type=');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toStrictEqual({ error: 'invalid_request', error_description: 'The grant_type parameter is given more than once' });
  });

  it('refuses a form over the body limit with 413', async () => {
    const response = await postForm(app, '/oauth/token', `grant_type=${'x'.repeat(2048)}`);
    expect(response.statusCode).toBe(413);
    expect(response.json()).toStrictEqual({ error: 'invalid_request', error_description: 'The request body is larger than 1024 bytes' });
    expect(response.headers['cache-control']).toBe('no-store');
  });
});
