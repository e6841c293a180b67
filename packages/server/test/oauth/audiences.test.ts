import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAudience, AUDIENCE_RECHECK_MS, listAudiences, removeAudience } from '../../src/credentials/audiences.js';
import type { Services } from '../../src/services.js';
import { FLEET_DEPLOYMENTS, startFleet } from '../support/bootstrap.js';
import { basic, form, postForm, requestToken } from '../support/oauth.js';
import type { TestEnvironment } from '../support/services.js';
import { challenges, createTestClient, expectEnvelope, get, type TestClient } from '../support/tenants.js';

/** A registered audience with five-minute tokens, as Tango's short-lived one. */
const SHORT = 'https://short.example/api';
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

function expectOAuthError(response: LightMyRequestResponse, status: number, body: { error: string; error_description: string }): void {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(response.headers).toMatchObject(NO_STORE);
  expect(response.json()).toStrictEqual(body);
}

/** Asks `app` for a token for `audience` until it stops refusing it as unknown: a change announced through Redis arrives a moment later. */
async function grantedWithin(app: FastifyInstance, client: TestClient, audience: string, deadlineMs: number): Promise<LightMyRequestResponse> {
  const started = Date.now();
  for (;;) {
    const response = await requestToken(app, client, { audience });
    if (response.statusCode !== 400 || response.json().error !== 'invalid_target') return response;
    if (Date.now() - started > deadlineMs) throw new Error(`still ${response.body} after ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The other way round: until it refuses the audience as unknown. */
async function refusedWithin(app: FastifyInstance, client: TestClient, audience: string, deadlineMs: number): Promise<LightMyRequestResponse> {
  const started = Date.now();
  for (;;) {
    const response = await requestToken(app, client, { audience });
    if (response.statusCode === 400 && response.json().error === 'invalid_target') return response;
    if (Date.now() - started > deadlineMs) throw new Error(`still ${response.statusCode} after ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each(FLEET_DEPLOYMENTS)('audiences with their own lifetimes ($name)', (deployment) => {
  let env: TestEnvironment;
  let apps: FastifyInstance[];
  let services: Services[];
  let first: FastifyInstance;
  let last: FastifyInstance;
  let unknown: string;

  beforeAll(async () => {
    if (deployment.skip) return;
    ({ env, apps, services } = await startFleet(deployment));
    first = apps[0]!;
    last = apps.at(-1)!;
    await addAudience(services[0]!, SHORT, 300);
    unknown = 'https://api.example.com/';
  });
  afterAll(async () => env?.close());

  const client = () => createTestClient(services[0]!);

  it.skipIf(deployment.skip)('a token for a registered audience has that aud, exp = iat + its TTL, and expires_in says so, on every instance', async () => {
    for (const app of apps) {
      const response = await grantedWithin(app, await client(), SHORT, 2_000);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toStrictEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 300, scope: 'raas.all' });
      const claims = decodeJwt(response.json().access_token);
      expect(claims.aud).toBe(SHORT);
      expect(claims.iat).toBe(Math.floor(env.clock.now() / 1000));
      expect(claims.exp).toBe(claims.iat! + 300);
    }
  });

  it.skipIf(deployment.skip)('`resource` (RFC 8707) names an audience the same way, alone or with an equal `audience`', async () => {
    for (const extra of [{ resource: SHORT }, { resource: SHORT, audience: SHORT }] as Record<string, string>[]) {
      const response = await requestToken(first, await client(), extra);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().expires_in).toBe(300);
      const claims = decodeJwt(response.json().access_token);
      expect([claims.aud, claims.exp! - claims.iat!]).toEqual([SHORT, 300]);
    }
  });

  it.skipIf(deployment.skip)('none: the default audience and TESSERA_TOKEN_TTL, as before', async () => {
    const response = await requestToken(last, await client());
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().expires_in).toBe(env.config.tokenTtlSeconds);
    const claims = decodeJwt(response.json().access_token);
    expect([claims.aud, claims.exp! - claims.iat!]).toEqual([env.config.audience, env.config.tokenTtlSeconds]);
  });

  it.skipIf(deployment.skip)('an unknown audience or resource: 400 invalid_target saying which, and no quota spent', async () => {
    const asker = await client();
    for (const extra of [{ audience: unknown }, { resource: unknown }] as Record<string, string>[]) {
      expectOAuthError(await requestToken(first, asker, extra), 400, {
        error: 'invalid_target',
        error_description: `Unknown audience ${unknown}: tokens here are for the default audience ${env.config.audience} or an audience the operator registered`,
      });
    }
    expect((await requestToken(first, asker, { audience: SHORT })).statusCode).toBe(200);
  });

  it.skipIf(deployment.skip)('`audience` and `resource` that differ, or several `resource`: 400 invalid_target', async () => {
    const asker = await client();
    expectOAuthError(await requestToken(first, asker, { audience: env.config.audience, resource: SHORT }), 400, {
      error: 'invalid_target',
      error_description: `The audience ${env.config.audience} and the resource ${SHORT} differ: name one audience, with either parameter`,
    });
    const several = `${form({ grant_type: 'client_credentials', resource: SHORT })}&resource=${encodeURIComponent(env.config.audience)}`;
    expectOAuthError(await postForm(first, '/oauth/token', several, { authorization: basic(asker.client_id, asker.client_secret) }), 400, {
      error: 'invalid_target',
      error_description: 'Several resource parameters: a token here is for one audience, so name one resource',
    });
  });

  it.skipIf(deployment.skip)("the quota counts per client whatever the audience: a token for one, then a request for another, is the quota's 400", async () => {
    const asker = await client();
    expect((await requestToken(first, asker, { audience: SHORT })).statusCode).toBe(200);
    for (const [app, extra] of [
      [last, {}],
      [first, { audience: SHORT }],
      [last, { resource: env.config.audience }],
    ] as const) {
      const refused = await requestToken(app, asker, extra);
      expect(refused.statusCode, refused.body).toBe(400);
      expect(refused.json()).toStrictEqual({ error: 'rate_limit_exceeded', error_description: `Client Test client ${asker.client_id} has exceeded the daily rate limit` });
      expect(refused.headers['retry-after']).toBe(String(env.config.quotaIntervalSeconds));
    }
  });

  it.skipIf(deployment.skip)("the RaaS guard accepts only its own audience's tokens: another's is 401 invalid_token saying so", async () => {
    const other = (await requestToken(first, await client(), { audience: SHORT })).json().access_token as string;
    const own = (await requestToken(first, await client())).json().access_token as string;
    const description = `The token is for another audience, not this API's: ask for a token for ${env.config.audience}`;
    for (const app of apps) {
      const refused = await get(app, '/raas/v2/whoami', `Bearer ${other}`);
      expectEnvelope(refused, env.clock, { status: 401, path: '/raas/v2/whoami', message: description, i18nKey: 'auth.invalidToken' });
      expect(challenges(refused)).toEqual([`Bearer realm="${env.config.audience}", error="invalid_token", error_description="${description}"`]);
      expect((await get(app, '/raas/v2/whoami', `Bearer ${own}`)).statusCode).toBe(200);
    }
  });

  it.skipIf(deployment.skip)("introspection reports the token's aud, whichever audience it is for; revocation works for it too", async () => {
    const asker = await client();
    const token = (await requestToken(first, asker, { audience: SHORT })).json().access_token as string;
    const authorization = basic(asker.client_id, asker.client_secret);
    const introspected = await postForm(last, '/oauth/introspect', form({ token }), { authorization });
    expect(introspected.statusCode, introspected.body).toBe(200);
    expect(introspected.json()).toMatchObject({ active: true, aud: SHORT, client_id: asker.client_id });
    expect(introspected.json().exp - introspected.json().iat).toBe(300);
    expect((await postForm(first, '/oauth/revoke', form({ token }), { authorization })).statusCode).toBe(200);
    expect((await postForm(last, '/oauth/introspect', form({ token }), { authorization })).json()).toStrictEqual({ active: false });
  });

  it.skipIf(deployment.skip)(
    `an audience added or removed elsewhere reaches every running instance: at once when announced, within ${AUDIENCE_RECHECK_MS} ms when not`,
    async () => {
      const later = 'https://later.example/';
      // Every instance has read the audiences (and not this one) ...
      for (const app of apps) expect((await requestToken(app, await client(), { audience: later })).statusCode).toBe(400);
      // ... when it is written to the store by a writer that tells no one (Redis away, PostgreSQL without it).
      await services[0]!.audiences.insert({ url: later, ttl_seconds: 600, created_at: env.clock.now(), updated_at: env.clock.now() });
      for (const app of apps) expect((await requestToken(app, await client(), { audience: later })).statusCode).toBe(400);
      env.clock.advance(AUDIENCE_RECHECK_MS);
      for (const app of apps) {
        const granted = await requestToken(app, await client(), { audience: later });
        expect(granted.statusCode, granted.body).toBe(200);
        expect(granted.json().expires_in).toBe(600);
      }

      // Removed (as `tessera audience remove` does, announced): refused by every instance, the clock frozen.
      await removeAudience(services[0]!, later);
      for (const app of apps) await refusedWithin(app, await client(), later, 2_000);
      // And added back with another TTL: granted by every instance.
      await addAudience(services[0]!, later, 120);
      for (const app of apps) expect((await grantedWithin(app, await client(), later, 2_000)).json().expires_in).toBe(120);
      await removeAudience(services[0]!, later);
    },
  );

  it.skipIf(deployment.skip)('lists the default audience first, then the registered ones', async () => {
    expect(await listAudiences(services.at(-1)!)).toStrictEqual([
      { audience: env.config.audience, ttl_seconds: env.config.tokenTtlSeconds, default: true, created_at: null },
      { audience: SHORT, ttl_seconds: 300, default: false, created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/) },
    ]);
  });
});
