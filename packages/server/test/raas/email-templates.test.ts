import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { startDeployment } from '../support/bootstrap.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';
import { expectTangoView } from '../support/tango-reference.js';
import { expectEnvelope, get, openAccount, postJson, type Tenant } from '../support/tenants.js';

/** A 1×1 PNG, a 1×1 GIF and the start of a JPEG, in Base64. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
const GIF = 'R0lGODlhAQABAAAAACw=';
const JPEG = '/9j/4AAQSkZJRgABAQ==';

const CREATE = {
  name: 'Thank you',
  fromName: 'Acme Rewards',
  subject: 'A gift from Acme',
  headerImage: PNG,
  headerImageAltText: 'Acme',
  accentColor: '#1A73E8',
  messageBody: 'Thank you for a great year.\nEnjoy this gift.',
  closing: 'Warm regards,\r\nThe Acme team',
} as const;

/** The view of CREATE as template `etid`, with the scopes given. */
function view(etid: string, overrides: Record<string, unknown> = {}) {
  const { headerImage: _image, ...rest } = CREATE;
  return { etid, ...rest, headerImage: `data:image/png;base64,${PNG}`, accessControls: [], defaults: [], ...overrides };
}

const INVALID = 'The request is not valid: see errors for each field';

async function send(app: FastifyInstance, method: 'PATCH' | 'DELETE' | 'PUT', url: string, authorization: string, payload?: unknown): Promise<LightMyRequestResponse> {
  return payload === undefined
    ? app.inject({ method, url, headers: { authorization } })
    : app.inject({ method, url, headers: { authorization, 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
}

describe.each(STORE_KINDS)('email templates on /raas/v2 (%s)', (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let acme: Tenant;
  let globex: Tenant;

  beforeAll(async () => {
    ({ env, app, tenants: { acme, globex } } = await startDeployment({ store, tenants: ['acme', 'globex'] }));
    for (const [tenant, customer, account] of [
      [acme, 'cust-1', 'acct-1'],
      [globex, 'globex-cust', 'globex-acct'],
    ] as const) {
      await openAccount(app, tenant.basic, { customerIdentifier: customer, displayName: 'C' }, { accountIdentifier: account, displayName: 'A', contactEmail: 'a@example.com' });
    }
  });
  afterAll(async () => env?.close());

  it('creates a template (EmailTemplateViewVerbose, etid E000001) with Basic and reads it back with Bearer', async () => {
    const created = await postJson(app, '/raas/v2/emailTemplates', acme.basic, CREATE);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.json()).toStrictEqual(view('E000001'));
    expectTangoView(created.json(), 'EmailTemplateViewVerbose');

    for (const authorization of [acme.bearer, acme.basic]) {
      const read = await get(app, '/raas/v2/emailTemplates/E000001', authorization);
      expect(read.statusCode, read.body).toBe(200);
      expect(read.json()).toStrictEqual(view('E000001'));
      expectTangoView(read.json(), 'EmailTemplateViewVerbose');
    }
  });

  it('creates with Bearer, with every optional field: access control, defaults, customer service message; GIF and JPEG images', async () => {
    const created = await postJson(app, '/raas/v2/emailTemplates', acme.bearer, {
      ...CREATE,
      name: 'Scoped',
      headerImage: GIF,
      customerServiceMessage: 'Write to help@acme.example.com',
      accessControl: [{ type: 'CUSTOMER', identifier: 'cust-1' }, { type: 'ACCOUNT', identifier: 'acct-1' }, { type: 'CUSTOMER', identifier: 'cust-1' }],
      defaults: [{ type: 'PLATFORM' }, { type: 'ACCOUNT', identifier: 'acct-1' }],
    });
    expect(created.statusCode, created.body).toBe(201);
    const expected = view('E000002', {
      name: 'Scoped',
      headerImage: `data:image/gif;base64,${GIF}`,
      customerServiceMessage: 'Write to help@acme.example.com',
      // Each once; PLATFORM with the platform's name filled in.
      accessControls: [{ type: 'CUSTOMER', identifier: 'cust-1' }, { type: 'ACCOUNT', identifier: 'acct-1' }],
      defaults: [{ type: 'PLATFORM', identifier: 'acme' }, { type: 'ACCOUNT', identifier: 'acct-1' }],
    });
    expect(created.json()).toStrictEqual(expected);
    expectTangoView(created.json(), 'EmailTemplateViewVerbose');
    expect((await get(app, '/raas/v2/emailTemplates/E000002', acme.basic)).json()).toStrictEqual(expected);

    const jpeg = await postJson(app, '/raas/v2/emailTemplates', acme.basic, { ...CREATE, name: 'No image', headerImage: JPEG, headerImageAltText: '' });
    expect(jpeg.statusCode, jpeg.body).toBe(201);
    expect(jpeg.json()).toMatchObject({ etid: 'E000003', headerImage: `data:image/jpeg;base64,${JPEG}`, headerImageAltText: '' });
    const none = await postJson(app, '/raas/v2/emailTemplates', acme.basic, { ...CREATE, name: 'Plain', headerImage: '' });
    expect(none.statusCode, none.body).toBe(201);
    expect(none.json()).toMatchObject({ etid: 'E000004', headerImage: '' });
  });

  it('lists a page at a time (EmailTemplateListView with its PageView), with Basic and Bearer', async () => {
    for (const authorization of [acme.basic, acme.bearer]) {
      const all = await get(app, '/raas/v2/emailTemplates', authorization);
      expect(all.statusCode, all.body).toBe(200);
      const body = all.json();
      expectTangoView(body, 'EmailTemplateListView');
      expect(body.emailTemplates.map((t: { etid: string }) => t.etid)).toStrictEqual(['E000001', 'E000002', 'E000003', 'E000004']);
      expect(body.emailTemplates[0]).toStrictEqual(view('E000001'));
      expect(body.page).toStrictEqual({ elementsPerBlock: 10, number: 0, resultCount: 4, totalCount: 4 });
    }
    const second = await get(app, '/raas/v2/emailTemplates?page=1&elementsPerBlock=3', acme.bearer);
    expect(second.statusCode, second.body).toBe(200);
    expectTangoView(second.json(), 'EmailTemplateListView');
    expect(second.json()).toStrictEqual({
      emailTemplates: [view('E000004', { name: 'Plain', headerImage: '' })],
      page: { elementsPerBlock: 3, number: 1, resultCount: 1, totalCount: 4 },
    });
    const beyond = await get(app, '/raas/v2/emailTemplates?page=7', acme.basic);
    expect(beyond.json()).toStrictEqual({ emailTemplates: [], page: { elementsPerBlock: 10, number: 7, resultCount: 0, totalCount: 4 } });
  });

  it('refuses paging out of range with 400 naming the parameter', async () => {
    for (const [query, path, message, invalidValue, constraint] of [
      ['page=-1', 'page', 'must be at least 0', -1, 'Min'],
      ['elementsPerBlock=0', 'elementsPerBlock', 'must be at least 1', 0, 'Min'],
      ['elementsPerBlock=101', 'elementsPerBlock', 'must be at most 100', 101, 'Max'],
      ['page=first', 'page', 'must be of type integer', 'first', 'Type'],
    ] as const) {
      const response = await get(app, `/raas/v2/emailTemplates?${query}`, acme.basic);
      expectEnvelope(response, env.clock, {
        status: 400,
        path: '/raas/v2/emailTemplates',
        message: INVALID,
        i18nKey: 'error.validation',
        errors: [{ path, message, invalidValue, constraint, i18nKey: `validation.${constraint.charAt(0).toLowerCase()}${constraint.slice(1)}` }],
      });
    }
  });

  it('changes only the fields a PATCH names, with Bearer and with Basic; an empty customerServiceMessage brings back Tango’s', async () => {
    const subject = await send(app, 'PATCH', '/raas/v2/emailTemplates/E000002', acme.bearer, { subject: 'New subject', accentColor: '#c62828' });
    expect(subject.statusCode, subject.body).toBe(200);
    expectTangoView(subject.json(), 'EmailTemplateViewVerbose');
    const before = (await get(app, '/raas/v2/emailTemplates/E000003', acme.basic)).json();
    expect(subject.json()).toMatchObject({ etid: 'E000002', name: 'Scoped', subject: 'New subject', accentColor: '#c62828', customerServiceMessage: 'Write to help@acme.example.com' });

    const cleared = await send(app, 'PATCH', '/raas/v2/emailTemplates/E000002', acme.basic, {
      customerServiceMessage: '',
      accessControl: [],
      defaults: [{ type: 'CUSTOMER', identifier: 'cust-1' }],
      headerImage: PNG,
    });
    expect(cleared.statusCode, cleared.body).toBe(200);
    expect(cleared.json()).toStrictEqual(
      view('E000002', { name: 'Scoped', subject: 'New subject', accentColor: '#c62828', defaults: [{ type: 'CUSTOMER', identifier: 'cust-1' }] }),
    );
    expect((await get(app, '/raas/v2/emailTemplates/E000002', acme.bearer)).json()).toStrictEqual(cleared.json());
    // An empty PATCH changes nothing; the other templates are untouched.
    const empty = await send(app, 'PATCH', '/raas/v2/emailTemplates/E000002', acme.basic, {});
    expect(empty.json()).toStrictEqual(cleared.json());
    expect((await get(app, '/raas/v2/emailTemplates/E000003', acme.basic)).json()).toStrictEqual(before);
  });

  it('refuses a name another live template has with 409, on create and on PATCH', async () => {
    const duplicate = await postJson(app, '/raas/v2/emailTemplates', acme.basic, CREATE);
    expectEnvelope(duplicate, env.clock, { status: 409, path: '/raas/v2/emailTemplates', message: 'An email template named Thank you already exists', i18nKey: 'error.duplicate' });
    const renamed = await send(app, 'PATCH', '/raas/v2/emailTemplates/E000002', acme.bearer, { name: 'Thank you' });
    expectEnvelope(renamed, env.clock, {
      status: 409,
      path: '/raas/v2/emailTemplates/E000002',
      message: 'An email template named Thank you already exists',
      i18nKey: 'error.duplicate',
    });
    // Another platform may use the same name.
    expect((await postJson(app, '/raas/v2/emailTemplates', globex.basic, CREATE)).json()).toStrictEqual(view('E000001'));
  });

  it('deletes with 204: the etid then names nothing and is never given again; the name is free again', async () => {
    const deleted = await send(app, 'DELETE', '/raas/v2/emailTemplates/E000004', acme.basic);
    expect(deleted.statusCode, deleted.body).toBe(204);
    expect(deleted.body).toBe('');
    for (const [method, authorization] of [
      ['GET', acme.bearer],
      ['PATCH', acme.basic],
      ['DELETE', acme.bearer],
    ] as const) {
      const response = method === 'GET' ? await get(app, '/raas/v2/emailTemplates/E000004', authorization) : await send(app, method, '/raas/v2/emailTemplates/E000004', authorization, method === 'PATCH' ? { subject: 'x' } : undefined);
      expectEnvelope(response, env.clock, { status: 404, path: '/raas/v2/emailTemplates/E000004', message: 'Email template E000004 was not found', i18nKey: 'error.notFound' });
    }
    const again = await postJson(app, '/raas/v2/emailTemplates', acme.bearer, { ...CREATE, name: 'Plain', headerImage: '' });
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json()).toMatchObject({ etid: 'E000005', name: 'Plain' });
    expect((await get(app, '/raas/v2/emailTemplates', acme.basic)).json().page).toStrictEqual({ elementsPerBlock: 10, number: 0, resultCount: 4, totalCount: 4 });
    expect((await send(app, 'DELETE', '/raas/v2/emailTemplates/E000005', acme.bearer)).statusCode).toBe(204);
  });

  it('shows every platform only its own templates: another platform’s is a 404 to GET, PATCH and DELETE', async () => {
    const listed = (await get(app, '/raas/v2/emailTemplates', globex.bearer)).json();
    expect(listed).toStrictEqual({ emailTemplates: [view('E000001')], page: { elementsPerBlock: 10, number: 0, resultCount: 1, totalCount: 1 } });
    for (const authorization of [globex.basic, globex.bearer]) {
      for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
        const response = method === 'GET' ? await get(app, '/raas/v2/emailTemplates/E000002', authorization) : await send(app, method, '/raas/v2/emailTemplates/E000002', authorization, method === 'PATCH' ? { subject: 'Mine now' } : undefined);
        expectEnvelope(response, env.clock, { status: 404, path: '/raas/v2/emailTemplates/E000002', message: 'Email template E000002 was not found', i18nKey: 'error.notFound' });
      }
    }
    expect((await get(app, '/raas/v2/emailTemplates/E000002', acme.basic)).json()).toMatchObject({ subject: 'New subject' });
  });

  it('refuses scopes naming what the platform does not have: another platform’s customer or account, or another platform', async () => {
    for (const [scope, status, message, i18nKey] of [
      [{ type: 'CUSTOMER', identifier: 'globex-cust' }, 404, 'Customer globex-cust was not found', 'error.notFound'],
      [{ type: 'ACCOUNT', identifier: 'globex-acct' }, 404, 'Account globex-acct was not found', 'error.notFound'],
      [{ type: 'PLATFORM', identifier: 'globex' }, 404, 'Platform globex was not found', 'error.notFound'],
      [{ type: 'ACCOUNT' }, 400, 'accessControl[0] is of type ACCOUNT: its identifier must be the accountIdentifier', 'error.badRequest'],
    ] as const) {
      const response = await postJson(app, '/raas/v2/emailTemplates', acme.basic, { ...CREATE, name: 'Scopes', accessControl: [scope] });
      expectEnvelope(response, env.clock, { status, path: '/raas/v2/emailTemplates', message, i18nKey });
    }
    const patched = await send(app, 'PATCH', '/raas/v2/emailTemplates/E000001', acme.bearer, { defaults: [{ type: 'CUSTOMER', identifier: 'nobody' }] });
    expectEnvelope(patched, env.clock, { status: 404, path: '/raas/v2/emailTemplates/E000001', message: 'Customer nobody was not found', i18nKey: 'error.notFound' });
    expect((await get(app, '/raas/v2/emailTemplates?elementsPerBlock=100', acme.basic)).json().page.totalCount).toBe(3);
  });

  it('refuses missing fields, text too long or with control characters, a bad color or image, and a bad scope type with 400 and Tango’s errors[]', async () => {
    const missing = await postJson(app, '/raas/v2/emailTemplates', acme.basic, { name: 'Only a name' });
    expect(missing.statusCode, missing.body).toBe(400);
    expect(missing.json().errors.map((e: { path: string }) => e.path).sort()).toStrictEqual(
      ['accentColor', 'closing', 'fromName', 'headerImage', 'headerImageAltText', 'messageBody', 'subject'],
    );
    expect(missing.json().errors[0]).toMatchObject({ message: 'must not be null', invalidValue: null, constraint: 'NotNull', i18nKey: 'validation.notNull' });

    const ONE_LINE = 'must be one line, without control characters';
    const MULTI_LINE = 'must not contain control characters other than tabs and line breaks';
    for (const [field, value, message, constraint] of [
      // A line break in the subject or a name would start a header line of the sender's choosing.
      ['subject', 'Hello\r\nBcc: victim@example.com', ONE_LINE, 'Pattern'],
      ['fromName', 'Acme\nRewards', ONE_LINE, 'Pattern'],
      ['name', 'tab\there', ONE_LINE, 'Pattern'],
      ['headerImageAltText', 'a\u0085b', ONE_LINE, 'Pattern'],
      ['messageBody', 'bell \u0007', MULTI_LINE, 'Pattern'],
      ['closing', 'nul \u0000', MULTI_LINE, 'Pattern'],
      ['customerServiceMessage', 'lone \ud800 surrogate', MULTI_LINE, 'Pattern'],
      ['name', 'n'.repeat(101), 'size must be at most 100', 'Size'],
      ['subject', 's'.repeat(201), 'size must be at most 200', 'Size'],
      ['messageBody', 'm'.repeat(5001), 'size must be at most 5000', 'Size'],
      ['closing', 'c'.repeat(1001), 'size must be at most 1000', 'Size'],
      ['name', '', 'must not be empty', 'Size'],
      ['accentColor', 'blue', 'must be a hex color: # and six hexadecimal digits, e.g. #1A73E8', 'Pattern'],
      ['headerImage', 'bm90IGFuIGltYWdl', 'must be a Base64-encoded PNG, JPEG or GIF image, or empty for none', 'Pattern'],
      ['headerImage', `${PNG.slice(0, -1)}`, 'must be a Base64-encoded PNG, JPEG or GIF image, or empty for none', 'Pattern'],
    ] as const) {
      const response = await postJson(app, '/raas/v2/emailTemplates', acme.bearer, { ...CREATE, name: 'Bad', [field]: value });
      expectEnvelope(response, env.clock, {
        status: 400,
        path: '/raas/v2/emailTemplates',
        message: INVALID,
        i18nKey: 'error.validation',
        errors: [{ path: field, message, invalidValue: value.length > 256 ? value.slice(0, 256) : value, constraint, i18nKey: `validation.${constraint.charAt(0).toLowerCase()}${constraint.slice(1)}` }],
      });
      // The same rule on PATCH.
      const patched = await send(app, 'PATCH', '/raas/v2/emailTemplates/E000001', acme.basic, { [field]: value });
      expect(patched.statusCode, `${field} ${patched.body}`).toBe(400);
      expect(patched.json().errors).toMatchObject([{ path: field, message, constraint }]);
    }
    // Tabs and line breaks are fine in the message parts, and text beyond the BMP anywhere.
    const fine = await send(app, 'PATCH', '/raas/v2/emailTemplates/E000001', acme.basic, { messageBody: 'Line 1\r\n\tLine 2 🎉', subject: 'Party 🎉' });
    expect(fine.statusCode, fine.body).toBe(200);
    expect(fine.json()).toMatchObject({ messageBody: 'Line 1\r\n\tLine 2 🎉', subject: 'Party 🎉' });

    const badType = await postJson(app, '/raas/v2/emailTemplates', acme.basic, { ...CREATE, name: 'Bad', defaults: [{ type: 'GROUP', identifier: 'x' }] });
    expectEnvelope(badType, env.clock, {
      status: 400,
      path: '/raas/v2/emailTemplates',
      message: INVALID,
      i18nKey: 'error.validation',
      errors: [{ path: 'defaults.0.type', message: 'must be one of PLATFORM, CUSTOMER, ACCOUNT', invalidValue: 'GROUP', constraint: 'Enum', i18nKey: 'validation.enum' }],
    });
    expect((await get(app, '/raas/v2/emailTemplates', acme.basic)).json().page.totalCount).toBe(3);
  });

  it('refuses a malformed etid with 400 naming the parameter; a well-formed unknown one is a 404', async () => {
    for (const etid of ['E1', 'e000001', 'E0000001', 'X000001']) {
      const path = `/raas/v2/emailTemplates/${etid}`;
      expectEnvelope(await get(app, path, acme.basic), env.clock, {
        status: 400,
        path,
        message: INVALID,
        i18nKey: 'error.validation',
        errors: [{ path: 'etid', message: 'must be an Email Template Identifier: E and six digits, e.g. E000001', invalidValue: etid, constraint: 'Pattern', i18nKey: 'validation.pattern' }],
      });
    }
    for (const etid of ['E000000', 'E999999']) {
      const path = `/raas/v2/emailTemplates/${etid}`;
      expectEnvelope(await get(app, path, acme.bearer), env.clock, { status: 404, path, message: `Email template ${etid} was not found`, i18nKey: 'error.notFound' });
    }
  });

  it('answers a wrong method with 405 and Allow, and no credentials with 401', async () => {
    const put = await send(app, 'PUT', '/raas/v2/emailTemplates/E000001', acme.basic);
    expectEnvelope(put, env.clock, {
      status: 405,
      path: '/raas/v2/emailTemplates/E000001',
      message: 'The method PUT is not allowed here: use GET or PATCH or DELETE',
      i18nKey: 'error.methodNotAllowed',
    });
    expect(put.headers.allow).toBe('GET, PATCH, DELETE, HEAD');
    const del = await send(app, 'DELETE', '/raas/v2/emailTemplates', acme.basic);
    expect(del.statusCode).toBe(405);
    expect(del.headers.allow).toBe('GET, POST, HEAD');
    const anonymous = await get(app, '/raas/v2/emailTemplates/E000001');
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().i18nKey).toBe('auth.credentialsRequired');
  });

  it('gives concurrent creations on two instances distinct etids, one after the other', async () => {
    const { app: other } = await env.app();
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, i) => postJson(i % 2 === 0 ? app : other, '/raas/v2/emailTemplates', i % 4 < 2 ? globex.bearer : globex.basic, { ...CREATE, name: `Batch ${i}` })),
    );
    expect(responses.map((r) => r.statusCode)).toStrictEqual(Array(8).fill(201));
    expect(responses.map((r) => r.json().etid).sort()).toStrictEqual(['E000002', 'E000003', 'E000004', 'E000005', 'E000006', 'E000007', 'E000008', 'E000009']);
  });
});
