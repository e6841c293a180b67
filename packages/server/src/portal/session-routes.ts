import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { reauthenticate, signIn, signOut, signUp } from '../accounts/users.js';
import { finishSignUp, previewSignUp, requestSignUp } from '../accounts/verified-sign-up.js';
import { TesseraError } from '../errors/tessera-error.js';
import { originOf, sessionOf } from './access.js';
import type { PortalDeps } from './portal-deps.js';
import { PortalError } from './portal-error.js';
import type { SessionCookie } from './session-cookie.js';
import { LinkBody, LinkPasswordBody, NO_CONTENT, ReauthBody, Session, SignInBody, SignUpBody, SignUpModeView, SignUpPreview, SignUpRequested } from './contract/index.js';
import { sessionView, signUpRequestedView } from './views.js';

const SIGN_UP_CLOSED = 'Sign-up is closed on this server: ask an admin of your platform for an invitation';

/**
 * Sign-up, sign-in, the current session, re-authentication and sign-out. Sign-up follows
 * TESSERA_PORTAL_SIGNUP: `verified` (the default) mails a link and answers 202 alike for every address
 * (accounts/verified-sign-up.ts), `open` signs up at once (201), `closed` refuses (403).
 */
export async function sessionRoutes(app: FastifyInstance, { deps, cookie }: { deps: PortalDeps; cookie: SessionCookie }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const refuseWhenClosed = () => {
    if (deps.config.portalSignup === 'closed') throw new PortalError(403, 'signup_closed', SIGN_UP_CLOSED);
  };

  api.get('/session', { config: { access: {} }, schema: { response: { 200: Session } } }, async (request) => sessionView(sessionOf(request)));

  // Which sign-up this server has, so the sign-up page asks for what it needs (a password only when open).
  api.get('/signup', { config: { access: { public: true } }, schema: { response: { 200: SignUpModeView } } }, async () => ({ mode: deps.config.portalSignup }));

  api.post(
    '/signup',
    {
      config: { access: { public: true } },
      // The password is ignored when verified: it is chosen on the mailed link's page (contract/session.ts).
      schema: { body: SignUpBody, response: { 201: Session, 202: SignUpRequested } },
    },
    async (request, reply) => {
      refuseWhenClosed();
      const { email, password, platformName } = request.body;
      if (deps.config.portalSignup === 'verified') {
        return reply.code(202).send(signUpRequestedView(await requestSignUp(deps, { email, platformName }, originOf(request), deps.config.publicUrl)));
      }
      if (password === undefined) throw new TesseraError('invalid_input', 'The password is required');
      const started = await signUp(deps, { email, password, platformName }, originOf(request), cookie.read(request));
      cookie.set(reply, started.id);
      return reply.code(201).send(sessionView(started.session));
    },
  );

  // What a sign-up link creates, for its page: the token in the body (never a URL), a 404 for any link that cannot.
  api.post(
    '/signup/preview',
    { config: { access: { public: true } }, schema: { body: LinkBody, response: { 200: SignUpPreview } } },
    async (request) => {
      refuseWhenClosed();
      return previewSignUp(deps, request.body.token);
    },
  );

  api.post(
    '/signup/finish',
    { config: { access: { public: true } }, schema: { body: LinkPasswordBody, response: { 201: Session } } },
    async (request, reply) => {
      refuseWhenClosed();
      const started = await finishSignUp(deps, request.body, originOf(request), cookie.read(request));
      cookie.set(reply, started.id);
      return reply.code(201).send(sessionView(started.session));
    },
  );

  api.post(
    '/signin',
    { config: { access: { public: true } }, schema: { body: SignInBody, response: { 200: Session } } },
    async (request, reply) => {
      const started = await signIn(deps, request.body, originOf(request), cookie.read(request));
      cookie.set(reply, started.id);
      return sessionView(started.session);
    },
  );

  api.post(
    '/session/reauth',
    { config: { access: {} }, schema: { body: ReauthBody, response: { 200: Session } } },
    async (request) => sessionView(await reauthenticate(deps, sessionOf(request), request.body.password, originOf(request))),
  );

  api.post('/signout', { config: { access: {} }, schema: { response: { 204: NO_CONTENT } } }, async (request, reply) => {
    await signOut(deps, sessionOf(request), originOf(request));
    cookie.clear(reply);
    return reply.code(204).send(null);
  });
}
