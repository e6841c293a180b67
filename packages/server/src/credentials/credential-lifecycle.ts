import type { Cache } from '../cache/cache.js';
import type { Platform, PlatformStore } from '../store/platforms.js';
import type { CredentialStatus } from '../store/schema.js';
import { announceCredentialChange, type CredentialChange } from './credential-events.js';
import { getPlatform } from './platforms.js';

/** What every credential's lifecycle uses besides its own store. */
export interface CredentialDeps {
  platforms: Pick<PlatformStore, 'findByName' | 'findById'>;
  /** Changes of status are announced on it, so every instance's API guard applies them at once. */
  cache: Pick<Cache, 'publish'>;
  now: () => number;
}

/** A kind's store, as the shared lifecycle sees it (store/credential-table.ts does the work). */
export interface CredentialStore<Row> {
  insertActive(row: Omit<Row, 'status'>, platformName: string): Promise<void>;
  listByPlatform(platformId: string): Promise<Row[]>;
  setStatus(id: string, status: CredentialStatus, now: number): Promise<Row>;
  deleteInactive(id: string): Promise<void>;
}

/** What differs between OAuth clients and API keys: their store, their event type, how people see them. */
export interface CredentialKind<Row extends { platform_id: string }, View, Deps extends CredentialDeps> {
  type: CredentialChange['type'];
  store(deps: Deps): CredentialStore<Row>;
  view(row: Row, platformName: string): View;
}

/**
 * The one lifecycle of both kinds of credential: create (with the kind's secret made by the caller),
 * list, activate or deactivate, delete when inactive. Every change of status is announced, so the
 * guards of every instance drop what they cached; the portal and the audit log hook in here.
 */
export class CredentialLifecycle<Row extends { platform_id: string }, View, Deps extends CredentialDeps> {
  constructor(private readonly kind: CredentialKind<Row, View, Deps>) {}

  /** Inserts the row `build` makes for the platform, which must exist and be under its active limit. */
  async create<Created>(deps: Deps, platformName: string, build: (platform: Platform, now: number) => { row: Omit<Row, 'status'>; created: Created }): Promise<Created> {
    const platform = await getPlatform(deps, platformName);
    const { row, created } = build(platform, deps.now());
    await this.kind.store(deps).insertActive(row, platform.name);
    return created;
  }

  async list(deps: Deps, platformName: string): Promise<View[]> {
    const platform = await getPlatform(deps, platformName);
    return (await this.kind.store(deps).listByPlatform(platform.id)).map((row) => this.kind.view(row, platform.name));
  }

  /** Activates or deactivates; every instance stops accepting a deactivated credential within seconds. */
  async setStatus(deps: Deps, id: string, status: CredentialStatus): Promise<View> {
    const row = await this.kind.store(deps).setStatus(id, status, deps.now());
    await announceCredentialChange(deps.cache, { type: this.kind.type, id });
    const platform = await deps.platforms.findById(row.platform_id);
    return this.kind.view(row, platform?.name ?? '');
  }

  /** Deletes a deactivated credential. */
  async delete(deps: Deps, id: string): Promise<void> {
    await this.kind.store(deps).deleteInactive(id);
    await announceCredentialChange(deps.cache, { type: this.kind.type, id });
  }
}
