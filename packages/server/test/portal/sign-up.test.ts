import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SIGN_UP_WINDOW_MS } from '../../src/accounts/sign-up-throttle.js';
import { loadConfig } from '../../src/config/config.js';
import type { Services } from '../../src/services.js';
import { PASSWORD } from '../support/portal.js';
import { FLEET_DEPLOYMENTS, startFleet } from '../support/bootstrap.js';
import type { TestEnvironment } from '../support/services.js';

/** The limit a server has when TESSERA_SIGNUP_LIMIT is not set (the suites' environment raises it). */
const DEFAULT_LIMIT = loadConfig({}).signUpLimit;
const THROTTLED = { error: 'too_many_failures', message: 'Too many sign-ups from this address: try again later' };

for (const deployment of FLEET_DEPLOYMENTS) {
  describe.skipIf(deployment.skip)(`the open sign-up throttle on ${deployment.name}`, () => {
    let env: TestEnvironment;
    let apps: FastifyInstance[];
    let services: Services[];
    const app = (i: number) => apps[i % apps.length]!;

    // Open sign-up, where each sign-up hashes its password at once; verified sign-up's own burst is below.
    beforeAll(async () => {
      ({ env, apps, services } = await startFleet(deployment, { signUpLimit: DEFAULT_LIMIT, portalSignup: 'open' }));
    });
    afterAll(async () => {
      vi.restoreAllMocks();
      await env?.close();
    });

    const signUp = (i: number, name: string, remoteAddress: string): Promise<LightMyRequestResponse> =>
      app(i).inject({
        method: 'POST',
        url: '/portal/api/signup',
        remoteAddress,
        headers: { 'content-type': 'application/json' },
        payload: { email: `${name}@example.com`, password: PASSWORD, platformName: name },
      });

    it(`makes ${DEFAULT_LIMIT} platforms of 30 sign-ups sent at once from one address, hashing no password past the limit`, async () => {
      expect(DEFAULT_LIMIT).toBe(10);
      const hashes = services.map((s) => vi.spyOn(s.passwords, 'hash'));
      const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => signUp(i, `burst-${i}`, '198.51.100.7')));
      const created = responses.filter((r) => r.statusCode === 201).length;
      const refused = responses.filter((r) => r.statusCode !== 201);
      expect(created).toBe(DEFAULT_LIMIT);
      expect(refused.map((r) => ({ status: r.statusCode, body: r.json<unknown>(), retryAfter: r.headers['retry-after'] }))).toStrictEqual(
        Array.from({ length: 30 - DEFAULT_LIMIT }, () => ({ status: 429, body: THROTTLED, retryAfter: String(SIGN_UP_WINDOW_MS / 1000) })),
      );
      expect(hashes.reduce((sum, hash) => sum + hash.mock.calls.length, 0)).toBe(DEFAULT_LIMIT);
      let platforms = 0;
      for (let i = 0; i < 30; i++) if (await services[0]!.platforms.findByName(`burst-${i}`)) platforms++;
      expect(platforms).toBe(DEFAULT_LIMIT);
      vi.restoreAllMocks();
      // Another address is not held back; a bad request is answered as before, and not counted.
      expect((await signUp(1, 'elsewhere', '198.51.100.8')).statusCode).toBe(201);
      const short = await app(0).inject({
        method: 'POST',
        url: '/portal/api/signup',
        remoteAddress: '198.51.100.9',
        headers: { 'content-type': 'application/json' },
        payload: { email: 'short@example.com', password: 'too short', platformName: 'short' },
      });
      expect({ status: short.statusCode, body: short.json<unknown>() }).toStrictEqual({
        status: 400,
        body: { error: 'invalid_input', message: 'The password must have at least 12 characters' },
      });
    });

    // Only where the cache follows the frozen clock (Redis keeps its own time): defined there alone, not skipped.
    if (!deployment.redis) it('lets an address sign up again when its hour is over', async () => {
      for (let i = 0; i < DEFAULT_LIMIT; i++) expect((await signUp(i, `hourly-${i}`, '203.0.113.5')).statusCode).toBe(201);
      const refused = await signUp(0, 'hourly-late', '203.0.113.5');
      expect({ status: refused.statusCode, body: refused.json<unknown>(), retryAfter: refused.headers['retry-after'] }).toStrictEqual({
        status: 429,
        body: THROTTLED,
        retryAfter: '3600',
      });
      expect(await services[0]!.platforms.findByName('hourly-late')).toBeUndefined();
      env.clock.advance(SIGN_UP_WINDOW_MS);
      expect((await signUp(0, 'hourly-late', '203.0.113.5')).statusCode).toBe(201);
    });
  });
}

for (const deployment of FLEET_DEPLOYMENTS) {
  describe.skipIf(deployment.skip)(`the verified sign-up throttle on ${deployment.name}`, () => {
    let env: TestEnvironment;
    let apps: FastifyInstance[];
    let services: Services[];

    beforeAll(async () => {
      ({ env, apps, services } = await startFleet(deployment, { signUpLimit: DEFAULT_LIMIT }));
    });
    afterAll(async () => env?.close());

    it(`mails ${DEFAULT_LIMIT} links of 30 sign-ups sent at once from one address, to as many addresses, and answers the rest 429`, async () => {
      expect(services[0]!.config.portalSignup).toBe('verified');
      const responses = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          apps[i % apps.length]!.inject({
            method: 'POST',
            url: '/portal/api/signup',
            remoteAddress: '198.51.100.7',
            headers: { 'content-type': 'application/json' },
            payload: { email: `verified-burst-${i}@example.com`, platformName: `verified-burst-${i}` },
          }),
        ),
      );
      expect(responses.filter((r) => r.statusCode === 202)).toHaveLength(DEFAULT_LIMIT);
      expect(responses.filter((r) => r.statusCode !== 202).map((r) => ({ status: r.statusCode, body: r.json<unknown>() }))).toStrictEqual(
        Array.from({ length: 30 - DEFAULT_LIMIT }, () => ({ status: 429, body: THROTTLED })),
      );
      const waiting = await services[0]!.database.db.selectFrom('sign_ups').select('email').execute();
      expect(waiting).toHaveLength(DEFAULT_LIMIT);
    });
  });
}
