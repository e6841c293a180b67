import { afterAll, describe, expect, it } from 'vitest';
import { setClientStatus } from '../../src/credentials/oauth-clients.js';
import { createTestEnvironment, type TestEnvironment } from '../support/services.js';
import { createTestClient, requestToken } from '../support/oauth.js';

// Redis holds only what can be rebuilt: with it away, instances start and serve, the throttle lets
// requests through, and credential changes still commit.
describe('with Redis unreachable', () => {
  let env: TestEnvironment;
  afterAll(async () => env.close());

  it('starts, issues tokens, refuses bad secrets and manages credentials', async () => {
    env = await createTestEnvironment({ config: { redisUrl: 'redis://127.0.0.1:1', authFailureLimit: 1 } });
    const { app, services } = await env.app();
    expect(services.cache.kind).toBe('redis');
    const client = await createTestClient(services);
    for (let i = 0; i < 3; i++) expect((await requestToken(app, { ...client, client_secret: 'wrong' })).statusCode).toBe(401);
    expect((await requestToken(app, client)).statusCode).toBe(200);
    expect((await setClientStatus(services, client.client_id, 'inactive')).status).toBe('inactive');
    expect((await requestToken(app, client)).statusCode).toBe(401);
  });
});
