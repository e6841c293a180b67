import type { Kysely } from 'kysely';
import type { Schema } from './schema.js';

/** Revoked access tokens by `jti`, kept until the token would have expired anyway (RFC 7009). */
export class RevokedTokenStore {
  constructor(private readonly db: Kysely<Schema>) {}

  async revoke(jti: string, clientId: string, expiresAt: number): Promise<void> {
    await this.db.insertInto('revoked_tokens').values({ jti, client_id: clientId, expires_at: expiresAt }).onConflict((oc) => oc.column('jti').doNothing()).execute();
  }

  async isRevoked(jti: string): Promise<boolean> {
    return (await this.db.selectFrom('revoked_tokens').select('jti').where('jti', '=', jti).executeTakeFirst()) !== undefined;
  }

  /** Forgets revocations of tokens that expired before `before` (epoch ms): they fail verification anyway. */
  async purgeExpired(before: number): Promise<void> {
    await this.db.deleteFrom('revoked_tokens').where('expires_at', '<', before).execute();
  }
}
