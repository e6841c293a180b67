import type { FastifyInstance } from 'fastify';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_TEST_TIMEOUT, browserSkipReason, launchBrowser, openPage, openSharedPage, screenshot } from '../support/browser.js';
import { freePort } from '../support/listen.js';
import { startDeployment } from '../support/bootstrap.js';
import type { TestEnvironment } from '../support/services.js';
import { createTenant, createTestClient, postJson, type TestClient, type Tenant } from '../support/tenants.js';
import { wrongByOneCharacter } from '../support/oauth.js';

// A person at the console: Authorize with Basic, Bearer or the client credentials flow, open an
// operation, Try it out, Execute, and read the real response. One page for the suite's short tests:
// loading Swagger UI (parsing its bundle, rendering the document) was most of each one's time; between
// tests the page is put back as a person finds it on opening the console, by its own buttons, and checked.
describe.skipIf(browserSkipReason())('the test console in Chromium', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let browser: Browser;
  let shared: Awaited<ReturnType<typeof openSharedPage>>;
  let base: string;
  let acme: Tenant;
  let fresh: TestClient;
  // Tenants of their own for the examples' story, which creates customer s123456 and asks for a token.
  let rewards: Tenant;
  let tokenClient: TestClient;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    let services;
    ({ env, app, services } = await startDeployment({ config: { publicUrl: base } }));
    await app.listen({ port, host: '127.0.0.1' });
    // acme has spent its quota on the token it holds; fresh has never asked for one.
    acme = await createTenant(app, services, 'acme');
    fresh = await createTestClient(services, 'fresh', 'Fresh client');
    rewards = await createTenant(app, services, 'rewards');
    tokenClient = await createTestClient(services, 'token-platform', 'Token client');
    const created = await postJson(app, '/raas/v2/customers', acme.basic, { customerIdentifier: 'acme-customer', displayName: 'Acme Customer' });
    expect(created.statusCode, created.body).toBe(201);
    browser = await launchBrowser();
    shared = await openSharedPage(browser);
    await shared.page.goto(`${base}/console`);
    await shared.page.locator('button.authorize').first().waitFor();
  });
  // What openPage checks when a test ends: nothing loaded from elsewhere, no error logged by the page.
  afterEach(() => shared?.expectClean());
  afterAll(async () => {
    await shared?.close();
    await browser?.close();
    await env?.close();
  });

  /**
   * The console as a person finds it on opening it: nobody authorized, no dialog, every operation closed
   * and no response shown, at the top. What the test before changed is undone with the console's own
   * buttons (Logout, Clear, Cancel), and the result checked, so that no test leans on the one before.
   */
  async function openConsole(): Promise<Page> {
    const page = shared.page;
    const dialog = page.locator('.dialog-ux');
    const authorize = page.locator('.auth-wrapper > button.authorize');
    if ((await dialog.count()) > 0 || (await authorize.locator('xpath=self::*[contains(@class, "unlocked")]').count()) === 0) {
      if ((await dialog.count()) === 0) await authorize.click();
      const logout = dialog.getByRole('button', { name: 'Remove authorization' });
      for (let left = 10; left > 0 && (await logout.count()) > 0; left--) await logout.first().click();
      await dialog.locator('.close-modal').click();
      await dialog.waitFor({ state: 'detached' });
    }
    const open = page.locator('.opblock.is-open');
    for (let left = 20; left > 0 && (await open.count()) > 0; left--) {
      // The id as a CSS string: Swagger UI's ids hold backslashes (operations-OAuth_2\.0-requestToken).
      const id = (await open.first().getAttribute('id'))!.replaceAll('\\', '\\\\').replaceAll('"', '\\"');
      const block = page.locator(`[id="${id}"]`);
      const clear = block.locator('button.btn-clear');
      if ((await clear.count()) > 0) await clear.click();
      const cancel = block.getByRole('button', { name: 'Cancel', exact: true });
      if ((await cancel.count()) > 0) await cancel.click();
      await block.locator('.opblock-summary').click();
      await block.and(open).waitFor({ state: 'detached' });
    }
    await page.evaluate('window.scrollTo(0, 0)');
    expect(await authorize.getAttribute('class')).toBe('btn authorize unlocked');
    expect(await page.locator('.live-responses-table, .dialog-ux, .opblock .try-out__btn.cancel').count()).toBe(0);
    return page;
  }

  /** The Authorize dialog's box for one security scheme. */
  async function authBox(page: Page, scheme: string): Promise<Locator> {
    await page.locator('.auth-wrapper button.authorize').click();
    return page.locator('.auth-container').filter({ has: page.locator('h4', { hasText: scheme }) });
  }

  /** Expands an operation, presses Try it out and Execute; the status and body it shows. */
  async function tryIt(page: Page, operation: string): Promise<{ status: number; body: unknown }> {
    // By the id's end: Swagger UI escapes a tag such as "OAuth 2.0" into the id (operations-OAuth_2\.0-requestToken).
    const block = page.locator(`.opblock[id$="-${operation}"]`);
    await block.locator('.opblock-summary').click();
    await block.getByRole('button', { name: 'Try it out' }).click();
    await block.getByRole('button', { name: 'Execute' }).click();
    const response = block.locator('.live-responses-table .response').first();
    const status = Number(await response.locator('.response-col_status').innerText());
    const body = JSON.parse(await response.locator('.response-col_description .microlight').first().innerText());
    return { status, body };
  }

  async function apiGet(path: string, authorization: string): Promise<unknown> {
    return (await fetch(base + path, { headers: { authorization } })).json();
  }

  it('authenticates with Basic (platform name and API key) and shows the real customers', async () => {
    const page = await openConsole();
    await screenshot(page, 'console');
    const box = await authBox(page, 'basicAuth');
    await box.locator('input[name=username]').fill(acme.platformName);
    await box.locator('input[name=password]').fill(acme.apiKey);
    await box.getByRole('button', { name: 'Apply credentials' }).click();
    await box.getByRole('button', { name: 'Close' }).click();

    const shown = await tryIt(page, 'Customers-listCustomers');
    expect(shown).toEqual({ status: 200, body: await apiGet('/raas/v2/customers', acme.basic) });
    expect(shown.body).toEqual([expect.objectContaining({ customerIdentifier: 'acme-customer', displayName: 'Acme Customer', accounts: [] })]);
    await page.locator('#operations-Customers-listCustomers .request-url').evaluate((element) => element.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'console-customers');
  });

  it('authenticates with Bearer (an access token)', async () => {
    const page = await openConsole();
    const box = await authBox(page, 'bearerAuth');
    await box.locator('input#auth-bearer-value').fill(acme.token);
    await box.getByRole('button', { name: 'Apply credentials' }).click();
    await box.getByRole('button', { name: 'Close' }).click();

    expect(await tryIt(page, 'Customers-listCustomers')).toEqual({ status: 200, body: await apiGet('/raas/v2/customers', acme.bearer) });
    expect(await tryIt(page, 'Tessera-whoami')).toEqual({ status: 200, body: { platformName: 'acme', credentialType: 'oauth_client', credentialId: acme.clientId } });
  });

  it('shows the 401 envelope for a wrong API key', async () => {
    const page = await openConsole();
    const box = await authBox(page, 'basicAuth');
    await box.locator('input[name=username]').fill(acme.platformName);
    await box.locator('input[name=password]').fill(wrongByOneCharacter(acme.apiKey));
    await box.getByRole('button', { name: 'Apply credentials' }).click();
    await box.getByRole('button', { name: 'Close' }).click();

    const shown = await tryIt(page, 'Customers-listCustomers');
    expect(shown).toEqual({
      status: 401,
      body: expect.objectContaining({ httpCode: 401, httpPhrase: 'Unauthorized', i18nKey: 'auth.invalidCredentials', message: 'The platform name or API key is not valid' }),
    });
  });

  it('gets a token with the client credentials flow and calls the API with it', async () => {
    const page = await openConsole();
    const box = await authBox(page, 'oauth2');
    await box.getByLabel('client_id:').fill(fresh.client_id);
    await box.getByLabel('client_secret:').fill(fresh.client_secret);
    await box.getByRole('button', { name: 'Apply given OAuth2 credentials' }).click();
    await box.locator('button', { hasText: 'Logout' }).waitFor();
    await box.getByRole('button', { name: 'Close' }).click();

    expect(await tryIt(page, 'Tessera-whoami')).toEqual({ status: 200, body: { platformName: 'fresh', credentialType: 'oauth_client', credentialId: fresh.client_id } });
  });

  it('shows a quota refusal plainly: the 400 body, and that the first token is still valid for 24 hours', async () => {
    const page = await openConsole();
    const box = await authBox(page, 'oauth2');
    await box.getByLabel('client_id:').fill(acme.clientId);
    await box.getByLabel('client_secret:').fill(acme.clientSecret);
    await box.getByRole('button', { name: 'Apply given OAuth2 credentials' }).click();
    const error = box.locator('.errors');
    await error.waitFor();
    expect(await error.innerText()).toContain(`error: rate_limit_exceeded, description: Client acme client ${acme.clientId} has exceeded the daily rate limit`);
    expect(await box.innerText()).toContain('the token from your first request is still valid for 24 hours, so keep using it');
    // The rule and the refusal in one view.
    await error.evaluate((element) => element.scrollIntoView({ block: 'end' }));
    await screenshot(page, 'console-quota-refusal');
  });

  it('gets a token by Try it on the token endpoint: the prefilled request, the client by Authorize › clientSecretBasic', async () => {
    const page = await openConsole();
    const box = await authBox(page, 'clientSecretBasic');
    await box.locator('input[name=username]').fill(tokenClient.client_id);
    await box.locator('input[name=password]').fill(tokenClient.client_secret);
    await box.getByRole('button', { name: 'Apply credentials' }).click();
    await box.getByRole('button', { name: 'Close' }).click();

    expect(await tryIt(page, 'requestToken')).toEqual({
      status: 200,
      body: { access_token: expect.stringMatching(/^eyJ/), token_type: 'Bearer', expires_in: 86_400, scope: 'raas.all' },
    });
    // The example token is no token of this server: inactive, as RFC 7662 §2.2 answers.
    expect(await tryIt(page, 'introspectToken')).toEqual({ status: 200, body: { active: false } });
  });

  it('links to the portal’s credential pages and to the document', async () => {
    const page = await openConsole();
    const links = await page.locator('.info .renderedMarkdown a, .info .markdown a').evaluateAll((anchors) => anchors.map((a) => [a.textContent, a.getAttribute('href')]));
    expect(links).toEqual([
      ['Team settings › RaaS API keys', `${base}/#/team/api-keys`],
      ['Team settings › OAuth client credentials', `${base}/#/team/oauth-clients`],
      ['openapi.json', '/openapi.json'],
      ['openapi.yaml', '/openapi.yaml'],
    ]);
  });

  // Last, on a page of its own: the ten operations it plays leave Swagger UI slower for whatever follows on
  // the same page (a page with the earlier tests' state made this test half as slow again).
  it('plays the prefilled examples as they stand: customer s123456 and its account a123456 created and read back, funded, and a reward ordered', async () => {
    const page = await openPage(browser);
    await page.goto(`${base}/console`);
    await page.locator('button.authorize').first().waitFor();
    const box = await authBox(page, 'basicAuth');
    await box.locator('input[name=username]').fill(rewards.platformName);
    await box.locator('input[name=password]').fill(rewards.apiKey);
    await box.getByRole('button', { name: 'Apply credentials' }).click();
    await box.getByRole('button', { name: 'Close' }).click();

    const customer = { customerIdentifier: 's123456', displayName: 'Acme Rewards', status: 'ACTIVE', createdAt: expect.any(String) };
    expect(await tryIt(page, 'Customers-createCustomer')).toEqual({ status: 201, body: customer });
    const account = {
      accountIdentifier: 'a123456',
      accountNumber: expect.stringMatching(/^A\d{2}-\d{6}-\d{6}$/),
      displayName: 'Acme Rewards Account',
      contactEmail: 'rewards@acme.example.com',
      currencyCode: 'USD',
      currentBalance: 0,
      status: 'ACTIVE',
      createdAt: expect.any(String),
    };
    expect(await tryIt(page, 'Customers-createCustomerAccount')).toEqual({ status: 201, body: account });
    const { contactEmail: _email, currencyCode: _currency, currentBalance: _balance, ...summary } = account;
    expect(await tryIt(page, 'Customers-getCustomer')).toEqual({ status: 200, body: { ...customer, accounts: [summary] } });
    expect(await tryIt(page, 'Accounts-getAccount')).toEqual({ status: 200, body: account });

    // Then fund the account and order a reward from it, Try it alone: the card example registers, the deposit
    // example (the test token tok_visa) funds $100, and the order example buys $25 of Amazon.com from it.
    expect(await tryIt(page, 'Fund-createCreditCard')).toEqual({ status: 201, body: expect.objectContaining({ lastFourDigits: '1111', status: 'ACTIVE', accountIdentifier: 'a123456' }) });
    expect(await tryIt(page, 'Fund-createCreditCardDeposit')).toEqual({
      status: 200,
      body: { referenceDepositID: expect.stringMatching(/^RA\d{6}-\d{6}-\d{6}$/), accountNumber: account.accountNumber, amount: 100, feePercent: 3.5, amountCharged: 103.5, status: 'SUCCESS', createdDate: expect.any(String) },
    });
    const ordered = await tryIt(page, 'Orders-createOrder');
    expect(ordered).toEqual({
      status: 201,
      body: expect.objectContaining({
        accountIdentifier: 'a123456',
        utid: 'U561593',
        amountCharged: { value: 25, currencyCode: 'USD', exchangeRate: 1, fee: 0, total: 25 },
        externalRefID: 'acme-2026-0001',
        status: 'COMPLETE',
        reward: expect.objectContaining({ credentials: { 'Claim Code': expect.stringMatching(/^[A-Z2-9]{4}-[A-Z2-9]{6}-[A-Z2-9]{4}$/) } }),
      }),
    });
    // The answer's end in view: the reward, its claim code and instructions.
    const answer = page.locator('#operations-Orders-createOrder .live-responses-table .response-col_description .microlight').first();
    await answer.evaluate((element) => {
      element.scrollTop = element.scrollHeight;
      // From the "Server response" heading down.
      const table = element.closest('.live-responses-table')!;
      (table.previousElementSibling ?? table).scrollIntoView({ block: 'start' });
    });
    await screenshot(page, 'console-order');
    expect(await apiGet('/raas/v2/accounts/a123456', rewards.basic)).toEqual({ ...account, currentBalance: 75 });
    // The deposit registered the account's test card under a token the examples name: read it, then unregister it.
    expect(await tryIt(page, 'Fund-getCreditCard')).toEqual({
      status: 200,
      body: expect.objectContaining({ token: 'tok_visa_a123456', lastFourDigits: '1111', status: 'ACTIVE', accountIdentifier: 'a123456' }),
    });
    expect(await tryIt(page, 'Fund-createCreditCardUnregister')).toEqual({
      status: 200,
      body: { token: 'tok_visa_a123456', message: 'The credit card was unregistered', createdDate: expect.any(String) },
    });
  });
});
