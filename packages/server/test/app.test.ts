import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestEnvironment, type TestEnvironment } from './support/services.js';

describe('the app outside its APIs', () => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  beforeAll(async () => {
    env = await createTestEnvironment();
    ({ app } = await env.app());
  });
  afterAll(async () => env.close());

  it('answers /healthz', async () => {
    const response = await app.inject('/healthz');
    expect({ status: response.statusCode, body: response.json() }).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it.each(['/nothing', '/oauth/nothing', '/raas/nothing'])('answers an unknown path (%s) with 404 naming the path, never its query', async (path) => {
    const response = await app.inject(`${path}?access_token=secret-token`);
    expect({ status: response.statusCode, body: response.json() }).toEqual({ status: 404, body: { error: 'not_found', message: `No route GET ${path}` } });
  });
});
