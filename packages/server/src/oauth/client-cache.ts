import type { Cache } from '../cache/cache.js';
import { LruCache } from '../cache/lru.js';
import { CREDENTIAL_STATUS_CHANNEL, parseCredentialChange, STATUS_RECHECK_MS } from '../credentials/credential-events.js';
import type { PendingAuditEntry } from '../store/audit-log.js';
import type { Database } from '../store/database.js';
import type { OAuthClientStore, QuotaClaim } from '../store/oauth-clients.js';
import type { AuthenticatedClient } from './client-auth.js';

/** More clients than a deployment has; an entry is a row (~300 bytes), so this bounds memory at a few MB. */
const MAX_CACHED_CLIENTS = 10_000;

/** Unknown ids remembered, apart from the clients (a flood of made-up ids evicts only made-up ids). */
const MAX_CACHED_ABSENT = 10_000;

/**
 * Longer ids are never a client's (`cli_` and 22 characters): they are not remembered, so the absent ids
 * stay within a few MB; they cannot tell anyone whether a client exists.
 */
const MAX_REMEMBERED_ID_LENGTH = 64;

interface Entry {
  client: AuthenticatedClient;
  /** When the row was read from the store. */
  checkedAt: number;
}

/**
 * The OAuth clients that authenticated lately, as the store last gave them, so that client authentication
 * reads no row on the token endpoint's busiest answers: the quota refusal a misbehaving fleet keeps
 * asking for, and a wrong secret (issue 13). Safe to remember because:
 * - a secret never changes (a new secret is a new client), so the digest compared is the store's;
 * - a row is read again at least every {@link STATUS_RECHECK_MS}, and at once when a deactivation,
 *   deletion, quota reset or change of the client's own token limits (read with the row) is announced (Redis pub/sub across instances), as the API guard's entries are,
 *   or, on SQLite, when another connection (the `tessera` command) has written to the database;
 * - an unknown id is remembered as unknown for as long, apart from the clients, so that it costs what a
 *   wrong secret costs — one read of the store per {@link STATUS_RECHECK_MS}, then none — and the answer's
 *   timing does not tell whether a client id exists (issue 19); ids are made at random by the server, so no
 *   client is created under an id asked for before it existed;
 * - a grant is decided by the store alone ({@link claimQuota}'s conditional write checks status and quota),
 *   so a stale row can refuse a little too long at worst — its `last_issued_at` only ever moves forward,
 *   except by an announced reset — and never grants a token the store would not.
 */
export class ClientCache implements Pick<OAuthClientStore, 'findWithPlatform' | 'claimQuota'> {
  private readonly entries = new LruCache<Entry>(MAX_CACHED_CLIENTS);
  /** Ids the store had no client for, and when it said so. */
  private readonly absent = new LruCache<number>(MAX_CACHED_ABSENT);
  /** Bumped by every announcement: a read that started before one is not remembered. */
  private generation = 0;
  private unsubscribe: (() => void) | undefined;

  /** Whether another connection committed since the last request (store/database.ts). */
  private readonly changedElsewhere: () => boolean;

  constructor(
    private readonly store: Pick<OAuthClientStore, 'findWithPlatform' | 'claimQuota'>,
    database: Pick<Database, 'watchChangesElsewhere'>,
    private readonly cache: Pick<Cache, 'subscribe'>,
    private readonly now: () => number,
  ) {
    this.changedElsewhere = database.watchChangesElsewhere();
  }

  /** Listens for changes announced by any instance, or by the `tessera` command through Redis. */
  async start(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = await this.cache.subscribe(CREDENTIAL_STATUS_CHANNEL, (message) => this.forget(message));
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** The client with its platform's name: from memory when read less than {@link STATUS_RECHECK_MS} ago. */
  async findWithPlatform(clientId: string): Promise<AuthenticatedClient | undefined> {
    const now = this.now();
    // Without Redis, the `tessera` command's changes (a quota reset, a deactivation) are announced to no
    // one; on SQLite the store says that another connection wrote, and everything remembered is dropped.
    if (this.changedElsewhere()) this.forgetAll();
    const entry = this.entries.get(clientId);
    if (entry && now - entry.checkedAt < STATUS_RECHECK_MS) return entry.client;
    const absentSince = this.absent.get(clientId);
    if (absentSince !== undefined && now - absentSince < STATUS_RECHECK_MS) return undefined;
    const generation = this.generation;
    const client = await this.store.findWithPlatform(clientId);
    if (!client) {
      this.entries.delete(clientId);
      if (generation === this.generation && clientId.length <= MAX_REMEMBERED_ID_LENGTH) this.absent.set(clientId, now);
    } else {
      this.absent.delete(clientId);
      if (generation === this.generation) this.entries.set(clientId, { client, checkedAt: now });
    }
    return client;
  }

  /** The store's claim; what it learns of the client's last issuance is remembered for its next request. */
  async claimQuota(client: AuthenticatedClient, now: number, intervalMs: number, issued: PendingAuditEntry): Promise<QuotaClaim> {
    const claim = await this.store.claimQuota(client, now, intervalMs, issued);
    const lastIssuedAt = claim.granted ? now : claim.lastIssuedAt;
    const entry = this.entries.get(client.client_id);
    if (entry && lastIssuedAt !== null && lastIssuedAt > (entry.client.last_issued_at ?? -Infinity)) {
      entry.client = { ...entry.client, last_issued_at: lastIssuedAt };
    }
    if (!claim.granted && claim.status !== 'active') this.entries.delete(client.client_id);
    return claim;
  }

  private forget(message: string): void {
    const change = parseCredentialChange(message);
    if (!change) return this.forgetAll();
    this.generation += 1;
    if (change.type === 'oauth_client') {
      this.entries.delete(change.id);
      this.absent.delete(change.id);
    }
  }

  private forgetAll(): void {
    this.generation += 1;
    this.entries.clear();
    this.absent.clear();
  }
}
