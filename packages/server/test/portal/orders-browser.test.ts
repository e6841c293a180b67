import { describe, expect, it } from 'vitest';
import { BROWSER_TEST_TIMEOUT, browserSkipReason, openPage, screenshot } from '../support/browser.js';
import { acmeApiKeyBasic, servedPortal, signUpAcme } from '../support/served-portal.js';

/**
 * The portal's Orders page in Chromium against `tessera serve`: empty (saying how orders appear) until the RaaS
 * API funds an account and orders; then the list, a filter refused in plain words, one order with its codes
 * masked, revealed and resent, and the Audit Log naming both. The screenshots are the README's.
 */
describe.skipIf(browserSkipReason())('the Orders page in Chromium', () => {
  // Signed up at once (no mailed link to follow): this suite is about orders.
  const served = servedPortal('tessera-orders-', { TESSERA_PORTAL_SIGNUP: 'open' });

  it('lists, filters, opens, reveals and resends orders', { timeout: 2 * BROWSER_TEST_TIMEOUT }, async () => {
    const p = await openPage(served.browser);
    await signUpAcme(p, served.url);

    await p.getByRole('link', { name: 'Orders', exact: true }).click();
    await p.getByText('No orders yet.').waitFor();
    await screenshot(p, 'portal-orders-empty');

    // An integration's reward flow, with an API key from the portal: a customer, an account, a card, a deposit, orders.
    const basic = await acmeApiKeyBasic(p, served.url);
    const raas = async (url: string, body: unknown) => {
      const response = await fetch(`${served.url}/raas/v2${url}`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(response.status, url).toBeLessThan(300);
      return (await response.json()) as Record<string, unknown>;
    };
    const scope = { customerIdentifier: 'acme-rewards', accountIdentifier: 'q4-incentives' };
    await raas('/customers', { customerIdentifier: 'acme-rewards', displayName: 'Acme Rewards' });
    await raas('/customers/acme-rewards/accounts', { accountIdentifier: 'q4-incentives', displayName: 'Q4 sales incentives', contactEmail: 'finance@acme.example' });
    const card = await raas('/creditCards', {
      ...scope,
      label: 'Finance team Visa',
      ipAddress: '203.0.113.10',
      creditCard: { number: '4111111111111111', expiration: '2030-12', verificationNumber: '123' },
      billingAddress: { firstName: 'Ada', lastName: 'Lovelace', addressLine1: '1 Main St', city: 'Seattle', state: 'WA', postalCode: '98101', country: 'US', emailAddress: 'finance@acme.example' },
    });
    await raas('/creditCardDeposits', { ...scope, creditCardToken: card.token, amount: 500 });
    const orders = [
      { utid: 'U857123', amount: 10, externalRefID: 'welcome-0007', recipient: { email: 'sam@example.com', firstName: 'Sam', lastName: 'Ortiz' } },
      { utid: 'U139281', amount: 20, externalRefID: 'uk-bonus-0142', recipient: { email: 'priya@example.co.uk', firstName: 'Priya', lastName: 'Shah' } },
      { utid: 'U329654', amount: 50, externalRefID: 'q4-bonus-0311', recipient: { email: 'jamie@example.com', firstName: 'Jamie', lastName: 'Lee' }, message: 'Thank you for a great quarter!' },
    ];
    let last = '';
    for (const order of orders) last = (await raas('/orders', { ...scope, sendEmail: true, ...order })).referenceOrderID as string;

    await p.reload();
    const table = p.getByRole('table');
    await table.getByRole('link', { name: last }).waitFor();
    const row = await p.getByRole('row', { name: new RegExp(last) }).innerText();
    for (const seen of ['q4-bonus-0311', 'q4-incentives', 'acme-rewards', 'Target', '$50.00', 'Complete']) expect(row).toContain(seen);
    expect(await p.getByRole('row', { name: /uk-bonus-0142/ }).innerText()).toMatch(/£20\.00[\s\S]*\$[\d.]+ charged/);
    expect(await p.getByText('Orders 1–3 of 3').count()).toBe(1);
    await screenshot(p, 'portal-orders');

    // A filter that cannot be: said where it happens, the list left as it was.
    await p.getByLabel('From (UTC)').fill('2026-12-31');
    await p.getByLabel('To (UTC)').fill('2026-01-01');
    await p.getByRole('button', { name: 'Apply filters' }).click();
    expect(await p.getByRole('alert').innerText()).toBe('"From" must not be after "To".');
    await screenshot(p, 'portal-orders-filter-error');
    await p.getByRole('button', { name: 'Clear' }).click();
    await p.getByLabel('External reference').fill('uk-bonus-0142');
    await p.getByRole('button', { name: 'Apply filters' }).click();
    await p.getByText('One order').waitFor();
    expect(await table.getByRole('link', { name: last }).count()).toBe(0);
    await p.getByRole('button', { name: 'Clear' }).click();

    await table.getByRole('link', { name: last }).click();
    await p.getByRole('heading', { level: 1, name: last }).waitFor();
    // A card number keeps its last four; a PIN shows nothing.
    expect(await p.getByLabel('Hidden Card Number').innerText()).toMatch(/^•••• \d{4}$/);
    expect(await p.getByLabel('Hidden PIN').innerText()).toBe('••••••');
    await screenshot(p, 'portal-order');

    // Signed up a moment ago: no password asked again.
    await p.getByRole('button', { name: 'Reveal codes' }).click();
    await p.getByRole('status').filter({ hasText: 'The reward codes are shown. Revealing them is recorded in the Audit Log.' }).waitFor();
    expect(await p.getByLabel('Hidden Card Number').count()).toBe(0);
    await screenshot(p, 'portal-order-revealed');
    await p.getByRole('button', { name: 'Hide codes' }).click();
    await p.getByLabel('Hidden Card Number').waitFor();

    await p.getByRole('button', { name: 'Resend', exact: true }).click();
    const dialog = p.getByRole('dialog', { name: 'Resend this reward?' });
    expect(await dialog.getByLabel('Send to').inputValue()).toBe('jamie@example.com');
    await dialog.getByRole('button', { name: 'Resend' }).click();
    await p.getByRole('status').filter({ hasText: `The reward of ${last} was resent to jamie@example.com.` }).waitFor();
    await screenshot(p, 'portal-order-resent');

    await p.getByRole('link', { name: 'Audit Log' }).click();
    const log = p.getByRole('table');
    await log.getByText('Resent order').waitFor();
    const text = await log.innerText();
    for (const seen of ['Revealed reward codes', 'Resent order', 'ada@acme.example', last]) expect(text).toContain(seen);
  });
});
