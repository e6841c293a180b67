import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createApiKey, deleteApiKey, setApiKeyStatus } from '../../src/credentials/api-keys.js';
import type { Services } from '../../src/services.js';
import { wrongByOneCharacter } from '../support/oauth.js';
import { startDeployment } from '../support/bootstrap.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';
import { basic, challenges, expectEnvelope, get, type Tenant } from '../support/tenants.js';

describe.each(STORE_KINDS)('Basic API keys on /raas/v2 (%s)', (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;
  let acme: Tenant;
  let globex: Tenant;

  beforeAll(async () => {
    ({ env, app, services, tenants: { acme, globex } } = await startDeployment({ store, tenants: ['acme', 'globex'] }));
  });
  afterAll(async () => env?.close());

  function expectRefused(response: Awaited<ReturnType<typeof get>>): void {
    expectEnvelope(response, env.clock, {
      status: 401,
      path: '/raas/v2/whoami',
      message: 'The platform name or API key is not valid',
      i18nKey: 'auth.invalidCredentials',
    });
    expect(challenges(response)).toEqual([`Basic realm="${services.config.audience}", charset="UTF-8"`]);
  }

  it('accepts base64(platformName:apiKey) and yields the platform and the key', async () => {
    const response = await get(app, '/raas/v2/whoami', acme.basic);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toStrictEqual({ platformName: 'acme', credentialType: 'api_key', credentialId: acme.apiKeyId });
    // Scheme names are case-insensitive.
    expect((await get(app, '/raas/v2/whoami', acme.basic.replace('Basic', 'BASIC'))).statusCode).toBe(200);
  });

  it('builds its wrong keys so that they never equal the real one, whatever its last character', () => {
    for (const last of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_') {
      const key = `${acme.apiKey.slice(0, -1)}${last}`;
      const wrong = wrongByOneCharacter(key);
      expect(wrong).not.toBe(key);
      expect(wrong).toHaveLength(key.length);
    }
  });

  it('gives an unknown platform, a wrong key and another platform’s key the same 401', async () => {
    const attempts = [
      basic('no-such-platform', acme.apiKey),
      basic('acme', wrongByOneCharacter(acme.apiKey)),
      basic('acme', globex.apiKey),
      basic('ACME', acme.apiKey),
      basic('acme', ''),
      basic('', acme.apiKey),
      basic('acme', acme.clientSecret),
      basic(acme.clientId, acme.clientSecret),
      `Basic ${Buffer.from('acme-without-colon').toString('base64')}`,
    ];
    const bodies = new Set<string>();
    for (const authorization of attempts) {
      const response = await get(app, '/raas/v2/whoami', authorization);
      expectRefused(response);
      const { requestId: _id, timestamp: _t, ...rest } = response.json();
      bodies.add(JSON.stringify(rest));
    }
    expect(bodies.size).toBe(1);
  });

  it('splits at the first colon only', async () => {
    // The key is everything after the first colon, colons included: a key with a colon appended is another key.
    expectRefused(await get(app, '/raas/v2/whoami', basic('acme', `${acme.apiKey}:extra`)));
  });

  it('refuses a deactivated key on the next request, and accepts it again once reactivated', async () => {
    const second = await createApiKey(services, 'acme');
    const authorization = basic('acme', second.api_key);
    expect((await get(app, '/raas/v2/whoami', authorization)).statusCode).toBe(200);
    await setApiKeyStatus(services, second.id, 'inactive');
    expectRefused(await get(app, '/raas/v2/whoami', authorization));
    await setApiKeyStatus(services, second.id, 'active');
    expect((await get(app, '/raas/v2/whoami', authorization)).statusCode).toBe(200);
    await setApiKeyStatus(services, second.id, 'inactive');
    await deleteApiKey(services, second.id);
    expectRefused(await get(app, '/raas/v2/whoami', authorization));
    // The first key was never touched.
    expect((await get(app, '/raas/v2/whoami', acme.basic)).statusCode).toBe(200);
  });

  it('refuses malformed Basic credentials with 400', async () => {
    for (const authorization of ['Basic', 'Basic not base64!', 'Basic YWJj', 'Basic YWJjZA=== ', `Basic ${Buffer.from('a:b').toString('base64')} extra`]) {
      const response = await get(app, '/raas/v2/whoami', authorization);
      expect(response.statusCode, authorization).toBe(authorization === 'Basic YWJj' ? 401 : 400);
    }
  });
});
