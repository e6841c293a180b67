import type { Kysely, Selectable, Transaction } from 'kysely';
import { canonicalJsonAround, chainHash, GENESIS_HASH } from '../crypto/audit-hash.js';
import { newTimeOrderedId, PREFIX } from '../crypto/secrets.js';
import { TesseraError } from '../errors/tessera-error.js';
import { lockPlatform } from './platforms.js';
import type { AuditAnchorsTable, AuditLogTable, Schema } from './schema.js';

export type AuditEntry = Selectable<AuditLogTable>;

/** What a caller records; the store adds id, seq and the hashes. Ids only: never a secret. */
export type NewAuditEntry = Omit<AuditEntry, 'id' | 'seq' | 'prev_hash' | 'hash'>;

/**
 * The fields an entry's hash covers, named once (sorted, as the hash's canonical JSON orders them): a
 * column added to the table later stays out of the hashes of chains written before it.
 */
const HASHED_FIELDS = ['action', 'actor', 'at', 'id', 'outcome', 'platform_id', 'seq', 'source_address', 'target_id', 'user_agent'] as const;

/** An entry's hash: its {@link HASHED_FIELDS}, chained to `prevHash`. */
export function entryHash(prevHash: string, entry: Pick<AuditEntry, (typeof HASHED_FIELDS)[number]>): string {
  return chainHash(prevHash, Object.fromEntries(HASHED_FIELDS.map((field) => [field, entry[field]])));
}

/** What a listing keeps: every field given narrows it. */
export interface AuditFilter {
  action?: string;
  /** Epoch ms, inclusive, on `at`. */
  from?: number;
  to?: number;
  /** A seq: only older entries (exclusive). */
  before?: number;
}

/** The audit log: append-only (no update; a delete only by {@link AuditLogStore.prune}, after archiving), one hash chain per platform. */
export class AuditLogStore {
  constructor(private readonly db: Kysely<Schema>) {}

  /**
   * Appends an entry to its platform's chain. The platform's lock (store/platforms.ts) serialises
   * appenders across instances, so two entries never take the same seq or link to the same predecessor;
   * the unique (platform_id, seq) index backs that up.
   */
  async append(entry: NewAuditEntry): Promise<AuditEntry> {
    return this.db.transaction().execute(async (trx) => {
      if (!(await lockPlatform(trx, entry.platform_id))) throw new TesseraError('not_found', `Platform ${entry.platform_id} does not exist`);
      return appendAuditEntry(trx, entry);
    });
  }

