import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normaliseEmail } from '../../src/accounts/emails.js';
import type { Services } from '../../src/services.js';
import { startDeployment } from '../support/bootstrap.js';
import { newestMailTo, signUpToken } from '../support/mail.js';
import { PortalBrowser } from '../support/portal.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';

// One address, three spellings: é composed (NFC), e + U+0301 (NFD), and fullwidth letters (NFKC folds them).
const NFC = 'jos\u00e9@example.com';
const NFD = 'jose\u0301@example.com';
const FULLWIDTH = '\uff2a\uff4f\uff53\u00e9\uff20\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45\uff0e\uff43\uff4f\uff4d';
const REFUSED = {
  error: 'conflict',
  message: 'This email or platform name cannot be used: choose another platform name, or sign in if you already have an account',
};

describe('one spelling per email', () => {
  it('is NFKC, lower-cased and trimmed, and a spelling is its own', () => {
    expect([NFC, NFD, FULLWIDTH, ` ${NFD.toUpperCase()}\u00a0`].map(normaliseEmail)).toEqual([NFC, NFC, NFC, NFC]);
    for (const spelling of [NFC, 'ann@example.com', '\u1e9b\u0323@example.com']) expect(normaliseEmail(normaliseEmail(spelling))).toBe(normaliseEmail(spelling));
  });
});

describe.each(STORE_KINDS)('Unicode spellings of one email on %s', (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;

  beforeAll(async () => ({ env, app, services } = await startDeployment({ store })));
  afterAll(async () => env?.close());

  it('signs up, signs in and invites the NFC and NFD spellings of an address as one account', async () => {
    const jose = new PortalBrowser(app);
    const signedUp = await jose.signUp(NFD, 'jose');
    expect(signedUp.statusCode, signedUp.body).toBe(201);
    const { user } = signedUp.json() as { user: { id: string; email: string } };
    expect(user.email).toBe(NFC);

    // No look-alike second account, in any spelling: verified sign-up mails the account's own spelling that
    // it has an account (no link), and open sign-up refuses.
    for (const [email, name] of [
      [NFC, 'jose-nfc'],
      [NFD, 'jose-nfd'],
    ] as const) {
      const again = await new PortalBrowser(app).signUp(email, name);
      expect({ email, status: again.statusCode, body: again.json() }).toStrictEqual({ email, status: 202, body: { status: 'link_sent', expiresIn: 3600, outbox: true } });
      const mail = await newestMailTo(app, NFC);
      expect({ to: mail?.to, subject: mail?.subject, link: signUpToken(mail) }).toStrictEqual({ to: NFC, subject: 'Someone tried to create a Tessera platform with your address', link: undefined });
    }
    const open = (await env.app({ portalSignup: 'open' })).app;
    for (const [email, name] of [
      [NFD, 'jose-nfd'],
      [FULLWIDTH, 'jose-wide'],
    ] as const) {
      const again = await new PortalBrowser(open).signUp(email, name);
      expect({ email, status: again.statusCode, body: again.json() }).toStrictEqual({ email, status: 409, body: REFUSED });
    }
    expect(await services.database.db.selectFrom('users').select('id').where('email', 'in', [NFC, NFD, FULLWIDTH]).execute()).toEqual([{ id: user.id }]);

    // Every spelling signs in to it.
    for (const email of [NFC, NFD, FULLWIDTH]) {
      const signedIn = await new PortalBrowser(app).signIn(email);
      expect({ email, status: signedIn.statusCode, user: signedIn.json().user?.id }).toStrictEqual({ email, status: 200, user: user.id });
    }

    // Invitations compare the one spelling too: to the platform's own user, and to a pending address.
    expect((await jose.post('/invitations', { email: FULLWIDTH, role: 'member' })).json()).toStrictEqual({
      error: 'conflict',
      message: `${NFC} is already a user of this platform`,
    });
    const invited = await jose.post('/invitations', { email: 'mar\u00eda@example.com', role: 'member' });
    expect(invited.statusCode).toBe(201);
    expect((await jose.post('/invitations', { email: 'mari\u0301a@example.com', role: 'admin' })).json()).toStrictEqual({
      error: 'conflict',
      message: 'mar\u00eda@example.com is already invited: withdraw that invitation to send a new link',
    });
  });
});
