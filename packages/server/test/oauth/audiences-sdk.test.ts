import type { AddressInfo } from 'node:net';
import { MemoryTokenStore, TokenManager } from '@tessera/client';
import type { FastifyInstance } from 'fastify';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAudience } from '../../src/credentials/audiences.js';
import type { Services } from '../../src/services.js';
import { startDeployment } from '../support/bootstrap.js';
import type { TestEnvironment } from '../support/services.js';
import { createTestClient, type TestClient } from '../support/tenants.js';

const SHORT = 'https://short.example/api';

/** The client SDK against a listening server with a second audience: one token per (client, audience) in a shared store. */
describe('the client SDK with two audiences', () => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;
  let client: TestClient;
  let tokenUrl: string;

  beforeAll(async () => {
    // No interval quota: one client holds a token for each audience (under the quota its second would be refused).
    ({ env, app, services } = await startDeployment({ config: { quotaIntervalSeconds: 0 } }));
    await addAudience(services, SHORT, 300);
    client = await createTestClient(services);
    await app.listen({ port: 0, host: '127.0.0.1' });
    tokenUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/oauth/token`;
  });
  afterAll(async () => env?.close());

  it('keeps the two tokens apart, each with its aud and lifetime, and asks for neither again', async () => {
    const store = new MemoryTokenStore();
    const manager = (audience?: string) =>
      new TokenManager({ tokenUrl, clientId: client.client_id, clientSecret: client.client_secret, store, now: env.clock.now, ...(audience ? { audience } : {}) });
    const short = manager(SHORT);
    const standard = manager();
    expect(short.key).not.toBe(standard.key);

    const [shortToken, standardToken] = [await short.getToken(), await standard.getToken()];
    expect(decodeJwt(shortToken)).toMatchObject({ aud: SHORT, exp: Math.floor(env.clock.now() / 1000) + 300 });
    expect(decodeJwt(standardToken)).toMatchObject({ aud: env.config.audience, exp: Math.floor(env.clock.now() / 1000) + env.config.tokenTtlSeconds });

    // Each is stored under its own key: neither overwrote the other.
    expect((await store.read(short.key)).token?.accessToken).toBe(shortToken);
    expect((await store.read(standard.key)).token?.accessToken).toBe(standardToken);

    // New managers on the same store (another process of the fleet) get the stored tokens: a new request
    // would have brought another token (another jti).
    expect([await manager(SHORT).getToken(), await manager().getToken()]).toEqual([shortToken, standardToken]);
  });
});
