import { type Static, Type } from 'typebox';
import { EMAIL, INSTANT, ROLE } from './fields.js';

/** A user of the platform: never the password hash. */
export const User = Type.Object({ id: Type.String(), email: Type.String(), role: ROLE, createdAt: INSTANT });
export type User = Static<typeof User>;

/** A pending invitation: never its token. */
export const Invitation = Type.Object({ id: Type.String(), email: Type.String(), role: ROLE, createdAt: INSTANT, expiresAt: INSTANT });
export type Invitation = Static<typeof Invitation>;

export const UserList = Type.Object({ users: Type.Array(User), invitations: Type.Array(Invitation) });
export type UserList = Static<typeof UserList>;

export const InviteBody = Type.Object({ email: EMAIL, role: ROLE }, { additionalProperties: false });
export type InviteBody = Static<typeof InviteBody>;

/** The invitation and its one-time link, shown once: the store keeps only its token's digest. */
export const NewInvitation = Type.Object({ invitation: Invitation, link: Type.String() });
export type NewInvitation = Static<typeof NewInvitation>;

/** What an invitation link joins, shown on its page before the person chooses a password. */
export const InvitationPreview = Type.Object({ platform: Type.String(), email: Type.String(), role: ROLE });
export type InvitationPreview = Static<typeof InvitationPreview>;
