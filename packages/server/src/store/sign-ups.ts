import type { Kysely, Selectable } from 'kysely';
import { TesseraError } from '../errors/tessera-error.js';
import type { PendingAuditEntry } from './audit-log.js';
import type { Platform, PlatformStore } from './platforms.js';
import type { Schema, SignUpsTable } from './schema.js';
import { insertPlatformAndAdmin, type UserRow } from './users.js';

export type SignUpRow = Selectable<SignUpsTable>;

/** The answer for a link that cannot create anything: unknown, used or expired alike (as invitations answer). */
export const INVALID_SIGN_UP_LINK = 'This sign-up link is not valid: it was used or has expired. Sign up again to get a new one';

/** Sign-ups waiting for their mailed link (accounts/verified-sign-up.ts). */
export class SignUpStore {
  constructor(private readonly db: Kysely<Schema>) {}

  /** Records a waiting sign-up, and drops every expired one (they can no longer be finished). */
  async insert(row: SignUpRow): Promise<void> {
    await this.db.deleteFrom('sign_ups').where('expires_at', '<=', row.created_at).execute();
    await this.db.insertInto('sign_ups').values(row).execute();
  }

  /** The sign-up whose link has this digest while it can be finished; `not_found` otherwise. */
  async findUsable(tokenDigest: string, now: number): Promise<SignUpRow> {
    const row = await this.db.selectFrom('sign_ups').selectAll().where('token_digest', '=', tokenDigest).executeTakeFirst();
    if (!row || row.expires_at <= now) throw invalidLink();
    return row;
  }

  /**
   * Finishes the sign-up whose link has this digest: the link is deleted (used once) and the platform, its
   * admin and the audit entry inserted, in one transaction. Of two finishes at once, one deletes the row and
   * the other finds nothing (`not_found`). A name or email taken meanwhile is the store's `conflict`, and the
   * transaction rolls back: the link stays as it was until its hour is over.
   */
  async finish(
    tokenDigest: string,
    now: number,
    makePlatform: (platforms: PlatformStore, signUp: SignUpRow) => Promise<Platform>,
    user: (signUp: SignUpRow) => Omit<UserRow, 'platform_id'>,
    audit: (user: Omit<UserRow, 'platform_id'>) => PendingAuditEntry,
  ): Promise<{ signUp: SignUpRow; user: UserRow }> {
    return this.db.transaction().execute(async (trx) => {
      const signUp = await trx.deleteFrom('sign_ups').where('token_digest', '=', tokenDigest).where('expires_at', '>', now).returningAll().executeTakeFirst();
      if (!signUp) throw invalidLink();
      const admin = user(signUp);
      const platform = await insertPlatformAndAdmin(trx, (platforms) => makePlatform(platforms, signUp), admin, audit(admin));
      return { signUp, user: { ...admin, platform_id: platform.id } };
    });
  }
}

function invalidLink(): TesseraError {
  return new TesseraError('not_found', INVALID_SIGN_UP_LINK);
}
