import type { Kysely, Selectable } from 'kysely';
import { TesseraError } from '../errors.js';
import { appendAuditEntry, type PendingAuditEntry } from './audit-log.js';
import { lockPlatform } from './platforms.js';
import type { InvitationsTable, Schema } from './schema.js';
import { insertOrConflict } from './unique-violation.js';
import { insertUser, type UserRow } from './users.js';

export type InvitationRow = Selectable<InvitationsTable>;

export class InvitationStore {
  constructor(private readonly db: Kysely<Schema>) {}

  /** Inserts an invitation and its audit entry; a pending one for the same email on the platform is a `conflict`. */
  async insert(invitation: InvitationRow, audit: PendingAuditEntry): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      if (!(await lockPlatform(trx, invitation.platform_id))) throw new TesseraError('not_found', `Platform ${invitation.platform_id} does not exist`);
      const user = await trx.selectFrom('users').select('id').where('email', '=', invitation.email).executeTakeFirst();
      if (user) throw new TesseraError('conflict', `An account with the email ${invitation.email} already exists`);
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

  /** Every platform's expired invitations, which can no longer be accepted. */
  async purgeExpired(now: number): Promise<void> {
    await this.db.deleteFrom('invitations').where('expires_at', '<=', now).execute();
  }

  /**
   * Accepts the invitation whose token has this digest: it is deleted (used once), the user it makes
   * inserted and the join recorded, in one transaction. An unknown, used or expired token is
   * `not_found`; an email that found an account meanwhile, `conflict`.
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
