import { STATUS_CODES } from 'node:http';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { createApiKey } from '../../src/credentials/api-keys.js';
import { createClient } from '../../src/credentials/oauth-clients.js';
import { createPlatform } from '../../src/credentials/platforms.js';
import { issueAccessToken } from '../../src/tokens/access-token.js';
import type { Services } from '../../src/services.js';
import { basic } from './oauth.js';
import type { TestClock } from './services.js';

export { basic };

/** A platform with one OAuth client (and a token from POST /oauth/token) and one API key. */
export interface Tenant {
  platformName: string;
  clientId: string;
  clientSecret: string;
  apiKeyId: string;
  apiKey: string;
  /** `Basic base64(platformName:apiKey)` */
  basic: string;
  /** `Bearer <token>` from the real token endpoint. */
  bearer: string;
  token: string;
}

export interface TestClient {
  platformName: string;
  name: string;
  client_id: string;
  client_secret: string;
}

let platformCount = 0;

/** A new platform with one client credential. */
export async function createTestClient(services: Services, platformName = `platform-${++platformCount}`, name = 'Test client'): Promise<TestClient> {
  if (!(await services.platforms.findByName(platformName))) await createPlatform(services, platformName);
  return { platformName, ...(await createClient(services, platformName, name)) };
}

/**
 * The platform and its credentials through the credential services, and a token over HTTP: a
 * {@link createTestClient} with an API key and a token.
 */
export async function createTenant(app: FastifyInstance, services: Services, platformName: string): Promise<Tenant> {
  const client = await createTestClient(services, platformName, `${platformName} client`);
  const key = await createApiKey(services, platformName);
  const response = await app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { authorization: basic(client.client_id, client.client_secret), 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'grant_type=client_credentials',
  });
  expect(response.statusCode, response.body).toBe(200);
  const token = response.json<{ access_token: string }>().access_token;
  return {
    platformName,
    clientId: client.client_id,
    clientSecret: client.client_secret,
    apiKeyId: key.id,
    apiKey: key.api_key,
    basic: basic(platformName, key.api_key),
    bearer: `Bearer ${token}`,
    token,
  };
}

/** Another token for the tenant's client, signed by the server's own current key (no quota involved). */
export async function signedToken(services: Services, tenant: Tenant, overrides: { scope?: string; platform?: string; now?: number } = {}): Promise<string> {
  const { token } = await issueAccessToken(services.signingKeys, {
    issuer: services.config.publicUrl,
    audience: services.config.audience,
    clientId: tenant.clientId,
    platform: overrides.platform ?? tenant.platformName,
    scope: overrides.scope ?? 'raas.all',
    ttlSeconds: services.config.tokenTtlSeconds,
    now: overrides.now ?? services.now(),
  });
  return token;
}

export async function get(app: FastifyInstance, url: string, authorization?: string): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'GET', url, headers: authorization === undefined ? {} : { authorization } });
}

export async function postJson(app: FastifyInstance, url: string, authorization: string, payload: unknown): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url, headers: { authorization, 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
}

/**
 * Creates a customer and an account under it over /raas/v2 with `authorization`, asserting both are created;
 * resolves with the account's view (its `accountNumber` among them).
 */
export async function openAccount(
  app: FastifyInstance,
  authorization: string,
  customer: { customerIdentifier: string; displayName: string },
  account: { accountIdentifier: string; displayName: string; contactEmail: string },
): Promise<{ accountNumber: string }> {
  const customerCreated = await postJson(app, '/raas/v2/customers', authorization, customer);
  expect(customerCreated.statusCode, customerCreated.body).toBe(201);
  const opened = await postJson(app, `/raas/v2/customers/${customer.customerIdentifier}/accounts`, authorization, account);
  expect(opened.statusCode, opened.body).toBe(201);
  return opened.json();
}

