import { createServer, type Server, type Socket } from 'node:net';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SIGN_UP_LINK_TTL_MS } from '../../src/accounts/verified-sign-up.js';
import type { Services } from '../../src/services.js';
import { startDeployment } from '../support/bootstrap.js';
import { freePort } from '../support/listen.js';
import { newestMailTo, signUpToken } from '../support/mail.js';
import { PASSWORD, PortalBrowser } from '../support/portal.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';

/** Open sign-up's one answer for a taken email or platform name (TESSERA_PORTAL_SIGNUP=open). */
const REFUSED = {
  error: 'conflict',
  message: 'This email or platform name cannot be used: choose another platform name, or sign in if you already have an account',
};
const LINK_SENT = { status: 'link_sent', expiresIn: 3600, outbox: true };
const INVALID_LINK = { error: 'not_found', message: 'This sign-up link is not valid: it was used or has expired. Sign up again to get a new one' };

/** Step 1 as a browser sends it, from `remoteAddress`. */
function requestSignUp(app: FastifyInstance, body: Record<string, unknown>, remoteAddress = '127.0.0.1'): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/portal/api/signup', remoteAddress, headers: { 'content-type': 'application/json', 'user-agent': 'portal-test' }, payload: body });
}

/** Status, headers but Date, and body: what must not differ between a taken and a free address. */
function answer(response: LightMyRequestResponse): { status: number; headers: Record<string, unknown>; body: string } {
  const { date: _date, ...headers } = response.headers;
  return { status: response.statusCode, headers, body: response.body };
}

