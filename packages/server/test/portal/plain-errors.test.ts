import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDeployment } from '../support/bootstrap.js';
import { PASSWORD, PortalBrowser, signedUpAdmin } from '../support/portal.js';
import type { TestEnvironment } from '../support/services.js';

/**
 * Issue 19, point 15: the portal shows its API's messages as they are, so a refused field is said in
 * plain words, never in the validator's ("must NOT have fewer than", "must match pattern", "constant").
 */
describe('the portal API’s refusals of bad input', () => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let ann: PortalBrowser;

  beforeAll(async () => {
    ({ env, app } = await startDeployment());
    ann = await signedUpAdmin(app, 'plain@example.com', 'plain-words');
  });
  afterAll(async () => env?.close());

  const refusal = (message: string) => ({ error: 'invalid_input', message });

  it.each([
    ['a platform name left empty', '/signup', { email: 'x@example.com', password: PASSWORD, platformName: '' }, 'The platform name must not be empty'],
    ['a missing field', '/signup', { email: 'x@example.com', password: PASSWORD }, 'The platform name is required'],
    ['a field the route does not take', '/signup', { email: 'x@example.com', password: PASSWORD, platformName: 'x', admin: true }, 'The field "admin" is not expected here'],
    ['a number for an email', '/signin', { email: 5, password: PASSWORD }, 'The email must be text'],
    ['a line break in an email', '/signin', { email: 'x@example.com\n', password: PASSWORD }, 'The email must not contain control characters (such as line breaks or tabs)'],
    ['an unknown role', '/invitations', { email: 'y@example.com', role: 'owner' }, 'The role must be one of: admin, member'],
    ['a role that is not text', '/invitations', { email: 'y@example.com', role: 1 }, 'The role must be one of: admin, member'],
    ['a client name left empty', '/oauth-clients', { name: '' }, 'The name must not be empty'],
    ['a client name too long', '/oauth-clients', { name: 'n'.repeat(101) }, 'The name must have at most 100 characters'],
    ['a client name with an accent', '/oauth-clients', { name: 'Café' }, 'The name may have 1 to 100 characters: letters without accents, digits, spaces and punctuation other than " and \\'],
    ['an invitation link too long', '/invitations/preview', { token: 't'.repeat(201) }, 'The invitation link must have at most 200 characters'],
  ])('%s: 400 in plain words', async (_case, url, body, message) => {
    const response = await ann.post(url, body);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toStrictEqual(refusal(message));
  });

  it('names a parameter exactly (a program sends it), in plain words', async () => {
    expect((await ann.post('/oauth-clients/cli$1/deactivate')).json()).toStrictEqual(
      refusal('The path parameter "clientId" is not a valid id: ids have only letters, digits and _'),
    );
    expect((await ann.get('/audit?limit=ten')).json()).toStrictEqual(refusal('The query parameter "limit" must be a whole number'));
  });
});
