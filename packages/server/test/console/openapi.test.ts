import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importJWK, jwtVerify } from 'jose';
import { consoleCsp } from '../../src/console/console-page.js';
import { ACCESS_TOKEN, JWKS } from '../../src/oauth/examples.js';
import {
  CARD_EXPIRATION,
  CREATE_EMAIL_TEMPLATE,
  EMAIL_TEMPLATE_VIEW,
  ORDER_LIST_VIEW,
  ORDER_VIEW_SUMMARY,
  ORDER_VIEW_VERBOSE,
  UPDATE_EMAIL_TEMPLATE,
  UPDATED_EMAIL_TEMPLATE_VIEW,
} from '../../src/raas/examples.js';
import { rewardCredentials } from '../../src/orders/reward-credentials.js';
import { basic, form, postForm, requestToken } from '../support/oauth.js';
import type { TestEnvironment } from '../support/services.js';
import { startDeployment } from '../support/bootstrap.js';
import { createTenant, createTestClient, get, openAccount, postJson } from '../support/tenants.js';
import { TANGO_REFERENCE_FILE } from '../support/tango-reference.js';
import seedCatalog from '../../src/catalog/seed-catalog.json' with { type: 'json' };
import seedRates from '../../src/catalog/seed-exchange-rates.json' with { type: 'json' };

interface Media {
  schema: Schema;
  example?: unknown;
}
interface Operation {
  operationId?: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; in: string; example?: unknown }>;
  responses: Record<string, { description: string; content?: Record<string, Media> }>;
  requestBody?: { content: Record<string, Media> };
}
interface Schema {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  examples?: unknown[];
}
interface Document {
  openapi: string;
  tags: Array<{ name: string; description?: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, Record<string, unknown>> };
}

const RAAS_SECURITY = [{ basicAuth: [] }, { bearerAuth: [] }, { oauth2: ['raas.all'] }];
const CLIENT_SECURITY = [{ clientSecretBasic: [] }, {}];

/** Every method and path the app has registered, from Fastify's own route tree (`:name` as `{name}`). */
function registeredRoutes(app: FastifyInstance): Array<{ method: string; path: string }> {
  const routes: Array<{ method: string; path: string }> = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    const path = (stack[depth - 1] ?? '') + match[2]!;
    stack.push(path);
    for (const method of match[3]?.split(', ') ?? []) routes.push({ method, path: path.replace(/:(\w+)/g, '{$1}') });
  }
  return routes;
}

/** A documented path with every parameter filled in, to call it. */
function concrete(path: string): string {
  return path.replace(/\{\w+\}/g, 'x');
}

