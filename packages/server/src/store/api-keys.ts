import type { Kysely, Selectable } from 'kysely';
import { TesseraError } from '../errors.js';
import { lockPlatform } from './platforms.js';
import type { ApiKeysTable, CredentialStatus, Schema } from './schema.js';

export type ApiKeyRow = Selectable<ApiKeysTable>;

/** A platform may hold this many active API keys at once, so a key can rotate without downtime. */
export const MAX_ACTIVE_API_KEYS = 2;

/** What Basic authentication needs to know about a key: its status and its platform. */
export interface ApiKeyForAuth {
  id: string;
  status: CredentialStatus;
  platform_id: string;
  platform_name: string;
}

export class ApiKeyStore {
  constructor(private readonly db: Kysely<Schema>) {}

  /** Inserts an active key unless the platform already has {@link MAX_ACTIVE_API_KEYS} active ones. */
  async insertActive(key: Omit<ApiKeyRow, 'status'>, platformName: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      if (!(await lockPlatform(trx, key.platform_id))) throw new TesseraError('not_found', `Platform ${platformName} does not exist`);
      await assertBelowLimit(trx, key.platform_id, platformName);
      await trx.insertInto('api_keys').values({ ...key, status: 'active' }).execute();
    });
  }

  async find(id: string): Promise<ApiKeyRow | undefined> {
    return this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The key whose digest this is, with its platform's name, in one query (the miss path of Basic auth). */
  async findByDigest(keyDigest: string): Promise<ApiKeyForAuth | undefined> {
    return this.db
      .selectFrom('api_keys')
      .innerJoin('platforms', 'platforms.id', 'api_keys.platform_id')
      .select(['api_keys.id', 'api_keys.status', 'api_keys.platform_id', 'platforms.name as platform_name'])
      .where('api_keys.key_digest', '=', keyDigest)
      .executeTakeFirst();
  }

  async status(id: string): Promise<CredentialStatus | undefined> {
    return (await this.db.selectFrom('api_keys').select('status').where('id', '=', id).executeTakeFirst())?.status;
  }

  async listByPlatform(platformId: string): Promise<ApiKeyRow[]> {
    return this.db.selectFrom('api_keys').selectAll().where('platform_id', '=', platformId).orderBy('created_at').orderBy('id').execute();
  }

  /** Sets the status; activating respects the active limit. Returns the key as it now is. */
  async setStatus(id: string, status: CredentialStatus, now: number): Promise<ApiKeyRow> {
    return this.db.transaction().execute(async (trx) => {
      const key = await trx.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
      if (!key) throw new TesseraError('not_found', `API key ${id} does not exist`);
      if (key.status === status) return key;
      if (status === 'active') {
        await lockPlatform(trx, key.platform_id);
        const platform = await trx.selectFrom('platforms').select('name').where('id', '=', key.platform_id).executeTakeFirstOrThrow();
        await assertBelowLimit(trx, key.platform_id, platform.name);
      }
      await trx.updateTable('api_keys').set({ status, status_changed_at: now }).where('id', '=', id).execute();
      return { ...key, status, status_changed_at: now };
    });
  }

  /** Deletes an inactive key; an active one must be deactivated first so no live integration breaks by accident. */
  async deleteInactive(id: string): Promise<void> {
    const result = await this.db.deleteFrom('api_keys').where('id', '=', id).where('status', '=', 'inactive').executeTakeFirst();
    if (result.numDeletedRows > 0n) return;
    if (!(await this.find(id))) throw new TesseraError('not_found', `API key ${id} does not exist`);
    throw new TesseraError('conflict', `API key ${id} is active: deactivate it before deleting it`);
  }
}

async function assertBelowLimit(trx: Kysely<Schema>, platformId: string, platformName: string): Promise<void> {
  const { count } = await trx
    .selectFrom('api_keys')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('platform_id', '=', platformId)
    .where('status', '=', 'active')
    .executeTakeFirstOrThrow();
  if (Number(count) >= MAX_ACTIVE_API_KEYS) {
    throw new TesseraError('limit_reached', `Platform ${platformName} already has ${MAX_ACTIVE_API_KEYS} active API keys: deactivate one first`);
  }
}
