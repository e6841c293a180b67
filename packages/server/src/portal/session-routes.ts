import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { reauthenticate, signIn, signOut, signUp } from '../accounts/users.js';
import { originOf, sessionOf } from './access.js';
import type { PortalDeps } from './portal-deps.js';
import { PortalError } from './portal-error.js';
import type { SessionCookie } from './session-cookie.js';
import { EMAIL, NEW_PASSWORD, PASSWORD, sessionView } from './views.js';

/** Sign-up, sign-in, the current session, re-authentication and sign-out. */
export async function sessionRoutes(app: FastifyInstance, { deps, cookie }: { deps: PortalDeps; cookie: SessionCookie }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get('/session', { config: { access: {} } }, async (request) => sessionView(sessionOf(request)));

  api.post(
    '/signup',
    {
      config: { access: { public: true } },
      schema: {
        // The platform name's rules are the domain's (credentials/platforms.ts), which says them in full.
        body: Type.Object({ email: EMAIL, password: NEW_PASSWORD, platformName: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      if (deps.config.portalSignup === 'closed') {
        throw new PortalError(403, 'signup_closed', 'Sign-up is closed on this server: ask an admin of your platform for an invitation');
      }
      const started = await signUp(deps, request.body, originOf(request), cookie.read(request));
      cookie.set(reply, started.id);
      return reply.code(201).send(sessionView(started.session));
    },
  );

  api.post(
    '/signin',
    { config: { access: { public: true } }, schema: { body: Type.Object({ email: EMAIL, password: PASSWORD }, { additionalProperties: false }) } },
    async (request, reply) => {
      const started = await signIn(deps, request.body, originOf(request), cookie.read(request));
      cookie.set(reply, started.id);
      return sessionView(started.session);
    },
  );

  api.post(
    '/session/reauth',
    { config: { access: {} }, schema: { body: Type.Object({ password: PASSWORD }, { additionalProperties: false }) } },
    async (request) => sessionView(await reauthenticate(deps, sessionOf(request), request.body.password, originOf(request))),
  );

  api.post('/signout', { config: { access: {} } }, async (request, reply) => {
    await signOut(deps, sessionOf(request), originOf(request));
    cookie.clear(reply);
    return reply.code(204).send();
  });
}
