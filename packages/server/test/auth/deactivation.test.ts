import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createApiKey, deleteApiKey, setApiKeyStatus } from '../../src/credentials/api-keys.js';
import { resetClientQuota, setClientStatus } from '../../src/credentials/oauth-clients.js';
import { form, postForm } from '../support/oauth.js';
import { STATUS_RECHECK_MS } from '../../src/credentials/credential-events.js';
import { startDeployment } from '../support/bootstrap.js';
import { skipReason, STORE_KINDS, type TestEnvironment } from '../support/services.js';
import { basic, createTenant, get } from '../support/tenants.js';

const redisSkip = skipReason('redis');
const CASES = STORE_KINDS.flatMap((store) => [
  { store, redis: false },
  { store, redis: true },
]);

/** Polls until `instance` refuses `authorization`, or fails after `deadlineMs` of real time. */
async function refusedWithin(app: FastifyInstance, authorization: string, deadlineMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const { statusCode } = await get(app, '/raas/v2/whoami', authorization);
    if (statusCode === 401) return Date.now() - started;
    if (Date.now() - started > deadlineMs) throw new Error(`still ${statusCode} after ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each(CASES)('deactivation across two instances ($store, redis: $redis)', ({ store, redis }) => {
  let env: TestEnvironment | undefined;
  afterEach(async () => env?.close());

  it.skipIf(redis && redisSkip)(
    redis
      ? 'is announced through Redis and refused by the other instance within 1 s'
      : store === 'sqlite'
        ? 'is refused by the other instance at once: it sees another connection commit to the SQLite file'
        : 'is refused by the other instance within 5 s (status re-read)',
    async () => {
      const { env: opened, app, services } = await startDeployment({ store, redis });
      env = opened;
      const one = { app, services };
      const two = await env.app();
      const acme = await createTenant(one.app, one.services, 'acme');
      const second = await createApiKey(one.services, 'acme');
      const secondBasic = basic('acme', second.api_key);

      // Instance two verifies and remembers all three credentials.
      for (const authorization of [acme.bearer, acme.basic, secondBasic]) {
        expect((await get(two.app, '/raas/v2/whoami', authorization)).statusCode).toBe(200);
      }

      // Deactivated through instance one's services (as the portal or an admin would).
      await setClientStatus(one.services, acme.clientId, 'inactive');
      await setApiKeyStatus(one.services, acme.apiKeyId, 'inactive');
      await setApiKeyStatus(one.services, second.id, 'inactive');
      await deleteApiKey(one.services, second.id);

      // Instance one, which announced it, refuses at once.
      for (const authorization of [acme.bearer, acme.basic, secondBasic]) {
        expect((await get(one.app, '/raas/v2/whoami', authorization)).statusCode).toBe(401);
      }

      if (redis) {
        // The clock stays frozen: only the announcement can make instance two refuse.
        for (const authorization of [acme.bearer, acme.basic, secondBasic]) {
          expect(await refusedWithin(two.app, authorization, 1_000)).toBeLessThan(1_000);
        }
      } else if (store === 'sqlite') {
        // No announcement reaches instance two, but SQLite tells it that another connection committed
        // (PRAGMA data_version): it forgets what it verified, with the clock frozen.
        for (const authorization of [acme.bearer, acme.basic, secondBasic]) {
          expect((await get(two.app, '/raas/v2/whoami', authorization)).statusCode).toBe(401);
        }
      } else {
        // Without Redis instance two still trusts what it verified, until the status is re-read.
        for (const authorization of [acme.bearer, acme.basic, secondBasic]) {
          expect((await get(two.app, '/raas/v2/whoami', authorization)).statusCode).toBe(200);
        }
        env.clock.advance(STATUS_RECHECK_MS);
        expect(STATUS_RECHECK_MS).toBeLessThanOrEqual(5_000);
        for (const authorization of [acme.bearer, acme.basic, secondBasic]) {
          expect((await get(two.app, '/raas/v2/whoami', authorization)).statusCode).toBe(401);
        }
      }

      // Reactivated: the key is accepted again everywhere, at once (refusals are never remembered); the
      // client is too, but not the token issued before its deactivation, which may have leaked.
      await setClientStatus(one.services, acme.clientId, 'active');
      await setApiKeyStatus(one.services, acme.apiKeyId, 'active');
      const introspect = (instance: typeof one, token: string) =>
        postForm(instance.app, '/oauth/introspect', form({ token }), { authorization: basic(acme.clientId, acme.clientSecret) });
      for (const instance of [one, two]) {
        expect((await get(instance.app, '/raas/v2/whoami', acme.basic)).statusCode).toBe(200);
        const old = await get(instance.app, '/raas/v2/whoami', acme.bearer);
        expect({ status: old.statusCode, message: old.json().message }).toEqual({
          status: 401,
          message: 'The token was issued before its client credential was deactivated',
        });
        expect((await introspect(instance, acme.token)).json()).toEqual({ active: false });
      }
      // A new token, in the very millisecond of the re-activation (the clock is frozen), is good everywhere.
      await resetClientQuota(one.services, acme.clientId);
      const issued = await postForm(one.app, '/oauth/token', form({ grant_type: 'client_credentials' }), { authorization: basic(acme.clientId, acme.clientSecret) });
      expect(issued.statusCode, issued.body).toBe(200);
      const fresh = issued.json().access_token as string;
      for (const instance of [one, two]) {
        expect((await get(instance.app, '/raas/v2/whoami', `Bearer ${fresh}`)).statusCode).toBe(200);
        expect((await introspect(instance, fresh)).json()).toMatchObject({ active: true, client_id: acme.clientId });
      }
      // And a token issued before a later deactivation is not brought back either.
      await setClientStatus(one.services, acme.clientId, 'inactive');
      await setClientStatus(one.services, acme.clientId, 'active');
      expect((await introspect(one, fresh)).json()).toEqual({ active: false });
    },
  );
});