  /**
   * A platform's entries that match `filter`, newest first, at most `limit`. Keyset paging on seq
   * (`before`, exclusive) rather than an offset: a page stays put while entries are appended, and costs
   * the same however deep it is. The walk follows the (platform_id, seq) index, or (platform_id, action,
   * seq) with an action, newest first, and stops at `limit` matches; the time bounds are checked on the
   * way. An index on `at` would cost every page a sort of the whole time range (and every append a
   * write) — `at` grows with seq, so only the first page of a range far back walks past newer entries.
   */
  async list(platformId: string, filter: AuditFilter, limit: number): Promise<AuditEntry[]> {
    let query = this.db.selectFrom('audit_log').selectAll().where('platform_id', '=', platformId);
    if (filter.action !== undefined) query = query.where('action', '=', filter.action);
    if (filter.from !== undefined) query = query.where('at', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('at', '<=', filter.to);
    if (filter.before !== undefined) query = query.where('seq', '<', filter.before);
    return query.orderBy('seq', 'desc').limit(limit).execute();
  }

  /** The platforms that have a chain, in a stable order. */
  async platformIds(): Promise<string[]> {
    return (await this.db.selectFrom('audit_log').select('platform_id').distinct().orderBy('platform_id').execute()).map((r) => r.platform_id);
  }

  /** A platform's whole chain in seq order, for verification. */
  async chain(platformId: string): Promise<AuditEntry[]> {
    return this.db.selectFrom('audit_log').selectAll().where('platform_id', '=', platformId).orderBy('seq').execute();
  }

  /**
   * At most `limit` of a platform's entries after seq `afterSeq`, in seq order: a verification walks a
   * chain a batch at a time on the (platform_id, seq) index, and one that starts at a checkpoint reads
   * only the entries written since (audit/verify-audit.ts).
   */
  async chainAfter(platformId: string, afterSeq: number, limit: number): Promise<AuditEntry[]> {
    return this.db.selectFrom('audit_log').selectAll().where('platform_id', '=', platformId).where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute();
  }

  /** The entry at `seq` in a platform's chain, if it is there. */
  async entryAt(platformId: string, seq: number): Promise<AuditEntry | undefined> {
    return this.db.selectFrom('audit_log').selectAll().where('platform_id', '=', platformId).where('seq', '=', seq).executeTakeFirst();
  }

  /** Where an entry (by id) stands in a platform's chain now: a checkpointed entry found at another seq was moved. */
  async seqOf(platformId: string, id: string): Promise<number | undefined> {
    const row = await this.db.selectFrom('audit_log').select('seq').where('id', '=', id).where('platform_id', '=', platformId).executeTakeFirst();
    return row === undefined ? undefined : Number(row.seq);
  }

  /** A chain's newest entry: one step down the (platform_id, seq) index. */
  async head(platformId: string): Promise<AuditEntry | undefined> {
    return this.db.selectFrom('audit_log').selectAll().where('platform_id', '=', platformId).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  }

  /**
   * Each chain's newest entry (its head), by platform: per platform, one step down the (platform_id, seq)
   * index (a correlated max, which both databases answer from the index's end), so a checkpoint round
   * costs O(platforms) whatever the log's length, where a GROUP BY over audit_log read the whole index
   * (issue 24: 10M entries). A chain never outlives its platform's row (platforms are not deleted).
   */
  async heads(platformId?: string): Promise<Pick<AuditEntry, 'platform_id' | 'seq' | 'id' | 'hash' | 'at'>[]> {
    const rows = await this.headsQuery(platformId).select(['audit_log.platform_id', 'audit_log.seq', 'audit_log.id', 'audit_log.hash', 'audit_log.at']).execute();
    return rows.map((row) => ({ ...row, seq: Number(row.seq), at: Number(row.at) }));
  }

  /** The newest entry of each of these platforms' chains, whole: what a verification from checkpoints needs of a chain, for many at once. */
  async headEntries(platformIds: readonly string[]): Promise<AuditEntry[]> {
    if (platformIds.length === 0) return [];
    return this.headsQuery().where('platforms.id', 'in', platformIds).selectAll('audit_log').execute();
  }

  /** The platforms joined to their chain's newest entry, in platform order ({@link heads}). */
  private headsQuery(platformId?: string) {
    const query = this.db
      .selectFrom('platforms')
      .innerJoin('audit_log', (join) =>
        join
          .onRef('audit_log.platform_id', '=', 'platforms.id')
          .on('audit_log.seq', '=', (eb) => eb.selectFrom('audit_log as newest').select((n) => n.fn.max('newest.seq').as('seq')).whereRef('newest.platform_id', '=', 'platforms.id')),
      )
      .orderBy('platforms.id');
    return platformId === undefined ? query : query.where('platforms.id', '=', platformId);
  }

  /** The oldest entry the store still holds for a platform (older ones may have been archived), and whether any were. */
  async heldSince(platformId: string): Promise<{ at: number | null; archived: boolean }> {
    const [first, anchor] = await Promise.all([
      this.db.selectFrom('audit_log').select('at').where('platform_id', '=', platformId).orderBy('seq').limit(1).executeTakeFirst(),
      this.anchor(platformId),
    ]);
    return { at: first === undefined ? null : Number(first.at), archived: anchor !== undefined };
  }

  /** Where a pruned chain starts: the signed checkpoint of its last archived entry (audit/archive-audit.ts). */
  async anchor(platformId: string): Promise<AuditAnchor | undefined> {
    const row = await this.db.selectFrom('audit_anchors').selectAll().where('platform_id', '=', platformId).executeTakeFirst();
    return row === undefined ? undefined : { ...row, seq: Number(row.seq) };
  }

  /** The anchors of those of these platforms' chains that were pruned. */
  async anchors(platformIds: readonly string[]): Promise<AuditAnchor[]> {
    if (platformIds.length === 0) return [];
    return (await this.db.selectFrom('audit_anchors').selectAll().where('platform_id', 'in', platformIds).execute()).map((row) => ({ ...row, seq: Number(row.seq) }));
  }

  /** The platforms whose chain was pruned: with {@link platformIds}, every chain there is. */
  async anchoredPlatformIds(): Promise<string[]> {
    return (await this.db.selectFrom('audit_anchors').select('platform_id').orderBy('platform_id').execute()).map((r) => r.platform_id);
  }

  /**
   * The one removal the log allows: a chain's entries up to `anchor.seq`, once they are archived (written
   * and synced to the archive file by the caller), replaced by the anchor that the next entry links to, in
   * one transaction under the platform's lock. The chain's newest entry is never removed: appenders
   * (and PostgreSQL's quota claim) continue a chain from it.
   */
  async prune(anchor: AuditAnchor): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      if (!(await lockPlatform(trx, anchor.platform_id))) throw new TesseraError('not_found', `Platform ${anchor.platform_id} does not exist`);
      const last = await trx.selectFrom('audit_log').select(['seq', 'hash']).where('platform_id', '=', anchor.platform_id).where('seq', '=', anchor.seq).executeTakeFirst();
      if (last?.hash !== anchor.hash) throw new TesseraError('conflict', `The audit entry at seq ${anchor.seq} of platform ${anchor.platform_id} is not the one archived: nothing was removed`);
      const head = await trx.selectFrom('audit_log').select((eb) => eb.fn.max('seq').as('seq')).where('platform_id', '=', anchor.platform_id).executeTakeFirstOrThrow();
      if (Number(head.seq) <= anchor.seq) throw new TesseraError('conflict', `The newest audit entry of platform ${anchor.platform_id} is kept: nothing was removed`);
      await trx.deleteFrom('audit_anchors').where('platform_id', '=', anchor.platform_id).execute();
      await trx.insertInto('audit_anchors').values(anchor).execute();
      const removed = await trx.deleteFrom('audit_log').where('platform_id', '=', anchor.platform_id).where('seq', '<=', anchor.seq).executeTakeFirst();
      return Number(removed.numDeletedRows);
    });
  }
}