describe.each(STORE_KINDS)('verified sign-up on %s', (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;

  beforeAll(async () => ({ env, app, services } = await startDeployment({ store })));
  afterAll(async () => {
    vi.restoreAllMocks();
    await env?.close();
  });

  it('answers a taken and a free address byte for byte alike (202, no password hashed), and mails each what it needs', async () => {
    expect((await new PortalBrowser(app).signUp('taken@example.com', 'first')).statusCode).toBe(201);
    const hashes = vi.spyOn(services.passwords, 'hash');
    const inserts = vi.spyOn(services.signUps, 'insert');
    const taken = await requestSignUp(app, { email: 'Taken@Example.com', platformName: 'fresh-name' });
    const free = await requestSignUp(app, { email: 'free@example.com', platformName: 'other-name' });
    expect(answer(taken)).toStrictEqual(answer(free));
    expect(answer(free)).toStrictEqual({
      status: 202,
      headers: expect.objectContaining({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }),
      body: JSON.stringify(LINK_SENT),
    });
    expect(free.headers['set-cookie']).toBeUndefined();
    // The same work for both: one row each (the taken address's token goes to nobody), no hash.
    expect(inserts).toHaveBeenCalledTimes(2);
    expect(hashes).not.toHaveBeenCalled();
    vi.restoreAllMocks();

    const toTaken = await newestMailTo(app, 'taken@example.com');
    expect(toTaken).toMatchObject({
      to: 'taken@example.com',
      subject: 'Someone tried to create a Tessera platform with your address',
      text: [
        `Someone tried to create a Tessera platform with your address; you already have an account: sign in at ${services.config.publicUrl}/#/signin`,
        '',
        'If it was not you, ignore this message: nothing was created, and your account is unchanged.',
      ].join('\n'),
    });
    expect(signUpToken(toTaken)).toBeUndefined();
    const toFree = await newestMailTo(app, 'free@example.com');
    const token = signUpToken(toFree)!;
    expect(token).toMatch(/^tsu_[0-9A-Za-z]{43}$/);
    expect(toFree).toMatchObject({
      to: 'free@example.com',
      subject: 'Finish creating other-name',
      text: [
        'Someone, we hope you, asked to create the platform other-name on Tessera with this email address.',
        '',
        'To finish, open this link and choose your password. It works once, within one hour:',
        '',
        `${services.config.publicUrl}/#/signup/${token}`,
        '',
        'If it was not you, ignore this message: nothing is created without the link.',
      ].join('\n'),
    });
    // Nothing is created before the link is followed, and the store keeps only the token's digest.
    expect(await services.platforms.findByName('other-name')).toBeUndefined();
    expect(await services.platforms.findByName('fresh-name')).toBeUndefined();
    expect(JSON.stringify(await services.database.db.selectFrom('sign_ups').selectAll().execute())).not.toContain(token);
  });

  it('opens the link once: it names what it creates, creates the platform and its admin, and signs in', async () => {
    expect((await requestSignUp(app, { email: 'Linda@Example.com', platformName: 'lindas' })).statusCode).toBe(202);
    const token = signUpToken(await newestMailTo(app, 'linda@example.com'))!;
    const linda = new PortalBrowser(app);
    const preview = await linda.post('/signup/preview', { token });
    expect({ status: preview.statusCode, body: preview.json() }).toStrictEqual({ status: 200, body: { platform: 'lindas', email: 'linda@example.com' } });

    const finished = await linda.post('/signup/finish', { token, password: PASSWORD });
    expect(finished.statusCode).toBe(201);
    expect(finished.json()).toStrictEqual({
      user: { id: expect.stringMatching(/^usr_/), email: 'linda@example.com', role: 'admin' },
      platform: { name: 'lindas' },
      csrfToken: expect.any(String),
      authenticatedAt: '2026-11-28T12:00:00.000Z',
      expiresAt: '2026-11-28T12:30:00.000Z',
    });
    expect((await linda.get('/session')).json()).toMatchObject({ user: { email: 'linda@example.com' }, platform: { name: 'lindas' } });
    const audit = await services.auditLog.chain((await services.platforms.findByName('lindas'))!.id);
    expect(audit.map((e) => ({ actor: e.actor, action: e.action, address: e.source_address, agent: e.user_agent }))).toStrictEqual([
      { actor: 'linda@example.com', action: 'sign_up', address: '127.0.0.1', agent: 'portal-test' },
    ]);
    // The password chosen here is the account's.
    await linda.post('/signout');
    expect((await linda.signIn('linda@example.com')).statusCode).toBe(200);

    // Used: refused as a used invitation is, before any password is hashed.
    const hashes = vi.spyOn(services.passwords, 'hash');
    for (const response of [await new PortalBrowser(app).post('/signup/finish', { token, password: PASSWORD }), await new PortalBrowser(app).post('/signup/preview', { token })]) {
      expect({ status: response.statusCode, body: response.json(), cookie: response.headers['set-cookie'] }).toStrictEqual({ status: 404, body: INVALID_LINK, cookie: undefined });
    }
    for (const unknown of ['tsu_unknownTokenOfTheRightShape000000000000', 'tsi_anInvitationTokenIsNoSignUpToken0000000', 'not-even-a-token']) {
      const response = await new PortalBrowser(app).post('/signup/finish', { token: unknown, password: PASSWORD });
      expect({ status: response.statusCode, body: response.json() }).toStrictEqual({ status: 404, body: INVALID_LINK });
    }
    expect(hashes).not.toHaveBeenCalled();
    vi.restoreAllMocks();
  });

  it('refuses a link after its hour (frozen clock), and takes it until then', async () => {
    await requestSignUp(app, { email: 'late@example.com', platformName: 'late' });
    const late = signUpToken(await newestMailTo(app, 'late@example.com'))!;
    env.clock.advance(SIGN_UP_LINK_TTL_MS - 1);
    await requestSignUp(app, { email: 'in-time@example.com', platformName: 'in-time' });
    const inTime = signUpToken(await newestMailTo(app, 'in-time@example.com'))!;
    env.clock.advance(1);
    const refused = await new PortalBrowser(app).post('/signup/finish', { token: late, password: PASSWORD });
    expect({ status: refused.statusCode, body: refused.json() }).toStrictEqual({ status: 404, body: INVALID_LINK });
    expect(await services.platforms.findByName('late')).toBeUndefined();
    // The last millisecond of the second link's hour.
    env.clock.advance(SIGN_UP_LINK_TTL_MS - 2);
    expect((await new PortalBrowser(app).post('/signup/finish', { token: inTime, password: PASSWORD })).statusCode).toBe(201);
  });

  it('names an address or a platform name taken since the link was sent (409): the holder proved they read the mail', async () => {
    await requestSignUp(app, { email: 'twice@example.com', platformName: 'twice-one' });
    const first = signUpToken(await newestMailTo(app, 'twice@example.com'))!;
    await requestSignUp(app, { email: 'twice@example.com', platformName: 'twice-two' });
    const second = signUpToken(await newestMailTo(app, 'twice@example.com'))!;
    await requestSignUp(app, { email: 'racer@example.com', platformName: 'twice-one' });
    const racer = signUpToken(await newestMailTo(app, 'racer@example.com'))!;
    expect((await new PortalBrowser(app).post('/signup/finish', { token: first, password: PASSWORD })).statusCode).toBe(201);

    const emailTaken = await new PortalBrowser(app).post('/signup/finish', { token: second, password: PASSWORD });
    expect({ status: emailTaken.statusCode, body: emailTaken.json() }).toStrictEqual({
      status: 409,
      body: { error: 'conflict', message: 'twice@example.com has had an account since this link was sent: sign in instead' },
    });
    const nameTaken = await new PortalBrowser(app).post('/signup/finish', { token: racer, password: PASSWORD });
    expect({ status: nameTaken.statusCode, body: nameTaken.json() }).toStrictEqual({
      status: 409,
      body: { error: 'conflict', message: 'The platform name twice-one was taken since this link was sent: sign up again with another name' },
    });
    expect(await services.platforms.findByName('twice-two')).toBeUndefined();
    expect(await services.users.findByEmail('racer@example.com')).toBeUndefined();
  });

  it('answers a taken platform name with 409 naming the name, whatever the address, and mails nothing', async () => {
    await new PortalBrowser(app).signUp('owner@example.com', 'owned');
    for (const email of ['owner@example.com', 'newcomer@example.com']) {
      const response = await requestSignUp(app, { email, platformName: 'owned' });
      expect({ status: response.statusCode, body: response.json() }).toStrictEqual({
        status: 409,
        body: { error: 'conflict', message: 'The platform name owned is taken: choose another' },
      });
    }
    expect(await newestMailTo(app, 'newcomer@example.com')).toBeUndefined();
  });

  it('ignores a password sent at the first step (it is chosen on the link\'s page), and checks the fields in plain words', async () => {
    const withPassword = await requestSignUp(app, { email: 'eager@example.com', password: 'short', platformName: 'eager' });
    expect({ status: withPassword.statusCode, body: withPassword.json() }).toStrictEqual({ status: 202, body: LINK_SENT });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ email: 'not-an-email', platformName: 'fine-name' }, 'The email is not an address: use name@example.com'],
      [{ email: 'x@example.com', platformName: 'no spaces' }, 'Invalid platform name "no spaces": use 3 to 64 characters from A-Z, a-z, 0-9, ".", "_" and "-"'],
      [{ email: 'x@example.com' }, 'The platform name is required'],
    ];
    for (const [body, message] of cases) {
      const response = await requestSignUp(app, body);
      expect({ status: response.statusCode, body: response.json() }).toStrictEqual({ status: 400, body: { error: 'invalid_input', message } });
    }
    await requestSignUp(app, { email: 'shorty@example.com', platformName: 'shorty' });
    const token = signUpToken(await newestMailTo(app, 'shorty@example.com'))!;
    const short = await new PortalBrowser(app).post('/signup/finish', { token, password: 'too short' });
    expect({ status: short.statusCode, body: short.json() }).toStrictEqual({ status: 400, body: { error: 'invalid_input', message: 'The password must have at least 12 characters' } });
  });

  it('sends one address at most 3 links an hour, from any source address, with one answer for a known and an unknown address', async () => {
    // An account made where sign-up is open (services of their own: this app's counts start at 0).
    expect((await new PortalBrowser((await env.app({ portalSignup: 'open' })).app).signUp('flooded@example.com', 'flooded')).statusCode).toBe(201);
    for (const email of ['flooded@example.com', 'flooded-new@example.com']) {
      for (let i = 1; i <= 3; i++) expect((await requestSignUp(app, { email, platformName: `flood-${i}` }, `192.0.2.${i}`)).statusCode).toBe(202);
    }
    const known = await requestSignUp(app, { email: 'Flooded@Example.com', platformName: 'flood-4' }, '192.0.2.4');
    const unknown = await requestSignUp(app, { email: 'flooded-new@example.com', platformName: 'flood-4' }, '192.0.2.4');
    expect(answer(known)).toStrictEqual(answer(unknown));
    expect({ status: known.statusCode, retryAfter: known.headers['retry-after'], body: known.json() }).toStrictEqual({
      status: 429,
      retryAfter: '3600',
      body: { error: 'too_many_failures', message: 'Too many sign-up links were sent to this email in the last hour: use the newest one, or try again later' },
    });
    // Another address is not held back.
    expect((await requestSignUp(app, { email: 'neighbour@example.com', platformName: 'flood-4' }, '192.0.2.4')).statusCode).toBe(202);
  });

  it('signs up at once when TESSERA_PORTAL_SIGNUP is open, and answers a taken email as a taken platform name', async () => {
    const open = (await env.app({ portalSignup: 'open' })).app;
    const signedUp = await new PortalBrowser(open).signUp('open@example.com', 'open-first');
    expect(signedUp.statusCode).toBe(201);
    expect(signedUp.json()).toMatchObject({ user: { email: 'open@example.com', role: 'admin' }, platform: { name: 'open-first' } });
    const takenEmail = await new PortalBrowser(open).signUp('Open@Example.com', 'open-fresh');
    const takenName = await new PortalBrowser(open).signUp('open-fresh@example.com', 'open-first');
    for (const response of [takenEmail, takenName]) {
      expect({ status: response.statusCode, body: response.body, cookie: response.headers['set-cookie'] }).toStrictEqual({ status: 409, body: JSON.stringify(REFUSED), cookie: undefined });
    }
    expect(await services.platforms.findByName('open-fresh')).toBeUndefined();
    const noPassword = await new PortalBrowser(open).post('/signup', { email: 'open-fresh@example.com', platformName: 'open-fresh' });
    expect({ status: noPassword.statusCode, body: noPassword.json() }).toStrictEqual({ status: 400, body: { error: 'invalid_input', message: 'The password is required' } });
  });
});

