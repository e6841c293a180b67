import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PasswordHasher, PASSWORD_COST } from '../../src/accounts/passwords.js';
import { ACCOUNT_FAILURE_LIMIT, ADDRESS_FAILURE_LIMIT } from '../../src/accounts/sign-in-throttle.js';
import type { Services } from '../../src/services.js';
import { PASSWORD, PortalBrowser } from '../support/portal.js';
import { startDeployment } from '../support/bootstrap.js';
import type { TestEnvironment } from '../support/services.js';

const INVALID = { error: 'invalid_credentials', message: 'The email or password is not correct' };

describe('portal sign-in', () => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;

  beforeAll(async () => {
    ({ env, app, services } = await startDeployment());
    await new PortalBrowser(app).signUp('known@example.com', 'known');
  });
  afterAll(async () => env?.close());

  it('answers an unknown email and a wrong password alike, having spent a password check on both', async () => {
    const verifyNobody = vi.spyOn(services.passwords, 'verifyNobody');
    const verify = vi.spyOn(services.passwords, 'verify');
    const unknown = await new PortalBrowser(app).signIn('unknown@example.com', 'a wrong password here');
    expect(verifyNobody).toHaveBeenCalledWith('a wrong password here');
    expect(verify).toHaveBeenCalledTimes(1); // inside verifyNobody
    const wrong = await new PortalBrowser(app).signIn('known@example.com', 'a wrong password here');
    for (const response of [unknown, wrong]) {
      expect({ status: response.statusCode, body: response.body, cookie: response.headers['set-cookie'] }).toStrictEqual({
        status: 401,
        body: JSON.stringify(INVALID),
        cookie: undefined,
      });
    }
    vi.restoreAllMocks();
  });

  it('takes as long for an unknown email as for a wrong password at the production cost', async () => {
    const production = new PasswordHasher(PASSWORD_COST);
    const saved = services.passwords;
    services.passwords = production;
    try {
      await services.users.setPasswordHash((await services.users.findByEmail('known@example.com'))!.id, await production.hash(PASSWORD));
      const time = async (email: string) => {
        const started = performance.now();
        expect((await app.inject({ method: 'POST', url: '/portal/api/signin', headers: { 'content-type': 'application/json', 'x-forwarded-for': 'x' }, payload: { email, password: 'wrong password, long enough' } })).statusCode).toBe(401);
        return performance.now() - started;
      };
      await time('warm-up@example.com');
      const median = (values: number[]) => values.sort((a, b) => a - b)[1]!;
      const unknown = median([await time('nobody@example.com'), await time('nobody@example.com'), await time('nobody@example.com')]);
      const wrong = median([await time('known@example.com'), await time('known@example.com'), await time('known@example.com')]);
      // Without the dummy check an unknown email answers in a millisecond or two, a wrong password in tens.
      expect(wrong).toBeGreaterThan(20);
      expect(unknown).toBeGreaterThan(wrong / 3);
    } finally {
      services.passwords = saved;
    }
  });

  it(`throttles an account after ${ACCOUNT_FAILURE_LIMIT} failures, its right password included, and not another`, async () => {
    await new PortalBrowser(app).signUp('target@example.com', 'target');
    const from = (n: number) => ({ 'x-test-address': String(n) });
    for (let i = 0; i < ACCOUNT_FAILURE_LIMIT; i++) {
      // From many addresses: the account's own count stops them.
      const response = await app.inject({
        method: 'POST',
        url: '/portal/api/signin',
        remoteAddress: `10.0.0.${i + 1}`,
        headers: { 'content-type': 'application/json', ...from(i) },
        payload: { email: 'Target@example.com', password: `guess number ${i} here` },
      });
      expect(response.statusCode).toBe(401);
    }
    const blocked = await app.inject({ method: 'POST', url: '/portal/api/signin', remoteAddress: '10.0.1.1', headers: { 'content-type': 'application/json' }, payload: { email: 'target@example.com', password: PASSWORD } });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['retry-after']).toBe(String(15 * 60));
    expect(blocked.json()).toStrictEqual({ error: 'too_many_failures', message: 'Too many failed sign-ins to this account: try again later' });
    // An unknown email is counted the same, so a 429 tells nothing about who has an account.
    for (let i = 0; i < ACCOUNT_FAILURE_LIMIT; i++) {
      await app.inject({ method: 'POST', url: '/portal/api/signin', remoteAddress: `10.0.2.${i + 1}`, headers: { 'content-type': 'application/json' }, payload: { email: 'ghost@example.com', password: 'guess guess guess' } });
    }
    const ghost = await app.inject({ method: 'POST', url: '/portal/api/signin', remoteAddress: '10.0.3.1', headers: { 'content-type': 'application/json' }, payload: { email: 'ghost@example.com', password: 'guess guess guess' } });
    expect(ghost.statusCode).toBe(429);
    expect((await new PortalBrowser(app).signIn('known@example.com')).statusCode).toBe(200);
    env.clock.advance(15 * 60_000);
    expect((await app.inject({ method: 'POST', url: '/portal/api/signin', remoteAddress: '10.0.1.1', headers: { 'content-type': 'application/json' }, payload: { email: 'target@example.com', password: PASSWORD } })).statusCode).toBe(200);
  });

  it(`throttles an address after ${ADDRESS_FAILURE_LIMIT} failures over any accounts`, async () => {
    const signIn = (email: string, password: string) =>
      app.inject({ method: 'POST', url: '/portal/api/signin', remoteAddress: '192.0.2.7', headers: { 'content-type': 'application/json' }, payload: { email, password } });
    for (let i = 0; i < ADDRESS_FAILURE_LIMIT; i++) expect((await signIn(`spray${i}@example.com`, 'password123456')).statusCode).toBe(401);
    const blocked = await signIn('known@example.com', PASSWORD);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json()).toStrictEqual({ error: 'too_many_failures', message: 'Too many failed sign-ins from this address: try again later' });
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // The token endpoint counts its own failures: the portal's do not block it.
    const token = await app.inject({ method: 'POST', url: '/oauth/token', remoteAddress: '192.0.2.7', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=client_credentials&client_id=cli_x&client_secret=y' });
    expect(token.statusCode).toBe(401);
  });
});
