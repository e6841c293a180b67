import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDeployment, type TestDeployment } from './support/bootstrap.js';
import { createTestClient, postJson, type TestClient } from './support/tenants.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const README_URL = 'http://127.0.0.1:8080';

/** The client README's preset example: the js block that starts `// reward.mjs`. */
async function rewardSnippet(): Promise<string> {
  const readme = await readFile(path.join(REPO, 'packages/client/README.md'), 'utf8');
  const block = /^```js\n(\/\/ reward\.mjs[\s\S]*?)^```$/m.exec(readme)?.[1];
  if (!block) throw new Error('packages/client/README.md has no js block starting `// reward.mjs`');
  return block;
}

// The SDK README's promise: one piece of code for Tessera and Tango's sandbox, one preset apart. Tango's
// sandbox needs the internet and an account, so this runs the Tessera side: the block as printed, only its
// 8080 swapped for this server's port, run twice as a reader would, in a folder of the project so that
// `@tessera/client` resolves.
describe("the client README's preset example", { timeout: 120_000 }, () => {
  const work = path.join(REPO, `.tessera-test-client-readme-${randomBytes(4).toString('hex')}`);
  let deployment: TestDeployment<'acme'>;
  let client: TestClient;
  let url: string;

  beforeAll(async () => {
    await mkdir(path.join(work, 'home'), { recursive: true });
    deployment = await startDeployment({ tenants: ['acme'] });
    const { app, services, tenants } = deployment;
    // A client of its own: the tenant's has already had its one token of the day.
    client = await createTestClient(services, 'acme', 'reward.mjs');
    const basic = tenants.acme.basic;
    expect((await postJson(app, '/raas/v2/customers', basic, { customerIdentifier: 'acme-customer', displayName: 'Acme Customer' })).statusCode).toBe(201);
    const account = { accountIdentifier: 'acme-account', displayName: 'Acme Account', contactEmail: 'ops@acme.example' };
    expect((await postJson(app, '/raas/v2/customers/acme-customer/accounts', basic, account)).statusCode).toBe(201);
    const card = await postJson(app, '/raas/v2/creditCards', basic, {
      customerIdentifier: 'acme-customer',
      accountIdentifier: 'acme-account',
      label: 'Acme Visa',
      ipAddress: '203.0.113.10',
      creditCard: { number: '4111111111111111', expiration: '2036-12', verificationNumber: '123' },
      billingAddress: { firstName: 'Alex', lastName: 'Doe', addressLine1: '1 Main Street', city: 'Seattle', state: 'WA', postalCode: '98101', country: 'US', emailAddress: 'billing@acme.example' },
    });
    expect(card.statusCode).toBe(201);
    const deposit = { customerIdentifier: 'acme-customer', accountIdentifier: 'acme-account', creditCardToken: card.json().token, amount: 100 };
    expect((await postJson(app, '/raas/v2/creditCardDeposits', basic, deposit)).statusCode).toBe(200);
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    url = address.replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await deployment?.env.close();
    await rm(work, { recursive: true, force: true });
  });

  it('places one $5 order from the catalog, the same on a second run, and debits once', async () => {
    const snippet = await rewardSnippet();
    expect(snippet).toContain(`const preset = tesseraPreset('${README_URL}'); // Tango's sandbox: const preset = TANGO_SANDBOX;`);
    await writeFile(path.join(work, 'reward.mjs'), snippet.replaceAll(README_URL, url));
    const env = {
      ...process.env,
      HOME: path.join(work, 'home'), // FileTokenStore's default file lives under it
      XDG_CACHE_HOME: '',
      RAAS_CLIENT_ID: client.client_id,
      RAAS_CLIENT_SECRET: client.client_secret,
      RAAS_CUSTOMER: 'acme-customer',
      RAAS_ACCOUNT: 'acme-account',
    };
    const run = async (): Promise<string> => (await promisify(execFile)(process.execPath, ['reward.mjs'], { cwd: work, env, timeout: 60_000 })).stdout;

    const first = await run();
    // The first USD item that takes $5 in the seed catalog: Amazon.com (U561593), a claim code.
    expect(first).toMatch(/^RA\d{6}-\d{6}-\d{6} Amazon\.com Gift Card 5 \{"Claim Code":"[^"]+"\}\nbalance 95\n$/);
    // Run again: the stored token is reused (a second token request would be refused by the quota), and
    // the externalRefID answers the same order without a second debit.
    expect(await run()).toBe(first);
  });
});
