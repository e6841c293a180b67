import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PasswordHasher, WAITING_PER_HASH } from '../../src/accounts/passwords.js';
import type { Services } from '../../src/services.js';
import { startDeployment } from '../support/bootstrap.js';
import { heldDerive } from '../support/held-derive.js';
import { PASSWORD, PortalBrowser } from '../support/portal.js';
import type { TestEnvironment } from '../support/services.js';

const BUSY = { error: 'busy', message: 'The server is checking too many passwords right now: try again in a moment' };

// Issue 19: bursts of sign-ins queued without end on libuv's pool, behind which token signatures waited
// for seconds. Password hashes now run TESSERA_PASSWORD_HASHES at a time, a bounded number wait, and the
// rest are refused at once with 503 and Retry-After.
describe('portal password hashes past their bound', () => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;

  beforeAll(async () => {
    ({ env, app, services } = await startDeployment({ config: { passwordHashes: 3 } }));
    await new PortalBrowser(app).signUp('known@example.com', 'known');
  });
  afterAll(async () => env?.close());

  it('TESSERA_PASSWORD_HASHES sets the hashes at once, with 16 waiting for each', () => {
    expect({ atOnce: services.passwords.atOnce, waiting: services.passwords.waiting }).toStrictEqual({ atOnce: 3, waiting: 3 * WAITING_PER_HASH });
  });

  it('one hash running and one waiting: the next sign-in, unknown email, re-authentication or sign-up gets 503 with Retry-After, and the first two their answers', async () => {
    const saved = services.passwords;
    const held = heldDerive();
    const hasher = new PasswordHasher(saved.cost, { atOnce: 1, waiting: 1, derive: held.derive });
    try {
      const signedIn = new PortalBrowser(app);
      expect((await signedIn.signIn('known@example.com')).statusCode).toBe(200);
      services.passwords = hasher;

      const right = new PortalBrowser(app).signIn('known@example.com');
      await vi.waitFor(() => expect(held.started()).toBe(1));
      const unknown = new PortalBrowser(app).signIn('nobody@example.com', 'a wrong password here');
      await vi.waitFor(() => expect(hasher.pending).toBe(2));

      const refused = [
        await new PortalBrowser(app).signIn('known@example.com'),
        await new PortalBrowser(app).signIn('someone-else@example.com', 'a wrong password here'),
        await signedIn.post('/session/reauth', { password: PASSWORD }),
        await new PortalBrowser(app).signUp('new@example.com', 'new-platform'),
      ];
      for (const response of refused) {
        expect({ status: response.statusCode, retryAfter: response.headers['retry-after'], body: response.json() as unknown, cookie: response.headers['set-cookie'] }).toStrictEqual({
          status: 503,
          retryAfter: '1',
          body: BUSY,
          cookie: undefined,
        });
      }
      expect(held.started()).toBe(1);
      expect(await services.users.findByEmail('new@example.com')).toBeUndefined();

      held.releaseOne();
      await vi.waitFor(() => expect(held.started()).toBe(2));
      held.releaseOne();
      expect((await right).statusCode).toBe(200);
      expect({ status: (await unknown).statusCode, body: (await unknown).json() as unknown }).toStrictEqual({
        status: 401,
        body: { error: 'invalid_credentials', message: 'The email or password is not correct' },
      });

      // Nothing is left waiting: the next sign-in is checked at once.
      const next = new PortalBrowser(app).signIn('known@example.com');
      await vi.waitFor(() => expect(held.started()).toBe(3));
      held.releaseAll();
      expect((await next).statusCode).toBe(200);
    } finally {
      held.releaseAll();
      services.passwords = saved;
    }
  });
});
