import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDeployment } from '../support/bootstrap.js';
import type { TestEnvironment } from '../support/services.js';
import { freePort } from '../support/listen.js';
import { createTestClient, type TestClient } from '../support/tenants.js';

// Standard OAuth libraries, unmodified, through RFC 8414 discovery against a real port. They run on
// the real clock, so this environment's clock follows it.
describe('standard OAuth client libraries through discovery', () => {
  let env: TestEnvironment;
  let issuer: URL;
  let credentials: TestClient;

  beforeAll(async () => {
    const port = await freePort();
    const { env: started, app, services } = await startDeployment({ config: { publicUrl: `http://127.0.0.1:${port}`, quotaIntervalSeconds: 0 } });
    env = started;
    env.clock.current = Date.now();
    setInterval(() => (env.clock.current = Date.now()), 50).unref();
    await app.listen({ host: '127.0.0.1', port });
    issuer = new URL(env.config.publicUrl);
    credentials = await createTestClient(services);
  });
  afterAll(async () => env.close());

  it('openid-client: discovery, client credentials, introspection and revocation', async () => {
    const configuration = await client.discovery(issuer, credentials.client_id, credentials.client_secret, undefined, {
      algorithm: 'oauth2',
      execute: [client.allowInsecureRequests],
    });
    expect(configuration.serverMetadata().token_endpoint).toBe(`${env.config.publicUrl}/oauth/token`);

    const tokens = await client.clientCredentialsGrant(configuration, { scope: 'raas.all', audience: env.config.audience });
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.expires_in).toBe(86400);

    const introspection = await client.tokenIntrospection(configuration, tokens.access_token);
    expect(introspection).toMatchObject({ active: true, client_id: credentials.client_id, scope: 'raas.all', token_type: 'Bearer' });

    await client.tokenRevocation(configuration, tokens.access_token);
    expect(await client.tokenIntrospection(configuration, tokens.access_token)).toEqual({ active: false });
  });

  it('oauth4webapi: client_secret_post token request and RFC 9068 validation of the access token', async () => {
    const as = await oauth
      .discoveryRequest(issuer, { algorithm: 'oauth2', [oauth.allowInsecureRequests]: true })
      .then((response) => oauth.processDiscoveryResponse(issuer, response));
    const oauthClient: oauth.Client = { client_id: credentials.client_id };
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      oauthClient,
      oauth.ClientSecretPost(credentials.client_secret),
      new URLSearchParams({ scope: 'raas.all' }),
      { [oauth.allowInsecureRequests]: true },
    );
    const result = await oauth.processClientCredentialsResponse(as, oauthClient, response);

    const request = new Request(`${env.config.audience}/customers`, { headers: { authorization: `Bearer ${result.access_token}` } });
    const claims = await oauth.validateJwtAccessToken(as, request, env.config.audience, { [oauth.allowInsecureRequests]: true });
    expect(claims).toMatchObject({ client_id: credentials.client_id, sub: credentials.client_id, iss: env.config.publicUrl, scope: 'raas.all' });
  });
});