describe('verified sign-up with an SMTP server that fails or stalls', () => {
  let env: TestEnvironment;
  let services: Services;
  let stalled: Server;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    ({ env, services } = await startDeployment());
    // An SMTP server that accepts connections and never greets.
    stalled = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => stalled?.close(resolve));
    await env?.close();
  });

  it('answers as with the outbox (but `outbox: false`) whether the SMTP server refuses the connection or never answers', async () => {
    const refusing = (await env.app({ smtpUrl: `smtp://user:secret@127.0.0.1:${await freePort()}` })).app;
    const stalling = (await env.app({ smtpUrl: `smtp://127.0.0.1:${(stalled.address() as { port: number }).port}` })).app;
    const withOutbox = await requestSignUp((await env.app()).app, { email: 'outbox@example.com', platformName: 'outbox' });
    const withoutLength = (response: LightMyRequestResponse) => {
      const { 'content-length': _length, ...headers } = answer(response).headers;
      return { ...answer(response), headers };
    };
    for (const [app, email] of [[refusing, 'refused@example.com'], [stalling, 'stalled@example.com']] as const) {
      const response = await requestSignUp(app, { email, platformName: email.split('@')[0]! });
      expect(withoutLength(response)).toStrictEqual({ ...withoutLength(withOutbox), body: JSON.stringify({ ...LINK_SENT, outbox: false }) });
    }
    // The stalled server holds its message: the answer did not wait for it. The sign-up waits for its link all the same.
    await vi.waitFor(() => expect(sockets).toHaveLength(1));
    expect(await services.signUps.findUsable('no such digest', 0).catch((error: Error) => error.message)).toBe(INVALID_LINK.message);
  });
});
