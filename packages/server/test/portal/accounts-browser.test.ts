import { describe, expect, it } from 'vitest';
import { BROWSER_TEST_TIMEOUT, browserSkipReason, openPage, screenshot } from '../support/browser.js';
import { acmeApiKeyBasic, servedPortal, signUpAcme } from '../support/served-portal.js';

/**
 * The portal's Accounts page in Chromium against `tessera serve`: empty until the RaaS API makes a customer
 * and an account; then an admin registers a card (the declined test card first, said in plain words), deposits,
 * and sees the balance, the deposit and the card, and the Audit Log names them. The screenshots are the README's.
 */
describe.skipIf(browserSkipReason())('the Accounts page in Chromium', () => {
  // Sign-up at once (the page then asks for the password itself): this suite is about the Accounts page;
  // verified sign-up walks in portal-browser.test.ts.
  const served = servedPortal('tessera-accounts-', { TESSERA_PORTAL_SIGNUP: 'open' });

  it('funds an account from the portal: empty, a declined card, a card, a deposit', { timeout: 2 * BROWSER_TEST_TIMEOUT }, async () => {
    const p = await openPage(served.browser);
    await signUpAcme(p, served.url);

    await p.getByRole('link', { name: 'Accounts', exact: true }).click();
    await p.getByText('No customers or accounts yet.').waitFor();
    await screenshot(p, 'portal-accounts-empty');

    // A customer and an account, as an integration makes them: the RaaS API with an API key from the portal.
    const basic = await acmeApiKeyBasic(p, served.url);
    const raas = async (url: string, body: unknown) =>
      (await fetch(`${served.url}/raas/v2${url}`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/json' }, body: JSON.stringify(body) })).status;
    expect(await raas('/customers', { customerIdentifier: 'acme-rewards', displayName: 'Acme Rewards' })).toBe(201);
    expect(await raas('/customers/acme-rewards/accounts', { accountIdentifier: 'q4-incentives', displayName: 'Q4 sales incentives', contactEmail: 'finance@acme.example' })).toBe(201);

    await p.reload();
    await p.getByRole('link', { name: 'Q4 sales incentives' }).click();
    await p.getByRole('heading', { level: 1, name: 'Q4 sales incentives' }).waitFor();
    await p.getByText('No cards registered.').waitFor();

    // The declined test card: the form says so in plain words and stays open.
    await p.getByRole('button', { name: 'Register card' }).click();
    const form = p.getByRole('dialog', { name: 'Register a credit card' });
    await form.getByLabel('Label').fill('Finance team Visa');
    await form.getByLabel('Card number').fill('4000 0000 0000 0002');
    await form.getByLabel('Expires (YYYY-MM)').fill('2030-12');
    await form.getByLabel('Security code').fill('123');
    await form.getByRole('button', { name: 'Register card' }).click();
    const declined = form.getByRole('alert');
    await declined.waitFor();
    expect(await declined.innerText()).toBe('The credit card was declined by its issuer. Try another card.');
    await screenshot(p, 'portal-account-card-declined');

    await form.getByLabel('Card number').fill('4111 1111 1111 1111');
    await form.getByRole('button', { name: 'Register card' }).click();
    await p.getByRole('status').filter({ hasText: 'Visa •••• 1111 is registered: it can fund deposits now.' }).waitFor();

    await p.getByRole('button', { name: 'Deposit' }).click();
    const deposit = p.getByRole('dialog', { name: 'Deposit to this account' });
    await deposit.getByLabel('Amount (USD)').fill('2500');
    await deposit.getByRole('button', { name: 'Deposit' }).click();
    await p
      .getByRole('status')
      .filter({ hasText: 'Deposited $2,500.00 to Q4 sales incentives: the balance is now $2,500.00 ($2,587.50 charged to Visa •••• 1111).' })
      .waitFor();
    expect(await p.locator('.balance').innerText()).toBe('$2,500.00');
    expect(await p.content()).not.toContain('4111 1111 1111 1111');
    await screenshot(p, 'portal-account');

    await p.getByRole('link', { name: 'Accounts', exact: true }).first().click();
    await p.getByRole('link', { name: 'Q4 sales incentives' }).waitFor();
    expect(await p.getByRole('row', { name: /Q4 sales incentives/ }).innerText()).toContain('$2,500.00');
    await screenshot(p, 'portal-accounts');

    await p.getByRole('link', { name: 'Audit Log' }).click();
    const table = p.getByRole('table');
    await table.getByText('Deposited to account').waitFor();
    const text = await table.innerText();
    for (const seen of ['Registered credit card', 'Deposited to account', 'ada@acme.example']) expect(text).toContain(seen);
  });
});
