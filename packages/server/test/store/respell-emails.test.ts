import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src/services.js';
import { respellEmails } from '../../src/store/respell-emails.js';
import { startDeployment } from '../support/bootstrap.js';
import { PortalBrowser } from '../support/portal.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';

const NFC = 'jos\u00e9@example.com';
const NFD = 'jose\u0301@example.com';

describe.each(STORE_KINDS)('migration 0012 (emails in one spelling) on %s', (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;

  beforeAll(async () => ({ env, app, services } = await startDeployment({ store })));
  afterAll(async () => env?.close());

  /** A user as the store held it before 0012: only trimmed and lower-cased, so maybe NFD or fullwidth. */
  const userSpelled = async (email: string, platformName: string): Promise<string> => {
    const signedUp = await new PortalBrowser(app).signUp(`${platformName}@example.com`, platformName);
    const { id } = signedUp.json().user as { id: string };
    await services.database.db.updateTable('users').set({ email }).where('id', '=', id).execute();
    env.clock.advance(1000);
    return id;
  };
  const emails = async () =>
    Object.fromEntries((await services.database.db.selectFrom('users').select(['id', 'email']).execute()).map((u) => [u.id, u.email]));

  it('respells every row; of look-alike accounts the oldest keeps the address and signs in by it', async () => {
    const first = await userSpelled(NFD, 'first'); // the address's first account, made from an NFD keyboard
    const lookAlike = await userSpelled(NFC, 'look-alike'); // the same address again, NFC: the report's pair
    const alone = await userSpelled('\uff41\uff4e\uff4e@example.com', 'alone'); // fullwidth, no look-alike
    const keeps = await userSpelled('kept@example.com', 'kept');
    const inviter = await services.platforms.findByName('kept');
    const other = await services.platforms.findByName('alone');
    const invite = async (platformId: string, email: string) => {
      const id = `inv_${Math.random().toString(36).slice(2)}`;
      await services.database.db
        .insertInto('invitations')
        .values({ id, platform_id: platformId, email, role: 'member', token_digest: id, created_at: env.clock.now(), expires_at: env.clock.now() + 86_400_000 })
        .execute();
      env.clock.advance(1000);
      return id;
    };
    const olderInvitation = await invite(inviter!.id, 'mari\u0301a@example.com');
    const youngerInvitation = await invite(inviter!.id, 'mar\u00eda@example.com');
    const elsewhereInvitation = await invite(other!.id, 'mari\u0301a@example.com');

    await respellEmails(services.database.db);
    expect(await emails()).toMatchObject({ [first]: NFC, [lookAlike]: NFD, [alone]: 'ann@example.com', [keeps]: 'kept@example.com' });
    const invitations = Object.fromEntries((await services.database.db.selectFrom('invitations').select(['id', 'email']).execute()).map((i) => [i.id, i.email]));
    expect(invitations).toEqual({ [olderInvitation]: 'mar\u00eda@example.com', [elsewhereInvitation]: 'mar\u00eda@example.com' });
    expect(invitations[youngerInvitation]).toBeUndefined();

    // Every spelling now signs in to the first account (its password is the one `first` signed up with).
    for (const email of [NFC, NFD]) {
      const signedIn = await new PortalBrowser(app).signIn(email);
      expect({ email, status: signedIn.statusCode, id: signedIn.json().user?.id }).toStrictEqual({ email, status: 200, id: first });
    }
    // Run again, nothing changes.
    const before = await emails();
    await respellEmails(services.database.db);
    expect(await emails()).toEqual(before);
  });
});
