import type { Kysely, Selectable, Transaction } from 'kysely';
import { canonicalJsonAround, chainHash, GENESIS_HASH } from '../crypto/audit-hash.js';
import { newId, PREFIX } from '../crypto/secrets.js';
import { TesseraError } from '../errors/tessera-error.js';
import { lockPlatform } from './platforms.js';
import type { AuditLogTable, Schema } from './schema.js';

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

/** The audit log: append-only (no update or delete here), one hash chain per platform. */
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
}

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

/** The entry that follows `last` (none: the chain's first) in its platform's chain: its id, seq and hashes. */
export function chainedAuditEntry(last: Pick<AuditEntry, 'seq' | 'hash'> | undefined, entry: NewAuditEntry): AuditEntry {
  const fields = { id: newId(PREFIX.auditEntry), ...entry, seq: Number(last?.seq ?? 0) + 1 };
  const prevHash = last?.hash ?? GENESIS_HASH;
  return { ...fields, prev_hash: prevHash, hash: entryHash(prevHash, fields) };
}

/**
 * An entry for a store that numbers and chains it itself (PostgreSQL's quota claim): its id, and the text
 * its hash covers on either side of its seq, so that the store's sha256(prev_hash || head || seq || tail)
 * is the {@link entryHash} that {@link chainedAuditEntry} would have given it.
 */
export function unnumberedAuditEntry(entry: NewAuditEntry): { id: string; hashHead: string; hashTail: string } {
  const id = newId(PREFIX.auditEntry);
  const fields = { ...entry, id };
  const { head, tail } = canonicalJsonAround(Object.fromEntries(HASHED_FIELDS.filter((f) => f !== 'seq').map((f) => [f, fields[f]])), 'seq');
  return { id, hashHead: head, hashTail: tail };
}

/** An entry as a credential store takes it: the store knows the platform. */
export type PendingAuditEntry = Omit<NewAuditEntry, 'platform_id'>;