/** The checkpoint a pruned chain starts after: its first entry's prev_hash is `hash`. */
export type AuditAnchor = Selectable<AuditAnchorsTable>;

/**
 * Appends inside the caller's transaction, so an action and its entry commit together or not at all
 * (store/credential-table.ts). The caller holds the platform's lock (store/platforms.ts) — it takes it
 * before it writes a credential row, so every transaction locks in one order (platform, then row) —
 * which serialises appenders: no two entries take the same seq or link to the same predecessor.
 */
export async function appendAuditEntry(trx: Transaction<Schema>, entry: NewAuditEntry): Promise<AuditEntry> {
  const last = await trx
    .selectFrom('audit_log')
    .select(['seq', 'hash'])
    .where('platform_id', '=', entry.platform_id)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const row = chainedAuditEntry(last, entry);
  await trx.insertInto('audit_log').values(row).execute();
  return row;
}

/** An entry's id, ordered by its time: the audit log's largest index takes each new entry on its last page. */
function auditEntryId(entry: Pick<NewAuditEntry, 'at'>): string {
  return newTimeOrderedId(PREFIX.auditEntry, entry.at);
}

/** The entry that follows `last` (none: the chain's first) in its platform's chain: its id, seq and hashes. */
export function chainedAuditEntry(last: Pick<AuditEntry, 'seq' | 'hash'> | undefined, entry: NewAuditEntry): AuditEntry {
  const fields = { id: auditEntryId(entry), ...entry, seq: Number(last?.seq ?? 0) + 1 };
  const prevHash = last?.hash ?? GENESIS_HASH;
  return { ...fields, prev_hash: prevHash, hash: entryHash(prevHash, fields) };
}

/**
 * An entry for a store that numbers and chains it itself (PostgreSQL's quota claim): its id, and the text
 * its hash covers on either side of its seq, so that the store's sha256(prev_hash || head || seq || tail)
 * is the {@link entryHash} that {@link chainedAuditEntry} would have given it.
 */
export function unnumberedAuditEntry(entry: NewAuditEntry): { id: string; hashHead: string; hashTail: string } {
  const id = auditEntryId(entry);
  const fields = { ...entry, id };
  const { head, tail } = canonicalJsonAround(Object.fromEntries(HASHED_FIELDS.filter((f) => f !== 'seq').map((f) => [f, fields[f]])), 'seq');
  return { id, hashHead: head, hashTail: tail };
}

/** An entry as a credential store takes it: the store knows the platform. */
export type PendingAuditEntry = Omit<NewAuditEntry, 'platform_id'>;

