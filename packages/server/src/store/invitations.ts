import type { Kysely, Selectable } from 'kysely';
import { TesseraError } from '../errors/tessera-error.js';
import { appendAuditEntry, type PendingAuditEntry } from './audit-log.js';
import { lockPlatform } from './platforms.js';
import type { InvitationsTable, Schema } from './schema.js';
import { insertOrConflict } from './unique-violation.js';
import { insertUser, type UserRow } from './users.js';

export type InvitationRow = Selectable<InvitationsTable>;

export class InvitationStore {
  constructor(private readonly db: Kysely<Schema>) {}

  /**
   * Inserts an invitation and its audit entry; a user of the platform with that email, or a pending
   * invitation for it, is a `conflict`: the admin sees both in the platform's list anyway. An account on
   * another platform is not looked for: the answer must not tell (issue 19, point 4), and {@link accept}
   * refuses such a link as it refuses a used one.
   */
  async insert(invitation: InvitationRow, audit: PendingAuditEntry): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      if (!(await lockPlatform(trx, invitation.platform_id))) throw new TesseraError('not_found', `Platform ${invitation.platform_id} does not exist`);
      const member = await trx.selectFrom('users').select('id').where('email', '=', invitation.email).where('platform_id', '=', invitation.platform_id).executeTakeFirst();
      if (member) throw new TesseraError('conflict', `${invitation.email} is already a user of this platform`);
      await insertOrConflict(
        () => trx.insertInto('invitations').values(invitation).execute(),
        () => new TesseraError('conflict', `${invitation.email} is already invited: withdraw that invitation to send a new link`),
      );
      await appendAuditEntry(trx, { ...audit, platform_id: invitation.platform_id });
    });
  }

  /** A platform's invitations that can still be accepted, oldest first. */
  async listPending(platformId: string, now: number): Promise<InvitationRow[]> {
    return this.db
      .selectFrom('invitations')
      .selectAll()
      .where('platform_id', '=', platformId)
      .where('expires_at', '>', now)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  /** Withdraws an invitation of the platform; another platform's is `not_found`, like a missing one. */
  async deleteFromPlatform(platformId: string, id: string): Promise<void> {
    const result = await this.db.deleteFrom('invitations').where('id', '=', id).where('platform_id', '=', platformId).executeTakeFirst();
    if (result.numDeletedRows === 0n) throw new TesseraError('not_found', `Invitation ${id} does not exist`);
  }

  /**
   * The invitation whose token has this digest, with its platform's name, while it can be accepted: the
   * invitation page says what the link joins. An unknown, used, withdrawn or expired token is `not_found`,
   * the same refusal as {@link accept}'s.
   */
  async findAcceptable(tokenDigest: string, now: number): Promise<InvitationRow & { platform_name: string }> {
    const invitation = await this.db
      .selectFrom('invitations')
      .innerJoin('platforms', 'platforms.id', 'invitations.platform_id')
      .selectAll('invitations')
      .select('platforms.name as platform_name')
      .where('invitations.token_digest', '=', tokenDigest)
      .executeTakeFirst();
    if (!invitation || invitation.expires_at <= now) throw invalidInvitation();
    return invitation;
  }

  /** Every platform's expired invitations, which can no longer be accepted. */
  async purgeExpired(now: number): Promise<void> {
    await this.db.deleteFrom('invitations').where('expires_at', '<=', now).execute();
  }

  /**
   * Accepts the invitation whose token has this digest: it is deleted (used once), the user it makes
   * inserted and the join recorded, in one transaction. An unknown, used or expired token is
   * `not_found`, and so is one whose email has an account (on any platform): the same answer, and the
   * invitation stays pending as if never opened, so neither the link's holder nor the inviting admin
   * learns from it that the address is taken elsewhere.
   */
  async accept(
    tokenDigest: string,
    now: number,
    makeUser: (invitation: InvitationRow) => UserRow,
    audit: (user: UserRow) => PendingAuditEntry,
  ): Promise<UserRow> {
    return this.db.transaction().execute(async (trx) => {
      const invitation = await trx.selectFrom('invitations').selectAll().where('token_digest', '=', tokenDigest).executeTakeFirst();
      if (!invitation || invitation.expires_at <= now) throw invalidInvitation();
      await lockPlatform(trx, invitation.platform_id);
      // The refusal rolls the transaction back: the invitation stays as it was. An account made at this
      // moment on another platform is caught by the unique index instead (accounts/invitations.ts answers alike).
      const taken = await trx.selectFrom('users').select('id').where('email', '=', invitation.email).executeTakeFirst();
      if (taken) throw invalidInvitation();
      // Deleted under the lock: of two acceptances at once, one deletes it and the other finds nothing.
      const deleted = await trx.deleteFrom('invitations').where('id', '=', invitation.id).executeTakeFirst();
      if (deleted.numDeletedRows === 0n) throw invalidInvitation();
      const user = makeUser(invitation);
      await insertUser(trx, user);
      await appendAuditEntry(trx, { ...audit(user), platform_id: invitation.platform_id });
      return user;
    });
  }
}

function invalidInvitation(): TesseraError {
  return new TesseraError('not_found', 'This invitation link is not valid: it was used, withdrawn or has expired');
}
