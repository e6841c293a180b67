import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ErrorCode, TesseraError } from '../../src/errors/tessera-error.js';
import { STATUS_OF_CODE, type StatusTable, statusOfCode } from '../../src/http/status-of-code.js';
import { sendOAuthError } from '../../src/oauth/oauth-error-handler.js';
import { portalErrorHandler } from '../../src/portal/error-handler.js';
import { raasErrorHandler } from '../../src/raas/error-handler.js';
import { startDeployment } from '../support/bootstrap.js';
import { TestClock, type TestEnvironment } from '../support/services.js';
import { expectEnvelope } from '../support/tenants.js';

/** Issue 21, point 4: one table of the domain's codes and their HTTP statuses; each surface chooses only its body. */

const MESSAGE = 'A message fit for the person who caused it';
const CODES = Object.keys(STATUS_OF_CODE) as ErrorCode[];

/** The statuses the table must give, written out so a change to the table fails here; a server fault says nothing but that it happened. */
const PLAIN: Record<ErrorCode, number> = {
  invalid_input: 400,
  not_found: 404,
  conflict: 409,
  limit_reached: 409,
  invalid_credentials: 401,
  invalid_token: 401,
  too_many_failures: 429,
  invalid_config: 500,
  cannot_start: 500,
  unavailable: 503,
  busy: 503,
  declined: 402,
  insufficient_funds: 402,
  unknown_item: 400,
  invalid_amount: 400,
  duplicate_order: 409,
};

describe('the domain-code → HTTP status table', () => {
  it('gives each code its status', () => {
    expect(STATUS_OF_CODE).toStrictEqual(PLAIN);
    expect(statusOfCode('limit_reached')).toBe(409);
  });

  it('is exhaustive by type: a code without a status does not compile', () => {
    // The table as it is has every code (it would not compile as a Partial)…
    const table = STATUS_OF_CODE satisfies StatusTable<ErrorCode>;
    // …a table that misses one does not compile…
    const { busy: _busy, ...withoutBusy } = STATUS_OF_CODE;
    // @ts-expect-error: 'busy' has no status
    const missing: StatusTable<ErrorCode> = withoutBusy;
    // …and neither does the table once the vocabulary grows a code it has no status for.
    // @ts-expect-error: 'brand_new' has no status
    const grown: StatusTable<ErrorCode | 'brand_new'> = STATUS_OF_CODE;
    expect([table, missing, grown].map((t) => Object.keys(t).length)).toStrictEqual([16, 15, 16]);
  });
});

/** A bare app whose one route throws the domain error named in its path, answered by `handler`. */
async function throwingApp(handler: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => unknown): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, genReqId: () => randomUUID() });
  app.setErrorHandler(handler);
  app.get<{ Params: { code: ErrorCode } }>('/throws/:code', async (request) => {
    throw new TesseraError(request.params.code, MESSAGE, { retryAfterSeconds: 7 });
  });
  await app.ready();
  return app;
}

/** The Retry-After a 429 or 503 carries (RFC 6585 §4, RFC 9110 §10.2.3), and none on any other answer. */
const retryAfterOf = (status: number) => (status === 429 || status === 503 ? '7' : undefined);

