import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src/services.js';
import { startDeployment } from '../support/bootstrap.js';
import { PortalBrowser } from '../support/portal.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';

const REFUSED = {
  error: 'conflict',
  message: 'This email or platform name cannot be used: choose another platform name, or sign in if you already have an account',
};

describe.each(STORE_KINDS)('sign-up and taken emails on %s', (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;

  beforeAll(async () => ({ env, app, services } = await startDeployment({ store })));
  afterAll(async () => env?.close());

  it('answers a taken email exactly as a taken platform name: the answer neither names nor confirms the email', async () => {
    expect((await new PortalBrowser(app).signUp('taken@example.com', 'first')).statusCode).toBe(201);
    const takenEmail = await new PortalBrowser(app).signUp('Taken@Example.com', 'fresh-name');
    const takenName = await new PortalBrowser(app).signUp('fresh@example.com', 'first');
    for (const response of [takenEmail, takenName]) {
      expect({ status: response.statusCode, body: response.body, cookie: response.headers['set-cookie'] }).toStrictEqual({
        status: 409,
        body: JSON.stringify(REFUSED),
        cookie: undefined,
      });
    }
    expect(await services.platforms.findByName('fresh-name')).toBeUndefined();
    expect(await services.users.findByEmail('fresh@example.com')).toBeUndefined();

    // A fresh address with a fresh name signs up.
    const fresh = await new PortalBrowser(app).signUp('fresh@example.com', 'fresh-name');
    expect(fresh.statusCode).toBe(201);
    expect(fresh.json()).toMatchObject({ user: { email: 'fresh@example.com', role: 'admin' }, platform: { name: 'fresh-name' } });
  });
});