describe('the OpenAPI document', () => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let doc: Document;
  beforeAll(async () => {
    ({ env, app } = await startDeployment());
    doc = (await app.inject('/openapi.json')).json();
  });
  afterAll(async () => env?.close());

  it('validates as OpenAPI 3.1, every reference resolved, in JSON and in YAML alike', async () => {
    const validator = new Validator();
    // A copy: resolveRefs dereferences the specification it was given, in place.
    expect(await validator.validate(structuredClone(doc) as never)).toEqual({ valid: true });
    expect(validator.version).toBe('3.1');
    expect(() => validator.resolveRefs()).not.toThrow();

    const yaml = await app.inject('/openapi.yaml');
    expect(yaml.headers['content-type']).toBe('application/yaml; charset=utf-8');
    const fromYaml = new Validator();
    expect(await fromYaml.validate(yaml.body)).toEqual({ valid: true });
    expect(fromYaml.specification).toEqual(doc);
  });

  it('documents every route registered under /oauth and /raas/v2, with its security schemes', async () => {
    const registered = registeredRoutes(app).filter(({ path }) => path.startsWith('/oauth/') || path.startsWith('/raas/v2/'));
    expect(registered.length).toBeGreaterThan(40);
    const documented = new Set<string>();
    for (const { method, path } of registered) {
      const operation = doc.paths[path]?.[method.toLowerCase()];
      if (!operation) {
        // Not an operation: HEAD answers as GET, and every other method of a path is refused with 405.
        if (method === 'HEAD') continue;
        const response = await app.inject({ method: method as 'GET', url: concrete(path) });
        expect(response.statusCode, `${method} ${path} is registered, is not in the document, and is not a 405`).toBe(405);
        continue;
      }
      documented.add(`${method} ${path}`);
      const expected = path.startsWith('/oauth/') ? CLIENT_SECURITY : path === '/raas/v2/status' ? [] : RAAS_SECURITY;
      expect(operation.security, `${method} ${path}`).toEqual(expected);
    }
    expect([...documented].sort()).toEqual([
      'DELETE /raas/v2/emailTemplates/{etid}',
      'GET /raas/v2/accounts',
      'GET /raas/v2/accounts/{accountIdentifier}',
      'GET /raas/v2/catalogs',
      'GET /raas/v2/creditCardDeposits/{depositId}',
      'GET /raas/v2/creditCards',
      'GET /raas/v2/creditCards/{token}',
      'GET /raas/v2/customers',
      'GET /raas/v2/customers/{customerIdentifier}',
      'GET /raas/v2/customers/{customerIdentifier}/accounts',
      'GET /raas/v2/emailTemplates',
      'GET /raas/v2/emailTemplates/{etid}',
      'GET /raas/v2/exchangerates',
      'GET /raas/v2/orders',
      'GET /raas/v2/orders/{referenceOrderID}',
      'GET /raas/v2/status',
      'GET /raas/v2/whoami',
      'PATCH /raas/v2/emailTemplates/{etid}',
      'POST /oauth/introspect',
      'POST /oauth/revoke',
      'POST /oauth/token',
      'POST /raas/v2/creditCardDeposits',
      'POST /raas/v2/creditCardUnregisters',
      'POST /raas/v2/creditCards',
      'POST /raas/v2/customers',
      'POST /raas/v2/customers/{customerIdentifier}/accounts',
      'POST /raas/v2/emailTemplates',
      'POST /raas/v2/orders',
      'POST /raas/v2/orders/{referenceOrderID}/resends',
    ]);
    // And the document lists nothing the server does not serve.
    const served = new Set(registeredRoutes(app).map(({ method, path }) => `${method} ${path}`));
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const method of Object.keys(operations)) expect(served, `${method} ${path}`).toContain(`${method.toUpperCase()} ${path}`);
    }
  });

  it('describes the public API only: no /portal/api route, and no untagged operation for a "default" group', () => {
    // The portal's internal API is served (docs/portal-api.md describes it) but is no part of the document.
    const portal = registeredRoutes(app).filter(({ path }) => path.startsWith('/portal/api/'));
    expect(portal.length).toBeGreaterThanOrEqual(22);
    expect(Object.keys(doc.paths).filter((path) => !path.startsWith('/oauth/') && !path.startsWith('/raas/v2/'))).toEqual([
      '/.well-known/jwks.json',
      '/.well-known/oauth-authorization-server',
    ]);
    const declared = doc.tags.map(({ name }) => name);
    expect(declared).toEqual(['Customers', 'Accounts', 'Catalogs', 'Exchange Rates', 'Fund', 'Email Templates', 'Orders', 'OAuth 2.0', 'Tessera']);
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(operation.tags, `${method} ${path}`).toHaveLength(1);
        expect(declared, `${method} ${path}`).toContain(operation.tags![0]);
      }
    }
    expect(JSON.stringify(doc)).not.toContain('/portal/api');
  });

  it('defines the security schemes: HTTP Basic, HTTP Bearer and OAuth 2.0 client credentials at this server’s token URL', () => {
    expect(doc.components.securitySchemes).toEqual({
      basicAuth: { type: 'http', scheme: 'basic', description: expect.stringContaining(`${env.config.publicUrl}/#/team/api-keys`) },
      bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: expect.any(String) },
      oauth2: {
        type: 'oauth2',
        description: expect.stringContaining(`${env.config.publicUrl}/#/team/oauth-clients`),
        flows: { clientCredentials: { tokenUrl: `${env.config.publicUrl}/oauth/token`, scopes: { 'raas.all': 'The whole RaaS API' } } },
      },
      clientSecretBasic: { type: 'http', scheme: 'basic', description: expect.any(String) },
    });
  });

  it('documents the quota refusal as a 400 of /oauth/token, in the shape the server sends', async () => {
    const refused = doc.paths['/oauth/token']!.post!.responses['400']!;
    expect(refused.description).toContain('rate_limit_exceeded');
    expect(refused.description).toContain('the token from your first request is still valid for 24 hours');
    expect(refused.content!['application/json']!.schema).toEqual({ $ref: '#/components/schemas/OAuthError' });

    const client = await createTestClient((await env.app()).services, 'quota-platform', 'Quota client');
    expect((await requestToken(app, client)).statusCode).toBe(200);
    const second = await requestToken(app, client);
    expect(second.statusCode).toBe(400);
    expect(Object.keys(second.json()).sort()).toEqual(Object.keys(doc.components.schemas.OAuthError!.properties!).sort());
  });

  it('answers every /raas/v2 error in the documented Tango envelope', async () => {
    const unauthorized = await app.inject('/raas/v2/customers');
    const documented = doc.paths['/raas/v2/customers']!.get!.responses['401']!;
    expect(documented.content!['application/json']!.schema).toEqual({ $ref: '#/components/schemas/ErrorEnvelope' });
    expect(Object.keys(unauthorized.json()).sort()).toEqual(Object.keys(doc.components.schemas.ErrorEnvelope!.properties!).sort());
  });

  it('gives every operation its example, in Tango’s values: each parameter, each request body and each answer', async () => {
    const found: Record<string, Record<string, unknown>> = {};
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const examples: Record<string, unknown> = {};
        for (const parameter of operation.parameters ?? []) examples[`${parameter.in} ${parameter.name}`] = parameter.example;
        for (const [type, media] of Object.entries(operation.requestBody?.content ?? {})) {
          examples[`request ${type}`] = media.example;
          // Swagger UI fills a form's fields from the fields' own examples: the same values, and an empty
          // field (which it does not send) for each the request leaves out.
          for (const [field, schema] of Object.entries(media.schema.properties ?? {})) {
            expect(schema.examples, `${method} ${path} ${type} ${field}`).toEqual([(media.example as Record<string, unknown>)[field] ?? '']);
          }
        }
        for (const [status, response] of Object.entries(operation.responses)) {
          if (status.startsWith('2') && response.content) examples[`response ${status}`] = response.content['application/json']!.example;
        }
        found[`${method.toUpperCase()} ${path}`] = examples;
      }
    }

    const tokenRequest = { grant_type: 'client_credentials', scope: 'raas.all' };
    const claims = {
      iss: 'https://tessera.example.com',
      sub: 'cli_5Hn2Wq8Rt4Yz1Kx7Vb3Mc9',
      aud: 'https://tessera.example.com/raas/v2',
      client_id: 'cli_5Hn2Wq8Rt4Yz1Kx7Vb3Mc9',
      iat: Date.parse('2026-11-28T12:00:00Z') / 1000,
      exp: Date.parse('2026-11-29T12:00:00Z') / 1000,
      jti: '3f6c2a9e-8b41-4d7a-9c05-1e2f7b8d4a60',
      scope: 'raas.all',
      platform: 'acme',
    };
    const tokenAction = { token: ACCESS_TOKEN, token_type_hint: 'access_token' };
    const createCustomer = { customerIdentifier: 's123456', displayName: 'Acme Rewards' };
    const customer = { ...createCustomer, status: 'ACTIVE', createdAt: '2026-11-28T12:00:00.000Z' };
    const accountSummary = { accountIdentifier: 'a123456', accountNumber: 'A32-649183-270514', displayName: 'Acme Rewards Account', createdAt: '2026-11-28T12:00:00.000Z', status: 'ACTIVE' };
    const account = { ...accountSummary, currencyCode: 'USD', currentBalance: 0, contactEmail: 'rewards@acme.example.com' };
    const createAccount = { accountIdentifier: 'a123456', displayName: 'Acme Rewards Account', contactEmail: 'rewards@acme.example.com' };
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
    const templateText = {
      name: 'Acme thank-you',
      fromName: 'Acme Rewards',
      subject: 'A thank-you gift from Acme',
      headerImageAltText: 'Acme',
      accentColor: '#1A73E8',
      messageBody: 'Thank you for a great year. Please enjoy this gift with our compliments.',
      closing: 'Warm regards,\nThe Acme team',
      customerServiceMessage: 'Questions about your reward? Write to rewards@acme.example.com.',
    };
    const scopes = { customer: [{ type: 'CUSTOMER', identifier: 's123456' }], account: [{ type: 'ACCOUNT', identifier: 'a123456' }] };
    const createTemplate = { ...templateText, headerImage: png, accessControl: scopes.customer, defaults: scopes.account };
    const template = { etid: 'E000001', ...templateText, headerImage: `data:image/png;base64,${png}`, accessControls: scopes.customer, defaults: scopes.account };
    const both = (example: unknown) => ({ 'request application/x-www-form-urlencoded': example, 'request application/json': example });
    const cardToken = '6c3f1e2a-9b4d-4f8e-a1c7-52d90e8b3f64';
    // The card the deposit example's tok_visa registers to a123456: the read and unregister examples name it.
    const testCardToken = 'tok_visa_a123456';
    const contactInformation = [{ fullName: 'Alex Doe', emailAddress: 'billing@acme.example.com' }];
    const createCard = {
      customerIdentifier: 's123456',
      accountIdentifier: 'a123456',
      label: 'Acme corporate Visa',
      ipAddress: '203.0.113.10',
      creditCard: { number: '4111111111111111', expiration: CARD_EXPIRATION, verificationNumber: '123' },
      billingAddress: {
        firstName: 'Alex',
        lastName: 'Doe',
        addressLine1: '1 Main Street',
        addressLine2: 'Suite 100',
        city: 'Seattle',
        state: 'WA',
        postalCode: '98101',
        country: 'US',
        emailAddress: 'billing@acme.example.com',
      },
      contactInformation,
    };
    const card = {
      token: cardToken,
      label: 'Acme corporate Visa',
      lastFourDigits: '1111',
      expirationDate: CARD_EXPIRATION,
      status: 'ACTIVE',
      createdDate: '2026-11-28T12:00:00.000Z',
      activationDate: '2026-11-28T12:00:00.000Z',
      customerIdentifier: 's123456',
      accountIdentifier: 'a123456',
      accountNumber: 'A32-649183-270514',
      contactInformation,
    };
    const order = {
      customerIdentifier: 's123456',
      accountIdentifier: 'a123456',
      utid: 'U561593',
      amount: 25,
      sendEmail: true,
      recipient: { email: 'jamie.lee@example.com', firstName: 'Jamie', lastName: 'Lee' },
      sender: { email: 'rewards@acme.example.com', firstName: 'Acme', lastName: 'Rewards' },
      externalRefID: 'acme-2026-0001',
      message: 'Thank you for a great year!',
      notes: 'Year-end thank-you',
      emailSubject: 'A thank-you gift from Acme',
      campaign: 'year-end-2026',
    };
    const deposit = {
      referenceDepositID: 'RA261128-482913-705118',
      accountNumber: 'A32-649183-270514',
      amount: 100,
      feePercent: 3.5,
      amountCharged: 103.5,
      status: 'SUCCESS',
      createdDate: '2026-11-28T12:00:00.000Z',
    };
    expect(found).toEqual({
      'POST /oauth/token': { ...both(tokenRequest), 'response 200': { access_token: ACCESS_TOKEN, token_type: 'Bearer', expires_in: 86_400, scope: 'raas.all' } },
      'POST /oauth/introspect': { ...both(tokenAction), 'response 200': { active: true, token_type: 'Bearer', ...claims } },
      'POST /oauth/revoke': both(tokenAction),
      'GET /.well-known/jwks.json': { 'response 200': JWKS },
      'GET /.well-known/oauth-authorization-server': { 'response 200': (await app.inject('/.well-known/oauth-authorization-server')).json() },
      'GET /raas/v2/status': { 'response 200': { status: 'ok' } },
      'GET /raas/v2/whoami': { 'response 200': { platformName: 'acme', credentialType: 'api_key', credentialId: 'key_2bQk7RmX9sTf4VwN8cLp3J' } },
      'GET /raas/v2/customers': { 'response 200': [{ ...customer, accounts: [accountSummary] }] },
      'POST /raas/v2/customers': { 'request application/json': createCustomer, 'response 201': customer },
      'GET /raas/v2/customers/{customerIdentifier}': { 'path customerIdentifier': 's123456', 'response 200': { ...customer, accounts: [accountSummary] } },
      'GET /raas/v2/customers/{customerIdentifier}/accounts': { 'path customerIdentifier': 's123456', 'response 200': [accountSummary] },
      'POST /raas/v2/customers/{customerIdentifier}/accounts': { 'path customerIdentifier': 's123456', 'request application/json': createAccount, 'response 201': account },
      'GET /raas/v2/accounts': { 'response 200': [account] },
      'GET /raas/v2/accounts/{accountIdentifier}': { 'path accountIdentifier': 'a123456', 'response 200': account },
      // Email templates: create E000001 for customer s123456 (the default of account a123456), read it, change it, delete it.
      'POST /raas/v2/emailTemplates': { 'request application/json': createTemplate, 'response 201': template },
      'GET /raas/v2/emailTemplates': {
        'query elementsPerBlock': 10,
        'query page': 0,
        'response 200': { emailTemplates: [template], page: { elementsPerBlock: 10, number: 0, resultCount: 1, totalCount: 1 } },
      },
      'GET /raas/v2/emailTemplates/{etid}': { 'path etid': 'E000001', 'response 200': template },
      'PATCH /raas/v2/emailTemplates/{etid}': {
        'path etid': 'E000001',
        'request application/json': { subject: 'Happy holidays from Acme', accentColor: '#C62828' },
        'response 200': { ...template, subject: 'Happy holidays from Acme', accentColor: '#C62828' },
      },
      'DELETE /raas/v2/emailTemplates/{etid}': { 'path etid': 'E000001' },
      // Funding: register the Visa test card to a123456, fund it with $100 (3.5 % fee), read back, unregister.
      'POST /raas/v2/creditCards': { 'request application/json': createCard, 'response 201': card },
      'GET /raas/v2/creditCards': { 'query showInactive': false, 'response 200': [card] },
      'GET /raas/v2/creditCards/{token}': { 'path token': testCardToken, 'response 200': card },
      'POST /raas/v2/creditCardUnregisters': {
        'request application/json': { customerIdentifier: 's123456', accountIdentifier: 'a123456', creditCardToken: testCardToken },
        'response 200': { token: testCardToken, message: 'The credit card was unregistered', createdDate: '2026-11-28T12:00:00.000Z' },
      },
      // The deposit names the sandbox's test token: it needs no card registered first, so Try it plays it as it stands.
      'POST /raas/v2/creditCardDeposits': { 'request application/json': { customerIdentifier: 's123456', accountIdentifier: 'a123456', creditCardToken: 'tok_visa', amount: 100 }, 'response 200': deposit },
      'GET /raas/v2/creditCardDeposits/{depositId}': { 'path depositId': 'RA261128-482913-705118', 'response 200': deposit },
      // The seed's first brand (Amazon.com, U561593) and the seed's rates, as the server serves them.
      'GET /raas/v2/catalogs': { 'query verbose': true, 'response 200': { catalogName: 'Tessera Sandbox Catalog', brands: [seedCatalog.brands[0]] } },
      'GET /raas/v2/exchangerates': { 'response 200': seedRates },
      // Orders: $25 of Amazon.com (U561593) from a123456, which the deposit funded; listed, read, resent.
      'POST /raas/v2/orders': { 'request application/json': order, 'response 201': ORDER_VIEW_SUMMARY },
      'GET /raas/v2/orders': {
        'query accountIdentifier': 'a123456',
        'query customerIdentifier': 's123456',
        'query externalRefID': 'acme-2026-0001',
        'query elementsPerBlock': 10,
        'query page': 0,
        'response 200': ORDER_LIST_VIEW,
      },
      'GET /raas/v2/orders/{referenceOrderID}': { 'path referenceOrderID': 'RA261128-104729-553018', 'response 200': ORDER_VIEW_VERBOSE },
      'POST /raas/v2/orders/{referenceOrderID}/resends': {
        'path referenceOrderID': 'RA261128-104729-553018',
        'request application/json': { newEmail: 'jamie.lee@example.org' },
        'response 201': { id: 1, email: 'jamie.lee@example.org', createdAt: '2026-11-28T12:00:00.000Z' },
      },
    });
    // The example order's reward is the one the sandbox derives for its id, and its view the seed item's.
    const { amount: _amount, notes: _notes, ...echoed } = order;
    expect(ORDER_VIEW_SUMMARY).toMatchObject({
      ...echoed,
      amountCharged: { value: 25, currencyCode: 'USD', exchangeRate: 1, fee: 0, total: 25 },
      reward: { credentialList: rewardCredentials('RA261128-104729-553018', ['claimCode'], Date.parse('2026-11-28T12:00:00.000Z')) },
    });
    expect(ORDER_LIST_VIEW.orders[0]).toStrictEqual((({ reward: _r, ...item }) => item)(ORDER_VIEW_VERBOSE));

    // The example token is a real one: signed by the key of the JWKS example, with the claims introspection shows.
    const key = await importJWK(JWKS.keys[0], 'RS256');
    const verified = await jwtVerify(ACCESS_TOKEN, key, { typ: 'at+jwt', currentDate: new Date('2026-11-28T13:00:00Z') });
    expect(verified.payload).toEqual(claims);
  });

  it('serves what the examples ask as they stand: the token request, then customer s123456 and its account a123456', async () => {
    const { services } = await env.app();
    const tenant = await createTenant(app, services, 'examples-platform');
    const client = await createTestClient(services, 'examples-token', 'Examples client');
    const token = await postForm(app, '/oauth/token', form({ grant_type: 'client_credentials', scope: 'raas.all' }), { authorization: basic(client.client_id, client.client_secret) });
    expect(token.statusCode, token.body).toBe(200);

    const created = await postJson(app, '/raas/v2/customers', tenant.basic, { customerIdentifier: 's123456', displayName: 'Acme Rewards' });
    expect({ status: created.statusCode, body: created.json() }).toEqual({
      status: 201,
      body: { customerIdentifier: 's123456', displayName: 'Acme Rewards', status: 'ACTIVE', createdAt: expect.any(String) },
    });
    const opened = await postJson(app, '/raas/v2/customers/s123456/accounts', tenant.basic, {
      accountIdentifier: 'a123456',
      displayName: 'Acme Rewards Account',
      contactEmail: 'rewards@acme.example.com',
    });
    expect(opened.statusCode, opened.body).toBe(201);
    expect((await get(app, '/raas/v2/customers/s123456', tenant.basic)).statusCode).toBe(200);
    expect((await get(app, '/raas/v2/accounts/a123456', tenant.basic)).json()).toEqual(opened.json());

    // Funding from the examples, as they stand: the card's example registers, and the deposit's (the test token
    // tok_visa, which needs no token of the answer before it) funds the account with $100.
    const exampleOf = (path: string) => doc.paths[path]!.post!.requestBody!.content['application/json']!.example as Record<string, unknown>;
    const card = await postJson(app, '/raas/v2/creditCards', tenant.basic, exampleOf('/raas/v2/creditCards'));
    expect(card.statusCode, card.body).toBe(201);
    expect(card.json()).toMatchObject({ lastFourDigits: '1111', status: 'ACTIVE', accountIdentifier: 'a123456' });
    const funded = await postJson(app, '/raas/v2/creditCardDeposits', tenant.basic, exampleOf('/raas/v2/creditCardDeposits'));
    expect(funded.statusCode, funded.body).toBe(200);
    expect(funded.json()).toMatchObject({ amount: 100, feePercent: 3.5, amountCharged: 103.5, status: 'SUCCESS' });
    expect((await get(app, '/raas/v2/accounts/a123456', tenant.basic)).json().currentBalance).toBe(100);

    // The example order, on the account the example deposit funded: $25 of Amazon.com, then listed, read and resent.
    const placed = await postJson(app, '/raas/v2/orders', tenant.basic, exampleOf('/raas/v2/orders'));
    expect(placed.statusCode, placed.body).toBe(201);
    const placedId = placed.json().referenceOrderID as string;
    expect(placed.json()).toMatchObject({ amountCharged: { value: 25, currencyCode: 'USD', exchangeRate: 1, fee: 0, total: 25 }, externalRefID: 'acme-2026-0001', status: 'COMPLETE' });
    expect((await get(app, '/raas/v2/accounts/a123456', tenant.basic)).json().currentBalance).toBe(75);
    const listed = await get(app, '/raas/v2/orders?accountIdentifier=a123456&customerIdentifier=s123456&externalRefID=acme-2026-0001&elementsPerBlock=10&page=0', tenant.basic);
    expect(listed.json().orders.map((o: { referenceOrderID: string }) => o.referenceOrderID)).toEqual([placedId]);
    expect((await get(app, `/raas/v2/orders/${placedId}`, tenant.basic)).statusCode).toBe(200);
    const resent = await postJson(app, `/raas/v2/orders/${placedId}/resends`, tenant.basic, doc.paths['/raas/v2/orders/{referenceOrderID}/resends']!.post!.requestBody!.content['application/json']!.example);
    expect({ status: resent.statusCode, email: resent.json().email }).toEqual({ status: 201, email: 'jamie.lee@example.org' });

    // The example template is the platform's first, E000001 as the examples name it: created, changed, deleted.
    const template = await postJson(app, '/raas/v2/emailTemplates', tenant.basic, CREATE_EMAIL_TEMPLATE);
    expect({ status: template.statusCode, body: template.json() }).toEqual({ status: 201, body: EMAIL_TEMPLATE_VIEW });
    const headers = { authorization: tenant.basic, 'content-type': 'application/json' };
    const changed = await app.inject({ method: 'PATCH', url: '/raas/v2/emailTemplates/E000001', headers, payload: UPDATE_EMAIL_TEMPLATE });
    expect({ status: changed.statusCode, body: changed.json() }).toEqual({ status: 200, body: UPDATED_EMAIL_TEMPLATE_VIEW });
    expect((await app.inject({ method: 'DELETE', url: '/raas/v2/emailTemplates/E000001', headers: { authorization: tenant.basic } })).statusCode).toBe(204);
  });

  it('shows a card expiration years ahead of today, so the card example still registers five years from now', async () => {
    const [year, month] = CARD_EXPIRATION.split('-').map(Number) as [number, number];
    // Valid through the end of its month; December five years on from whenever the document is built.
    expect(Date.UTC(year, month, 1)).toBeGreaterThan(Date.now() + 5 * 365 * 86_400_000);
    const { env: later, app: laterApp, tenants: { acme } } = await startDeployment({ tenants: ['acme'] });
    try {
      later.clock.advance(Date.now() + 5 * 365 * 86_400_000 - later.clock.now());
      await openAccount(laterApp, acme.basic, { customerIdentifier: 's123456', displayName: 'Acme Rewards' }, { accountIdentifier: 'a123456', displayName: 'A', contactEmail: 'a@acme.example' });
      const card = await postJson(laterApp, '/raas/v2/creditCards', acme.basic, doc.paths['/raas/v2/creditCards']!.post!.requestBody!.content['application/json']!.example);
      expect(card.statusCode, card.body).toBe(201);
    } finally {
      await later.close();
    }
  });

  // The names of Tango's console definition (shared/reference, outside this repository), extracted into a
  // fixture so that the check runs on any checkout.
  const reference = fileURLToPath(new URL('../fixtures/tango-raas-v2-names.json', import.meta.url));
  it('keeps Tango’s field names and operation ids (test/fixtures/tango-raas-v2-names.json)', () => {
    const tango = JSON.parse(readFileSync(reference, 'utf8')) as {
      paths: Record<string, Record<string, { operationId: string }>>;
      definitions: Record<string, { properties: Record<string, unknown> }>;
    };
    const fields = (schema: Schema | undefined) => Object.keys(schema?.properties ?? {}).sort();
    const resolve = (schema: Schema): Schema => (schema.$ref ? doc.components.schemas[schema.$ref.split('/').pop()!]! : schema);
    const ours = (path: string, method: string, part: 'request' | 201 | 200): Schema => {
      const operation = doc.paths[path]![method]!;
      const schema = part === 'request' ? operation.requestBody!.content['application/json']!.schema : operation.responses[part]!.content!['application/json']!.schema;
      return resolve(schema.items ? resolve(schema.items) : schema);
    };
    const views: Array<[string, Schema]> = [
      ['CustomerViewSummary', ours('/raas/v2/customers', 'get', 200)],
      ['CreateCustomerCriteria', ours('/raas/v2/customers', 'post', 'request')],
      ['CustomerViewNew', ours('/raas/v2/customers', 'post', 201)],
      ['AccountViewSummary', ours('/raas/v2/customers/{customerIdentifier}/accounts', 'get', 200)],
      ['CreateAccountCriteria', ours('/raas/v2/customers/{customerIdentifier}/accounts', 'post', 'request')],
      ['AccountView', ours('/raas/v2/accounts', 'get', 200)],
    ];
    for (const [name, schema] of views) expect(fields(schema), name).toEqual(Object.keys(tango.definitions[name]!.properties).sort());
    // Funding's, against the whole reference (test/support/tango-reference.ts copies it into the fixtures).
    const full = JSON.parse(readFileSync(TANGO_REFERENCE_FILE, 'utf8')) as { definitions: Record<string, { properties: Record<string, unknown> }> };
    const funding: Array<[string, Schema]> = [
      ['CreateCreditCardCriteria', ours('/raas/v2/creditCards', 'post', 'request')],
      ['CreditCardView', ours('/raas/v2/creditCards', 'post', 201)],
      ['CreateCreditCardDepositCriteria', ours('/raas/v2/creditCardDeposits', 'post', 'request')],
      ['CreditCardDepositView', ours('/raas/v2/creditCardDeposits', 'post', 200)],
      ['CreateCreditCardUnregisterCriteria', ours('/raas/v2/creditCardUnregisters', 'post', 'request')],
      ['CreditCardUnregisterView', ours('/raas/v2/creditCardUnregisters', 'post', 200)],
    ];
    for (const [name, schema] of funding) expect(fields(schema), name).toEqual(Object.keys(full.definitions[name]!.properties).sort());
    // Catalogs' and exchange rates', down to the item: the verbose view is the first of GET /catalogs' two.
    const catalog = resolve((doc.paths['/raas/v2/catalogs']!.get!.responses['200']!.content!['application/json']!.schema as { anyOf: Schema[] }).anyOf[0]!);
    const brand = resolve(catalog.properties!.brands!.items!);
    const item = resolve(brand.properties!.items!.items!);
    const rates = ours('/raas/v2/exchangerates', 'get', 200);
    const catalogs: Array<[string, Schema]> = [
      ['CatalogViewVerbose', catalog],
      ['BrandViewWithItemsVerbose', brand],
      ['BrandRequirements', resolve(brand.properties!.brandRequirements!)],
      ['ItemViewVerbose', item],
      ['CostAdjustmentEntity', resolve(item.properties!.fee!)],
      ['ExchangeRatesWithDisclaimer', rates],
      ['ExchangeRateView', resolve(rates.properties!.exchangeRates!.items!)],
    ];
    for (const [name, schema] of catalogs) expect(fields(schema), name).toEqual(Object.keys(full.definitions[name]!.properties).sort());
    const emailTemplates: Array<[string, Schema]> = [
      ['CreateEmailTemplateCriteria', ours('/raas/v2/emailTemplates', 'post', 'request')],
      ['EmailTemplateViewVerbose', ours('/raas/v2/emailTemplates', 'post', 201)],
      ['EmailTemplateListView', ours('/raas/v2/emailTemplates', 'get', 200)],
      ['UpdateEmailTemplateCriteria', ours('/raas/v2/emailTemplates/{etid}', 'patch', 'request')],
      ['EmailTemplateViewVerbose', ours('/raas/v2/emailTemplates/{etid}', 'patch', 200)],
    ];
    for (const [name, schema] of emailTemplates) expect(fields(schema), name).toEqual(Object.keys(full.definitions[name]!.properties).sort());
    const orderList = ours('/raas/v2/orders', 'get', 200);
    const orders: Array<[string, Schema]> = [
      ['CreateOrderCriteria', ours('/raas/v2/orders', 'post', 'request')],
      ['OrderViewSummary', ours('/raas/v2/orders', 'post', 201)],
      ['OrderListView', orderList],
      ['OrderListItemView', resolve(orderList.properties!.orders!.items!)],
      ['OrderViewVerbose', ours('/raas/v2/orders/{referenceOrderID}', 'get', 200)],
      ['OrderResendRequestCriteria', ours('/raas/v2/orders/{referenceOrderID}/resends', 'post', 'request')],
      ['ResendView', ours('/raas/v2/orders/{referenceOrderID}/resends', 'post', 201)],
    ];
    for (const [name, schema] of orders) expect(fields(schema), name).toEqual(Object.keys(full.definitions[name]!.properties).sort());

    const shape = (path: string) => path.replace(/\{\w+\}/g, '{}');
    for (const [path, operations] of Object.entries(doc.paths)) {
      if (!path.startsWith('/raas/v2/')) continue;
      const theirs = Object.entries(tango.paths).find(([tangoPath]) => shape(`/raas/v2${tangoPath}`) === shape(path))?.[1];
      for (const [method, operation] of Object.entries(operations)) {
        if (theirs) expect(operation.operationId, `${method} ${path}`).toBe(theirs[method]!.operationId);
      }
    }
  });
});

