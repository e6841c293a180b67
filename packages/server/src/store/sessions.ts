import type { Kysely, Selectable } from 'kysely';
import type { Schema, SessionsTable, UserRole } from './schema.js';

export type SessionRow = Selectable<SessionsTable>;

/** A session with what every portal request needs to know: its user and the user's platform. */
export interface SessionWithUser extends SessionRow {
  email: string;
  role: UserRole;
  platform_id: string;
  platform_name: string;
}

/** Portal sessions, by the digest of their id: any instance serves any session. */
export class SessionStore {
  constructor(private readonly db: Kysely<Schema>) {}

  async insert(session: SessionRow): Promise<void> {
    await this.db.insertInto('sessions').values(session).execute();
  }

  async find(idDigest: string): Promise<SessionWithUser | undefined> {
    return this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .innerJoin('platforms', 'platforms.id', 'users.platform_id')
      .selectAll('sessions')
      .select(['users.email', 'users.role', 'users.platform_id', 'platforms.name as platform_name'])
      .where('sessions.id_digest', '=', idDigest)
      .executeTakeFirst();
  }

  async setLastSeen(idDigest: string, now: number): Promise<void> {
    await this.db.updateTable('sessions').set({ last_seen_at: now }).where('id_digest', '=', idDigest).execute();
  }

  async setAuthenticated(idDigest: string, now: number): Promise<void> {
    await this.db.updateTable('sessions').set({ authenticated_at: now, last_seen_at: now }).where('id_digest', '=', idDigest).execute();
  }

  async delete(idDigest: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id_digest', '=', idDigest).execute();
  }

  /** Deletes the sessions idle since before `idleBefore` or started before `startedBefore`. */
  async purgeExpired(idleBefore: number, startedBefore: number): Promise<void> {
    await this.db
      .deleteFrom('sessions')
      .where((eb) => eb.or([eb('last_seen_at', '<', idleBefore), eb('created_at', '<', startedBefore)]))
      .execute();
  }
}
