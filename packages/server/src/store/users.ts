import type { Kysely, Selectable, Transaction } from 'kysely';
import { TesseraError } from '../errors/tessera-error.js';
import { appendAuditEntry, type PendingAuditEntry } from './audit-log.js';
import { type Platform, PlatformStore, lockPlatform } from './platforms.js';
import type { Schema, UsersTable } from './schema.js';
import { insertOrConflict } from './unique-violation.js';

export type UserRow = Selectable<UsersTable>;

/** A user with the name of the platform it belongs to. */
export type UserWithPlatform = UserRow & { platform_name: string };

export class UserStore {
  constructor(private readonly db: Kysely<Schema>) {}

  /**
   * A new platform and its first user, with the sign-up's audit entry, in one transaction: a failure
   * (the name or the email taken) leaves none of them. `makePlatform` inserts the platform through the
   * transaction's own store (credentials/platforms.ts createPlatform validates and builds it).
   */
  async insertWithNewPlatform(
    makePlatform: (platforms: PlatformStore) => Promise<Platform>,
    user: Omit<UserRow, 'platform_id'>,
    audit: PendingAuditEntry,
  ): Promise<Platform> {
    return this.db.transaction().execute((trx) => insertPlatformAndAdmin(trx, makePlatform, user, audit));
  }

  async findByEmail(email: string): Promise<UserWithPlatform | undefined> {
    return this.withPlatform().where('users.email', '=', email).executeTakeFirst();
  }

  async findById(id: string): Promise<UserWithPlatform | undefined> {
    return this.withPlatform().where('users.id', '=', id).executeTakeFirst();
  }

  /** A platform's users, oldest first. */
  async listByPlatform(platformId: string): Promise<UserRow[]> {
    return this.db.selectFrom('users').selectAll().where('platform_id', '=', platformId).orderBy('created_at').orderBy('id').execute();
  }

  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', id).execute();
  }

  /**
   * Removes a user of the platform (their sessions go with them), unless they are its last admin: a
   * platform always keeps one. Under the platform's lock, so two admins removing each other at once
   * cannot both succeed. A user of another platform is `not_found`, like one that does not exist.
   */
  async removeFromPlatform(platformId: string, userId: string, audit: PendingAuditEntry): Promise<UserRow> {
    return this.db.transaction().execute(async (trx) => {
      await lockPlatform(trx, platformId);
      const user = await trx.selectFrom('users').selectAll().where('id', '=', userId).where('platform_id', '=', platformId).executeTakeFirst();
      if (!user) throw new TesseraError('not_found', `User ${userId} does not exist`);
      if (user.role === 'admin') {
        const { count } = await trx
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .where('platform_id', '=', platformId)
          .where('role', '=', 'admin')
          .executeTakeFirstOrThrow();
        if (Number(count) <= 1) throw new TesseraError('conflict', `${user.email} is the platform's last admin: make another admin first`);
      }
      // Sessions first: SQLite enforces the cascade only where foreign keys are on, and this must not depend on it.
      await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
      await trx.deleteFrom('users').where('id', '=', userId).execute();
      await appendAuditEntry(trx, { ...audit, platform_id: platformId });
      return user;
    });
  }

  private withPlatform() {
    return this.db.selectFrom('users').innerJoin('platforms', 'platforms.id', 'users.platform_id').selectAll('users').select('platforms.name as platform_name');
  }
}

/** {@link UserStore.insertWithNewPlatform}'s steps, within a transaction the caller holds (store/sign-ups.ts uses a link in the same one). */
export async function insertPlatformAndAdmin(
  trx: Transaction<Schema>,
  makePlatform: (platforms: PlatformStore) => Promise<Platform>,
  user: Omit<UserRow, 'platform_id'>,
  audit: PendingAuditEntry,
): Promise<Platform> {
  const platform = await makePlatform(new PlatformStore(trx));
  await insertUser(trx, { ...user, platform_id: platform.id });
  await lockPlatform(trx, platform.id);
  await appendAuditEntry(trx, { ...audit, platform_id: platform.id });
  return platform;
}

/**
 * Inserts a user; an email already taken (on any platform) is a `conflict` that does not name it: the
 * accounts domain decides what the person who asked may learn (issue 19, point 4).
 */
export async function insertUser(trx: Kysely<Schema> | Transaction<Schema>, user: UserRow): Promise<void> {
  await insertOrConflict(
    () => trx.insertInto('users').values(user).execute(),
    () => new TesseraError('conflict', 'An account with this email already exists'),
  );
}