describe('the console', () => {
  let env: TestEnvironment;
  beforeAll(async () => {
    ({ env } = await startDeployment());
  });
  afterAll(async () => env?.close());

  it('is served at /console with its own Content-Security-Policy, and named in the server metadata', async () => {
    const { app } = await env.app();
    const page = await app.inject('/console');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<title>Tessera test console</title>');
    const csp = `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ${env.config.publicUrl}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
    expect(consoleCsp(env.config.publicUrl)).toBe(csp);
    expect(page.headers['content-security-policy']).toBe(csp);
    const bundle = await app.inject('/console/static/swagger-ui-bundle.js');
    expect(bundle.statusCode).toBe(200);
    expect(bundle.headers['content-security-policy']).toBe(csp);
    expect((await app.inject('/.well-known/oauth-authorization-server')).json()).toMatchObject({ service_documentation: `${env.config.publicUrl}/console` });
  });

  it('is turned off by TESSERA_CONSOLE=false; the OpenAPI document stays', async () => {
    const { app } = await env.app({ console: false });
    expect((await app.inject('/console')).statusCode).toBe(404);
    expect((await app.inject('/console/static/swagger-ui-bundle.js')).statusCode).toBe(404);
    expect((await app.inject('/openapi.json')).statusCode).toBe(200);
    expect((await app.inject('/openapi.yaml')).statusCode).toBe(200);
    expect((await app.inject('/.well-known/oauth-authorization-server')).json()).not.toHaveProperty('service_documentation');
  });
});
