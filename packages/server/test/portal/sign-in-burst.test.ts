import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PasswordHasher } from '../../src/accounts/passwords.js';
import { ACCOUNT_FAILURE_LIMIT, ADDRESS_FAILURE_LIMIT, SIGN_IN_FAILURE_WINDOW_MS } from '../../src/accounts/sign-in-throttle.js';
import type { Services } from '../../src/services.js';
import { PASSWORD, PortalBrowser } from '../support/portal.js';
import { FLEET_DEPLOYMENTS, startFleet } from '../support/bootstrap.js';
import type { TestEnvironment } from '../support/services.js';

const INVALID = { error: 'invalid_credentials', message: 'The email or password is not correct' };
const ACCOUNT_THROTTLED = { error: 'too_many_failures', message: 'Too many failed sign-ins to this account: try again later' };
const ADDRESS_THROTTLED = { error: 'too_many_failures', message: 'Too many failed sign-ins from this address: try again later' };

/**
 * Holds every password check at a gate until `open()`, as a loaded server holds them in scrypt: every
 * request of a burst is then in flight at once, whatever the machine's speed. Counts the checks that
 * reach it (sign-in, re-authentication and the unknown-email check alike), and runs them one at a time
 * once open, so the hasher's own bound on hashes at once refuses none of them.
 */
function gatePasswordChecks(hashers: PasswordHasher[]): { checked: () => number; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  let checked = 0;
  let turn: Promise<unknown> = Promise.resolve();
  for (const hasher of hashers) {
    const verify = hasher.verify.bind(hasher);
    vi.spyOn(hasher, 'verify').mockImplementation(async (password, stored) => {
      checked++;
      await opened;
      const result = turn.then(() => verify(password, stored));
      turn = result.catch(() => undefined);
      return result;
    });
  }
  return { checked: () => checked, open };
}

/** Fires every request at once; `settled()` says how many have answered so far. */
function burst(requests: Array<() => Promise<LightMyRequestResponse>>): { all: Promise<LightMyRequestResponse[]>; settled: () => number } {
  let settled = 0;
  const all = Promise.all(requests.map((send) => send().finally(() => settled++)));
  return { all, settled: () => settled };
}

const answer = (response: LightMyRequestResponse) => ({ status: response.statusCode, body: response.json<unknown>() });

