import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { acceptInvitation, invitationLink, inviteUser, listInvitations, withdrawInvitation } from '../accounts/invitations.js';
import { previewInvitation } from '../accounts/invitation-preview.js';
import { listUsers, removeUser } from '../accounts/users.js';
import { actorOf, originOf, sessionOf } from './access.js';
import type { PortalDeps } from './portal-deps.js';
import type { SessionCookie } from './session-cookie.js';
import { ID, InvitationPreview, InviteBody, LinkBody, LinkPasswordBody, NewInvitation, NO_CONTENT, Session, UserList } from './contract/index.js';
import { invitationView, sessionView, userView } from './views.js';

/** The platform's team: its users and pending invitations; joining by an invitation's link. */
export async function userRoutes(app: FastifyInstance, { deps, cookie }: { deps: PortalDeps; cookie: SessionCookie }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  // Both of its routes by id are deletions: a 204 without a body.
  const deletion = { params: Type.Object({ id: ID }), response: { 204: NO_CONTENT } };

  api.get('/users', { config: { access: {} }, schema: { response: { 200: UserList } } }, async (request) => {
    const { platform } = sessionOf(request);
    const [users, invitations] = await Promise.all([listUsers(deps, platform.id), listInvitations(deps, platform.id)]);
    return { users: users.map(userView), invitations: invitations.map(invitationView) };
  });

  api.post(
    '/invitations',
    {
      config: { access: { admin: { what: 'invite users' } } },
      schema: { body: InviteBody, response: { 201: NewInvitation } },
    },
    async (request, reply) => {
      const { invitation, token } = await inviteUser(deps, sessionOf(request).platform.id, request.body, actorOf(request));
      // The link is shown once, here; the store keeps only its token's digest.
      return reply.code(201).send({ invitation: invitationView(invitation), link: invitationLink(deps.config.publicUrl, token) });
    },
  );

  // What a link joins, for its page: the token in the body (never the URL), a 404 for any link that cannot join.
  api.post(
    '/invitations/preview',
    { config: { access: { public: true } }, schema: { body: LinkBody, response: { 200: InvitationPreview } } },
    async (request) => previewInvitation(deps, request.body.token),
  );

  api.post(
    '/invitations/accept',
    {
      config: { access: { public: true } },
      schema: { body: LinkPasswordBody, response: { 201: Session } },
    },
    async (request, reply) => {
      const started = await acceptInvitation(deps, request.body, originOf(request), cookie.read(request));
      cookie.set(reply, started.id);
      return reply.code(201).send(sessionView(started.session));
    },
  );

  api.delete('/invitations/:id', { config: { access: { admin: { what: 'withdraw invitations' } } }, schema: deletion }, async (request, reply) => {
    await withdrawInvitation(deps, sessionOf(request).platform.id, request.params.id);
    return reply.code(204).send(null);
  });

  api.delete('/users/:id', { config: { access: { admin: { what: 'remove users' } } }, schema: deletion }, async (request, reply) => {
    await removeUser(deps, sessionOf(request).platform.id, request.params.id, actorOf(request));
    return reply.code(204).send(null);
  });
}