/** Asserts Tango's error envelope, exactly, and that its requestId is the X-REQUEST-ID header. */
export function expectEnvelope(
  response: LightMyRequestResponse,
  clock: TestClock,
  expected: { status: number; path: string; message: string; i18nKey: string; errors?: unknown[] },
): void {
  expect(response.statusCode, response.body).toBe(expected.status);
  expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
  const requestId = response.headers['x-request-id'];
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  expect(response.json()).toStrictEqual({
    timestamp: new Date(clock.now()).toISOString(),
    requestId,
    path: expected.path,
    httpCode: expected.status,
    httpPhrase: STATUS_CODES[expected.status],
    i18nKey: expected.i18nKey,
    message: expected.message,
    errors: expected.errors ?? [],
  });
}

/** The WWW-Authenticate challenges of a response, as a list. */
export function challenges(response: LightMyRequestResponse): string[] {
  const header = response.headers['www-authenticate'];
  return header === undefined ? [] : Array.isArray(header) ? header : [header];
}

export function base64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Other spellings of the same token that lenient base64url decoders read as the same bytes: the last
 * character of the signature changed in its unused bits, and `=` padding on each part that has room.
 */
export function respellings(token: string): string[] {
  const parts = token.split('.');
  const signature = parts[2]!;
  const spellings: string[] = [];
  if (signature.length % 4 !== 0) {
    const last = BASE64URL_ALPHABET.indexOf(signature.at(-1)!);
    spellings.push([parts[0], parts[1], signature.slice(0, -1) + BASE64URL_ALPHABET[last ^ 1]].join('.'));
  }
  for (let i = 0; i < 3; i++) {
    if (parts[i]!.length % 4 === 0) continue;
    const padded = [...parts];
    padded[i] = parts[i]!.padEnd(parts[i]!.length + 4 - (parts[i]!.length % 4), '=');
    spellings.push(padded.join('.'));
  }
  return spellings;
}

/** Stores a customer's USD account with a zero balance straight through the store, as the store tests need one. */
export async function insertTestAccount(services: Services, platformId: string, customer: string, account: string, createdAt: number): Promise<void> {
  await services.customers.insertAccount({
    platform_id: platformId,
    account_identifier: account,
    customer_identifier: customer,
    account_number: 'A00-000000-000000',
    display_name: 'A',
    contact_email: 'a@example.com',
    currency_code: 'USD',
    balance_cents: 0,
    status: 'ACTIVE',
    created_at: createdAt,
  });
}

/**
 * One order over /raas/v2 with `authorization`, as an integration places it: a customer and an account
 * (`cust-1`, `acct-1`), the sandbox's Visa registered, $100 deposited, then a $25 Amazon.com reward for
 * jamie@example.com. Resolves with its referenceOrderID.
 */
export async function placeTestOrder(app: FastifyInstance, authorization: string): Promise<string> {
  const scope = { customerIdentifier: 'cust-1', accountIdentifier: 'acct-1' };
  await openAccount(app, authorization, { customerIdentifier: 'cust-1', displayName: 'Customer One' }, { accountIdentifier: 'acct-1', displayName: 'Account One', contactEmail: 'ops@example.com' });
  const card = await postJson(app, '/raas/v2/creditCards', authorization, {
    ...scope,
    label: 'Corporate card',
    ipAddress: '203.0.113.10',
    creditCard: { number: '4111111111111111', expiration: '2030-12', verificationNumber: '123' },
    billingAddress: { firstName: 'A', lastName: 'D', addressLine1: '1 Main St', city: 'Seattle', state: 'WA', postalCode: '98101', country: 'US', emailAddress: 'b@example.com' },
  });
  expect(card.statusCode, card.body).toBe(201);
  const deposit = await postJson(app, '/raas/v2/creditCardDeposits', authorization, { ...scope, creditCardToken: card.json().token, amount: 100 });
  expect(deposit.statusCode, deposit.body).toBe(200);
  const order = await postJson(app, '/raas/v2/orders', authorization, { ...scope, utid: 'U561593', amount: 25, sendEmail: true, recipient: { email: 'jamie@example.com', firstName: 'Jamie' } });
  expect(order.statusCode, order.body).toBe(201);
  return order.json().referenceOrderID;
}
