import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appWithCapturedLog } from '../support/captured-log.js';
import type { Services } from '../../src/services.js';
import { newestMailTo, signUpToken } from '../support/mail.js';
import { PASSWORD, PortalBrowser } from '../support/portal.js';
import { startDeployment } from '../support/bootstrap.js';
import type { TestEnvironment } from '../support/services.js';

describe('the portal and the logs', () => {
  let env: TestEnvironment;
  let services: Services;
  beforeAll(async () => {
    ({ env, services } = await startDeployment());
  });
  afterAll(async () => env?.close());

  it('never writes a password, an API key, a client secret, a session id, a CSRF token, an invitation or sign-up link to the log, even at trace level', async () => {
    const { app, log } = await appWithCapturedLog(services);
    try {
      const ann = new PortalBrowser(app);
      await ann.signUp('logs@example.com', 'logs');
      // The sign-up link's token (the helper read it from the outbox and finished with it): in no log line.
      const signUpLink = signUpToken(await newestMailTo(app, 'logs@example.com'))!;
      const signUpSession = ann.cookie!;
      const signUpCsrf = ann.csrfToken!;
      await ann.post('/signout');
      await ann.signIn('logs@example.com', 'a wrong password for the log');
      await ann.signIn('logs@example.com');
      const client = (await ann.post('/oauth-clients', {})).json();
      const key = (await ann.post('/api-keys')).json();
      const revealed = (await ann.post(`/api-keys/${key.id}/reveal`)).json();
      const link = (await ann.post('/invitations', { email: 'logs-bob@example.com', role: 'member' })).json().link as string;
      const bob = new PortalBrowser(app);
      await bob.post('/invitations/accept', { token: link.split('/').at(-1), password: `${PASSWORD} bob` });
      await ann.post('/session/reauth', { password: PASSWORD });

      expect(log()).toContain('"url":"/portal/api/signin"');
      const secrets = {
        password: PASSWORD,
        wrongPassword: 'a wrong password for the log',
        bobPassword: `${PASSWORD} bob`,
        signUpSession,
        signUpCsrf,
        session: ann.cookie!,
        csrf: ann.csrfToken!,
        bobSession: bob.cookie!,
        clientSecret: client.clientSecret,
        apiKey: key.apiKey,
        revealed: revealed.apiKey,
        invitation: link.split('/').at(-1)!,
        signUpLink,
      };
      for (const [what, secret] of Object.entries(secrets)) {
        expect(secret, what).toMatch(/.{12,}/);
        expect(log().includes(secret), what).toBe(false);
      }
    } finally {
      await app.close();
    }
  });
});
