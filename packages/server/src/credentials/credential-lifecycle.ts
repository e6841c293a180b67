import { type AuditActor, type AuditDeps, auditEntry, CLI_ACTOR } from '../audit/record-audit.js';
import type { PendingAuditEntry } from '../store/audit-log.js';
import type { CredentialScope } from '../store/credential-table.js';
import type { Cache } from '../cache/cache.js';
import type { Platform, PlatformStore } from '../store/platforms.js';
import type { CredentialStatus } from '../store/schema.js';
import { announceCredentialChange, type CredentialChange } from './credential-events.js';
import { getPlatform } from './platforms.js';
import { recordingRefusal, type RefusalTarget } from './record-refusal.js';

/** What every credential's lifecycle uses besides its own store. */
export interface CredentialDeps {
  platforms: Pick<PlatformStore, 'findByName' | 'findById'>;
  /** Changes of status are announced on it, so every instance's API guard applies them at once. */
  cache: Pick<Cache, 'publish'>;
  /** Where actions not written by a credential store (reveal) are recorded (audit/record-audit.ts). */
  auditLog: AuditDeps['auditLog'];
  now: () => number;
}

/** A kind's store, as the shared lifecycle sees it (store/credential-table.ts does the work). */
export interface CredentialStore<Row> {
  /** Each write appends its audit entry in the same transaction. */
  insertActive(row: Omit<Row, 'status'>, platformName: string, audit: PendingAuditEntry): Promise<void>;
  listByPlatform(platformId: string): Promise<Row[]>;
  /** With a scope, a credential of another platform is `not_found` (store/credential-table.ts). */
  find(id: string, scope?: CredentialScope): Promise<Row | undefined>;
  setStatus(id: string, status: CredentialStatus, now: number, audit: PendingAuditEntry, scope?: CredentialScope): Promise<Row>;
  deleteInactive(id: string, audit: PendingAuditEntry, scope?: CredentialScope): Promise<unknown>;
}

/** What differs between OAuth clients and API keys: their store, their event type, how people see them. */
export interface CredentialKind<Row extends { platform_id: string }, View, Deps extends CredentialDeps> {
  type: CredentialChange['type'];
  /** The id a row is known by (never its secret): the audit log's target. */
  idOf(row: Omit<Row, 'status'>): string;
  store(deps: Deps): CredentialStore<Row>;
  /** `deps` gives what a view works out beyond the row (a client's next token time: the clock, the quota). */
  view(row: Row, platformName: string, deps: Deps): View;
}

/*
 * Audit: each successful action appends one entry (actor, action, target id), in the same transaction
 * as the change it records, so neither commits without the other. The actor defaults to CLI_ACTOR for
 * the `tessera` command, which passes none; a surface with people behind it (the portal) passes its
 * user's email and address. A refused action (limit reached, an active credential deleted) rolls back
 * with its entry, and is then recorded with outcome `failure` in a transaction of its own
 * (record-refusal.ts) — but only when it names an existing credential, whose id (read from the store)
 * is the target, or, for a refused generate, an existing platform (target ''). Otherwise nothing is
 * written: there is no platform to chain the entry to, and the id is only text a person typed (a typo,
 * or even a pasted secret), which the log never holds.
 */

/**
 * The one lifecycle of both kinds of credential: create (with the kind's secret made by the caller),
 * list, activate or deactivate, delete when inactive. Every change of status is announced, so the
 * guards of every instance drop what they cached; the portal and the audit log hook in here.
 */
export class CredentialLifecycle<Row extends { platform_id: string }, View, Deps extends CredentialDeps> {
  constructor(private readonly kind: CredentialKind<Row, View, Deps>) {}

  /** Inserts the row `build` makes for the platform, which must exist and be under its active limit. */
  async create<Created>(
    deps: Deps,
    platformName: string,
    build: (platform: Platform, now: number) => { row: Omit<Row, 'status'>; created: Created },
    who: AuditActor = CLI_ACTOR,
  ): Promise<Created> {
    const platform = await getPlatform(deps, platformName);
    return recordingRefusal(
      deps,
      who,
      'generate',
      async () => {
        const { row, created } = build(platform, deps.now());
        await this.kind.store(deps).insertActive(row, platform.name, auditEntry(deps, who, { action: 'generate', targetId: this.kind.idOf(row) }));
        return created;
      },
      // Nothing was made, so there is no id to name; the entry sits in the platform's chain.
      async () => ({ platformId: platform.id, targetId: '' }),
    );
  }

  async list(deps: Deps, platformName: string): Promise<View[]> {
    const platform = await getPlatform(deps, platformName);
    return (await this.kind.store(deps).listByPlatform(platform.id)).map((row) => this.kind.view(row, platform.name, deps));
  }

  /**
   * Activates or deactivates; every instance stops accepting a deactivated credential within seconds.
   * With a scope (the portal's platform), another platform's credential is `not_found`.
   */
  async setStatus(deps: Deps, id: string, status: CredentialStatus, who: AuditActor = CLI_ACTOR, scope: CredentialScope = {}): Promise<View> {
    const action = status === 'active' ? 'activate' : 'deactivate';
    const row = await recordingRefusal(
      deps,
      who,
      action,
      () => this.kind.store(deps).setStatus(id, status, deps.now(), auditEntry(deps, who, { action, targetId: id }), scope),
      () => this.existing(deps, id, scope),
    );
    await announceCredentialChange(deps.cache, { type: this.kind.type, id });
    const platform = await deps.platforms.findById(row.platform_id);
    return this.kind.view(row, platform?.name ?? '', deps);
  }

  /** Deletes a deactivated credential; with a scope, only one of the scope's platform. */
  async delete(deps: Deps, id: string, who: AuditActor = CLI_ACTOR, scope: CredentialScope = {}): Promise<void> {
    await recordingRefusal(
      deps,
      who,
      'delete',
      () => this.kind.store(deps).deleteInactive(id, auditEntry(deps, who, { action: 'delete', targetId: id }), scope),
      () => this.existing(deps, id, scope),
    );
    await announceCredentialChange(deps.cache, { type: this.kind.type, id });
  }

  /**
   * The credential `id` names, when it exists in the scope: a refusal's target (record-refusal.ts). Another
   * platform's credential is none, so a refused attempt on it writes nothing into that platform's log.
   */
  private async existing(deps: Deps, id: string, scope: CredentialScope): Promise<RefusalTarget | undefined> {
    const row = await this.kind.store(deps).find(id, scope);
    return row && { platformId: row.platform_id, targetId: this.kind.idOf(row) };
  }
}
