import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { STATUS_RECHECK_MS } from '../../src/credentials/credential-events.js';
import { newId, PREFIX } from '../../src/crypto/secrets.js';
import type { Services } from '../../src/services.js';
import { startDeployment } from '../support/bootstrap.js';
import { basic, form, wrongByOneCharacter } from '../support/oauth.js';
import type { TestEnvironment } from '../support/services.js';
import type { Tenant } from '../support/tenants.js';

// Every SHA-256 digest the server takes, counted: the work of checking a secret.
const counted = vi.hoisted(() => ({ digests: 0 }));
vi.mock('../../src/crypto/secrets.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/crypto/secrets.js')>();
  return {
    ...original,
    digest: (secret: string) => {
      counted.digests += 1;
      return original.digest(secret);
    },
  };
});

// Issue 19: an unknown client id answered 1.15–1.35× slower than a wrong secret, every run: a known
// client was remembered (oauth/client-cache.ts) and an unknown id read the store on every request. Both
// must do the same work, so that the time of a 401 does not tell whether a client id exists. Counted,
// not timed: reads of the store, digests, failures recorded against the address, metrics.
describe('an unknown client id costs what a wrong secret costs', () => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;
  let acme: Tenant;

  beforeAll(async () => ({ env, app, services, tenants: { acme } } = await startDeployment({ tenants: ['acme'] })));
  afterAll(async () => env?.close());

  let address = 0;

  /**
   * What `send` costs, three times, then three times more once what the first read may be trusted for
   * has passed: the same sequence whether the client exists or not.
   */
  async function work(send: (from: string) => Promise<LightMyRequestResponse>) {
    // Start where neither is remembered: anything read before (the tenant's token) is too old to trust.
    env.clock.advance(STATUS_RECHECK_MS);
    const storeReads = vi.spyOn(services.oauthClients, 'findWithPlatform');
    const failures = vi.spyOn(services.throttle, 'recordFailure');
    const metrics = vi.spyOn(services.metrics, 'authFailed');
    counted.digests = 0;
    const from = `192.0.2.${++address}`;
    const answers = new Set<string>();
    try {
      for (const phase of [0, 1]) {
        if (phase === 1) env.clock.advance(STATUS_RECHECK_MS);
        for (let i = 0; i < 3; i++) {
          const response = await send(from);
          answers.add(JSON.stringify({ status: response.statusCode, body: response.json() as unknown, challenge: response.headers['www-authenticate'] }));
        }
      }
      return { storeReads: storeReads.mock.calls.length, digests: counted.digests, failures: failures.mock.calls.length, metrics: metrics.mock.calls.length, answers: [...answers] };
    } finally {
      vi.restoreAllMocks();
    }
  }

  const challenge = () => `Basic realm="${env.config.publicUrl}", charset="UTF-8"`;
  const refused = () => JSON.stringify({ status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed' }, challenge: challenge() });
  const viaBasic = (clientId: string, secret: string) => (from: string) =>
    app.inject({ method: 'POST', url: '/oauth/token', remoteAddress: from, headers: { authorization: basic(clientId, secret), 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=client_credentials' });
  const viaBody = (clientId: string, secret: string) => (from: string) =>
    app.inject({ method: 'POST', url: '/oauth/token', remoteAddress: from, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }) });

  it('with the Basic header: one read of the store per recheck interval, one digest per header, a failure per request, for both', async () => {
    const unknown = await work(viaBasic(newId(PREFIX.client), wrongByOneCharacter(acme.clientSecret)));
    const wrong = await work(viaBasic(acme.clientId, wrongByOneCharacter(acme.clientSecret)));
    expect(unknown).toStrictEqual(wrong);
    expect(wrong).toStrictEqual({ storeReads: 2, digests: 1, failures: 6, metrics: 6, answers: [refused()] });
  });

  it('in the body: the same, a digest per request', async () => {
    const unknown = await work(viaBody(newId(PREFIX.client), wrongByOneCharacter(acme.clientSecret)));
    const wrong = await work(viaBody(acme.clientId, wrongByOneCharacter(acme.clientSecret)));
    expect(unknown).toStrictEqual(wrong);
    expect(wrong).toStrictEqual({ storeReads: 2, digests: 6, failures: 6, metrics: 6, answers: [refused()] });
  });
});
