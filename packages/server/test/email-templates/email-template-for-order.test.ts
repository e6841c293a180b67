import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPlatform } from '../../src/credentials/platforms.js';
import { emailTemplateForOrder } from '../../src/email-templates/email-template-for-order.js';
import { createEmailTemplate, type EmailTemplateFields, type PlatformRef } from '../../src/email-templates/email-templates.js';
import { etidOf } from '../../src/email-templates/etid.js';
import type { Services } from '../../src/services.js';
import { startDeployment } from '../support/bootstrap.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';
import { insertTestAccount } from '../support/tenants.js';

const FIELDS: EmailTemplateFields = {
  name: 'T',
  fromName: 'Acme',
  subject: 'A gift',
  headerImage: '',
  headerImageAltText: '',
  accentColor: '#000000',
  messageBody: 'Thanks',
  closing: 'Bye',
};

/** What orders (the next session) call: the template an order's email uses, by etid or by the defaults. */
describe.each(STORE_KINDS)('emailTemplateForOrder (%s)', (store) => {
  let env: TestEnvironment;
  let services: Services;
  let acme: PlatformRef;
  let globex: PlatformRef;
  const order = { customerIdentifier: 'c1', accountIdentifier: 'a1' };
  const otherAccount = { customerIdentifier: 'c1', accountIdentifier: 'a2' };
  const otherCustomer = { customerIdentifier: 'c2', accountIdentifier: 'a3' };

  beforeAll(async () => {
    ({ env, services } = await startDeployment({ store }));
    const platform = async (name: string) => ({ platformId: (await createPlatform(services, name)).id, platformName: name });
    [acme, globex] = [await platform('acme'), await platform('globex')];
    for (const [customer, accounts] of [['c1', ['a1', 'a2']], ['c2', ['a3']]] as const) {
      await services.customers.insertCustomer({ platform_id: acme.platformId, customer_identifier: customer, display_name: 'C', status: 'ACTIVE', created_at: 1 });
      for (const account of accounts) await insertTestAccount(services, acme.platformId, customer, account, 1);
    }
  });
  afterAll(async () => env?.close());

  const etids = async (platform: PlatformRef, party: typeof order & { etid?: string }) => {
    const template = await emailTemplateForOrder(services, platform, party);
    return template && etidOf(template.seq);
  };

  it('finds no template where there is none, and refuses an unknown etid or another platform’s as not found', async () => {
    expect(await etids(acme, order)).toBeUndefined();
    await createEmailTemplate(services, globex, { ...FIELDS, defaults: [{ type: 'PLATFORM' }] });
    expect(await etids(acme, order)).toBeUndefined();
    for (const etid of ['E000001', 'E000000', 'nonsense']) {
      await expect(emailTemplateForOrder(services, acme, { ...order, etid })).rejects.toMatchObject({ code: 'not_found', message: `Email template ${etid} was not found` });
    }
  });

  it('uses the template an etid names, where its access control lets the order’s account', async () => {
    const open = await createEmailTemplate(services, acme, { ...FIELDS, name: 'open' });
    const forCustomer = await createEmailTemplate(services, acme, { ...FIELDS, name: 'c1 only', accessControl: [{ type: 'CUSTOMER', identifier: 'c1' }] });
    const forAccount = await createEmailTemplate(services, acme, { ...FIELDS, name: 'a2 only', accessControl: [{ type: 'ACCOUNT', identifier: 'a2' }] });
    expect([open, forCustomer, forAccount].map((t) => etidOf(t.seq))).toStrictEqual(['E000001', 'E000002', 'E000003']);

    expect(await etids(acme, { ...otherCustomer, etid: 'E000001' })).toBe('E000001');
    expect(await etids(acme, { ...order, etid: 'E000002' })).toBe('E000002');
    expect(await etids(acme, { ...otherAccount, etid: 'E000003' })).toBe('E000003');
    await expect(emailTemplateForOrder(services, acme, { ...otherCustomer, etid: 'E000002' })).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'Email template E000002 is not available to account a3',
    });
    await expect(emailTemplateForOrder(services, acme, { ...order, etid: 'E000003' })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('without an etid, uses the account’s default, else the customer’s, else the platform’s (the newest of several)', async () => {
    await createEmailTemplate(services, acme, { ...FIELDS, name: 'platform default', defaults: [{ type: 'PLATFORM' }] }); // E000004
    expect(await etids(acme, order)).toBe('E000004');
    await createEmailTemplate(services, acme, { ...FIELDS, name: 'newer platform default', defaults: [{ type: 'PLATFORM', identifier: 'acme' }] }); // E000005
    expect(await etids(acme, order)).toBe('E000005');
    await createEmailTemplate(services, acme, { ...FIELDS, name: 'c1 default', defaults: [{ type: 'CUSTOMER', identifier: 'c1' }] }); // E000006
    await createEmailTemplate(services, acme, { ...FIELDS, name: 'a1 default', defaults: [{ type: 'ACCOUNT', identifier: 'a1' }] }); // E000007
    // A default the account may not use is passed over.
    await createEmailTemplate(services, acme, {
      ...FIELDS,
      name: 'a1 default, a2 only',
      defaults: [{ type: 'ACCOUNT', identifier: 'a1' }],
      accessControl: [{ type: 'ACCOUNT', identifier: 'a2' }],
    });
    expect(await etids(acme, order)).toBe('E000007');
    expect(await etids(acme, otherAccount)).toBe('E000006');
    expect(await etids(acme, otherCustomer)).toBe('E000005');
    // A deleted template is nobody's default.
    expect(await services.emailTemplates.delete(acme.platformId, 7, 2)).toBe(true);
    expect(await etids(acme, order)).toBe('E000006');
  });

  it('reads each template’s scopes once per choice, not once per kind of default looked for', async () => {
    const live = await services.emailTemplates.listAll(acme.platformId);
    expect(live).toHaveLength(7);
    const parse = vi.spyOn(JSON, 'parse');
    try {
      // c2's a3 is no template's default but the platform's (E000005): every kind is looked for.
      expect(await etids(acme, otherCustomer)).toBe('E000005');
      // Each live template's access controls, and the defaults of those open to a3 (E000001, E000004, E000005, E000006).
      expect(parse.mock.calls.filter(([text]) => typeof text === 'string' && text.startsWith('['))).toHaveLength(live.length + 4);
    } finally {
      parse.mockRestore();
    }
  });
});