/** Each instance's answers counted by status and body, in a stable order. */
function tally(responses: LightMyRequestResponse[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const response of responses) {
    const key = `${response.statusCode} ${response.body}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

for (const deployment of FLEET_DEPLOYMENTS) {
  describe.skipIf(deployment.skip)(`parallel sign-in guesses on ${deployment.name}`, () => {
    let env: TestEnvironment;
    let apps: FastifyInstance[];
    let services: Services[];
    /** The instance of the fleet that answers request `i`: they take turns. */
    const app = (i: number) => apps[i % apps.length]!;

    beforeAll(async () => {
      ({ env, apps, services } = await startFleet(deployment));
    });
    afterAll(async () => {
      vi.restoreAllMocks();
      await env?.close();
    });

    const signIn = (i: number, email: string, password: string, remoteAddress: string) =>
      app(i).inject({ method: 'POST', url: '/portal/api/signin', remoteAddress, headers: { 'content-type': 'application/json' }, payload: { email, password } });

    async function signInFailures(email: string): Promise<number> {
      const user = (await services[0]!.users.findByEmail(email))!;
      const entries = await services[0]!.auditLog.chain(user.platform_id);
      return entries.filter((e) => e.action === 'sign_in' && e.outcome === 'failure').length;
    }

    it(`checks at most ${ACCOUNT_FAILURE_LIMIT} of 40 wrong passwords sent at once to one account, and refuses the right one inside the burst`, async () => {
      expect((await new PortalBrowser(app(0)).signUp('burst@example.com', 'burst')).statusCode).toBe(201);
      const gate = gatePasswordChecks(services.map((s) => s.passwords));
      try {
        // From 40 addresses: the account's own count must stop them.
        const guesses = burst(Array.from({ length: 40 }, (_, i) => () => signIn(i, 'burst@example.com', `wrong guess number ${i}`, `10.1.0.${i + 1}`)));
        // Every guess has either reached a password check or been answered.
        await vi.waitFor(() => expect(gate.checked() + guesses.settled()).toBe(40), { timeout: 20_000, interval: 5 });
        expect(gate.checked()).toBe(ACCOUNT_FAILURE_LIMIT);
        // The right password, while the guesses are still being checked, is past the limit.
        const right = await signIn(1, 'burst@example.com', PASSWORD, '10.1.1.1');
        expect({ ...answer(right), retryAfter: right.headers['retry-after'] }).toStrictEqual({ status: 429, body: ACCOUNT_THROTTLED, retryAfter: String(SIGN_IN_FAILURE_WINDOW_MS / 1000) });
        gate.open();
        expect(tally(await guesses.all)).toStrictEqual({
          [`401 ${JSON.stringify(INVALID)}`]: ACCOUNT_FAILURE_LIMIT,
          [`429 ${JSON.stringify(ACCOUNT_THROTTLED)}`]: 40 - ACCOUNT_FAILURE_LIMIT,
        });
      } finally {
        gate.open();
        vi.restoreAllMocks();
      }
      expect(await signInFailures('burst@example.com')).toBe(ACCOUNT_FAILURE_LIMIT);
      // The window ends (Redis keeps its own time, so only the in-process cache follows the frozen clock).
      if (!deployment.redis) {
        env.clock.advance(SIGN_IN_FAILURE_WINDOW_MS);
        expect((await signIn(0, 'burst@example.com', PASSWORD, '10.1.1.1')).statusCode).toBe(200);
      }
    });

    it(`checks at most ${ADDRESS_FAILURE_LIMIT} of 150 wrong sign-ins sent at once from one address, over any accounts`, async () => {
      expect((await new PortalBrowser(app(0)).signUp('sprayed@example.com', 'sprayed')).statusCode).toBe(201);
      const gate = gatePasswordChecks(services.map((s) => s.passwords));
      try {
        const guesses = burst(Array.from({ length: 150 }, (_, i) => () => signIn(i, `spray${i}@example.com`, 'a wrong password here', '192.0.2.50')));
        await vi.waitFor(() => expect(gate.checked() + guesses.settled()).toBe(150), { timeout: 20_000, interval: 5 });
        expect(gate.checked()).toBe(ADDRESS_FAILURE_LIMIT);
        expect(answer(await signIn(1, 'sprayed@example.com', PASSWORD, '192.0.2.50'))).toStrictEqual({ status: 429, body: ADDRESS_THROTTLED });
        gate.open();
        expect(tally(await guesses.all)).toStrictEqual({
          [`401 ${JSON.stringify(INVALID)}`]: ADDRESS_FAILURE_LIMIT,
          [`429 ${JSON.stringify(ADDRESS_THROTTLED)}`]: 150 - ADDRESS_FAILURE_LIMIT,
        });
      } finally {
        gate.open();
        vi.restoreAllMocks();
      }
      // Another address is not held back.
      expect((await signIn(0, 'sprayed@example.com', PASSWORD, '192.0.2.51')).statusCode).toBe(200);
    });

    it(`checks at most ${ACCOUNT_FAILURE_LIMIT} of 40 wrong re-authentications sent at once, and refuses the right one inside the burst`, async () => {
      const browser = new PortalBrowser(app(0));
      expect((await browser.signUp('reauth-burst@example.com', 'reauth-burst')).statusCode).toBe(201);
      const reauth = (i: number, password: string) =>
        app(i).inject({
          method: 'POST',
          url: '/portal/api/session/reauth',
          remoteAddress: '10.2.0.1',
          headers: { 'content-type': 'application/json', cookie: `tessera_session=${browser.cookie}`, 'x-csrf-token': browser.csrfToken! },
          payload: { password },
        });
      const gate = gatePasswordChecks(services.map((s) => s.passwords));
      const wrong = { error: 'invalid_credentials', message: 'The password is not correct' };
      try {
        const guesses = burst(Array.from({ length: 40 }, (_, i) => () => reauth(i, `wrong guess number ${i}`)));
        await vi.waitFor(() => expect(gate.checked() + guesses.settled()).toBe(40), { timeout: 20_000, interval: 5 });
        expect(gate.checked()).toBe(ACCOUNT_FAILURE_LIMIT);
        expect(answer(await reauth(1, PASSWORD))).toStrictEqual({ status: 429, body: ACCOUNT_THROTTLED });
        gate.open();
        expect(tally(await guesses.all)).toStrictEqual({
          [`401 ${JSON.stringify(wrong)}`]: ACCOUNT_FAILURE_LIMIT,
          [`429 ${JSON.stringify(ACCOUNT_THROTTLED)}`]: 40 - ACCOUNT_FAILURE_LIMIT,
        });
      } finally {
        gate.open();
        vi.restoreAllMocks();
      }
    });

    it('lets a person sign in after a few typos, and never counts their successes', async () => {
      expect((await new PortalBrowser(app(0)).signUp('typos@example.com', 'typos')).statusCode).toBe(201);
      // Signing in many times (more than the limit) from one address costs nothing.
      for (let i = 0; i < ACCOUNT_FAILURE_LIMIT + 5; i++) expect((await signIn(i, 'typos@example.com', PASSWORD, '10.3.0.1')).statusCode).toBe(200);
      // Nine typos, then the right password: the tenth attempt signs in, and is given back…
      for (let i = 0; i < ACCOUNT_FAILURE_LIMIT - 1; i++) expect(answer(await signIn(i, 'typos@example.com', `typo number ${i} here`, '10.3.0.1'))).toStrictEqual({ status: 401, body: INVALID });
      expect((await signIn(1, 'typos@example.com', PASSWORD, '10.3.0.1')).statusCode).toBe(200);
      // …so one more typo is the tenth failure, and only then is the account held.
      expect(answer(await signIn(0, 'typos@example.com', 'one typo too many', '10.3.0.1'))).toStrictEqual({ status: 401, body: INVALID });
      expect(answer(await signIn(1, 'typos@example.com', PASSWORD, '10.3.0.1'))).toStrictEqual({ status: 429, body: ACCOUNT_THROTTLED });
    });
  });
}