describe('every domain code through every surface', () => {
  let env: TestEnvironment;
  const apps: FastifyInstance[] = [];
  const clock = new TestClock();
  let portal: FastifyInstance;
  let raas: FastifyInstance;
  let oauth: FastifyInstance;
  let app: FastifyInstance;

  beforeAll(async () => {
    portal = await throwingApp(portalErrorHandler);
    raas = await throwingApp(raasErrorHandler(clock.now));
    oauth = await throwingApp((error, request, reply) => sendOAuthError(error, request.log, reply, 1024));
    apps.push(portal, raas, oauth);
    // The app's own handler, for paths outside the APIs: a route of the real app.
    ({ env, app } = await startDeployment());
    app.get<{ Params: { code: ErrorCode } }>('/throws/:code', async (request) => {
      throw new TesseraError(request.params.code, MESSAGE, { retryAfterSeconds: 7 });
    });
  });
  afterAll(async () => {
    for (const one of apps) await one.close();
    await env?.close();
  });

  it.each(CODES)('the portal answers %s with the table’s status in {error, message}', async (code) => {
    const response = await portal.inject(`/throws/${code}`);
    const status = PLAIN[code];
    expect(response.statusCode).toBe(status);
    expect(response.json()).toStrictEqual(status === 500 ? { error: 'internal_error', message: 'An unexpected error occurred' } : { error: code, message: MESSAGE });
    expect(response.headers['retry-after']).toBe(retryAfterOf(status));
  });

  it.each(CODES)('the app answers %s outside the APIs with the table’s status in {error, message}', async (code) => {
    const response = await app.inject(`/throws/${code}`);
    const status = PLAIN[code];
    expect(response.statusCode).toBe(status);
    expect(response.json()).toStrictEqual(status === 500 ? { error: 'internal_error', message: 'An unexpected error occurred' } : { error: code, message: MESSAGE });
    expect(response.headers['retry-after']).toBe(retryAfterOf(status));
  });

  // Tango's envelope: the table's status but where the reference says otherwise (declined: 400), and each code's i18n key.
  const RAAS: Record<ErrorCode, [number, string]> = {
    invalid_input: [400, 'error.badRequest'],
    not_found: [404, 'error.notFound'],
    conflict: [409, 'error.duplicate'],
    limit_reached: [409, 'error.limitReached'],
    invalid_credentials: [401, 'auth.invalidCredentials'],
    invalid_token: [401, 'auth.invalidToken'],
    too_many_failures: [429, 'auth.tooManyFailures'],
    invalid_config: [500, 'error.internal'],
    cannot_start: [500, 'error.internal'],
    unavailable: [503, 'error.serviceUnavailable'],
    busy: [503, 'error.serviceUnavailable'],
    declined: [400, 'error.creditCard.declined'],
    insufficient_funds: [402, 'error.order.insufficientFunds'],
    unknown_item: [400, 'error.order.unknownUtid'],
    invalid_amount: [400, 'error.order.invalidAmount'],
    duplicate_order: [409, 'error.order.duplicateExternalRefID'],
  };

  it.each(CODES)('/raas/v2 answers %s in Tango’s envelope', async (code) => {
    const response = await raas.inject(`/throws/${code}`);
    const [status, i18nKey] = RAAS[code];
    const message = status === 500 ? 'An unexpected error occurred: quote the requestId when you report it' : MESSAGE;
    expectEnvelope(response, clock, { status, path: `/throws/${code}`, message, i18nKey });
    expect(response.headers['retry-after']).toBe(retryAfterOf(status));
  });

  // RFC 6749 §5.2: 400 unless said otherwise; 429 and 503 with when to come back; a server fault is server_error.
  const OAUTH: Record<ErrorCode, [number, string]> = {
    invalid_input: [400, 'invalid_request'],
    not_found: [400, 'invalid_request'],
    conflict: [400, 'invalid_request'],
    limit_reached: [400, 'invalid_request'],
    invalid_credentials: [400, 'invalid_request'],
    invalid_token: [400, 'invalid_request'],
    too_many_failures: [429, 'too_many_requests'],
    invalid_config: [500, 'server_error'],
    cannot_start: [500, 'server_error'],
    unavailable: [503, 'temporarily_unavailable'],
    busy: [503, 'temporarily_unavailable'],
    declined: [400, 'invalid_request'],
    insufficient_funds: [400, 'invalid_request'],
    unknown_item: [400, 'invalid_request'],
    invalid_amount: [400, 'invalid_request'],
    duplicate_order: [400, 'invalid_request'],
  };

  it.each(CODES)('the OAuth endpoints answer %s in RFC 6749 §5.2’s body', async (code) => {
    const response = await oauth.inject(`/throws/${code}`);
    const [status, error] = OAUTH[code];
    expect(response.statusCode).toBe(status);
    const description = status === 500 ? 'The server could not complete the request' : MESSAGE;
    expect(response.json()).toStrictEqual({ error, error_description: description });
    expect(response.headers['retry-after']).toBe(retryAfterOf(status));
  });
});
