import { GENESIS_HASH } from '../crypto/audit-hash.js';
import type { AuditPublicKey } from '../crypto/audit-signing-key.js';
import { type AuditAnchor, type AuditEntry, type AuditLogStore, entryHash } from '../store/audit-log.js';
import type { PlatformStore } from '../store/platforms.js';
import { type Checkpoint, type CheckpointLine, checkpointFault } from './checkpoints.js';

/**
 * What a verification can find, each naming its platform and entry (seq):
 * - `changed`: an entry's content or link does not match its hash (edited, forged, or reordered in place);
 * - `removed`: a gap in seq, the first missing seq named;
 * - `truncated`: the chain ends below a checkpoint: its newest entries were removed;
 * - `chain_removed`: a checkpoint names a platform whose chain is gone;
 * - `rewritten`: the entry at a checkpointed seq does not hash as checkpointed, though the chain links up
 *   (rewritten with recomputed hashes);
 * - `reordered`: the checkpointed entry is in the chain, at another seq;
 * - `forged_checkpoint`: a line of the checkpoints file is not a checkpoint signed by the key;
 * - `forged_anchor`: a pruned chain's anchor in the store is not signed by the key.
 */
export type AuditProblem = 'changed' | 'removed' | 'truncated' | 'chain_removed' | 'rewritten' | 'reordered' | 'forged_checkpoint' | 'forged_anchor';

export interface AuditFinding {
  problem: AuditProblem;
  platform_id: string | null;
  /** The platform's name when it still exists. */
  platformName: string | null;
  seq: number | null;
  /** The entry concerned (the changed one, the one after a gap, the checkpointed one), when known. */
  id: string | null;
  /** The line of the checkpoints file the finding rests on. */
  line: number | null;
  /** What was found, for a person. */
  message: string;
}

export interface AuditVerifyDeps {
  auditLog: Pick<AuditLogStore, 'platformIds' | 'anchoredPlatformIds' | 'chainAfter' | 'entryAt' | 'seqOf' | 'head' | 'headEntries' | 'anchor' | 'anchors'>;
  platforms: Pick<PlatformStore, 'findById' | 'list'>;
}

export interface AuditVerifyOptions {
  /** The checkpoints file's lines, checked against {@link publicKey} (audit/checkpoints.ts). */
  checkpoints?: readonly CheckpointLine[];
  /** Checks the anchors of pruned chains (and is the key the checkpoints were checked with). */
  publicKey?: AuditPublicKey;
  /**
   * Start each chain at its last trusted checkpoint and read only the entries after it: O(new entries),
   * plus a query of heads per thousand chains (a chain not written since costs no query of its own).
   * The entries up to it were verified when it was signed, and it is what they are compared with.
   */
  fromCheckpoints?: boolean;
  /** Stop at the first finding (the plain `tessera audit verify`). */
  stopAtFirst?: boolean;
}

export interface AuditVerificationReport {
  ok: boolean;
  /** Entries read and verified. */
  checked: number;
  findings: AuditFinding[];
}

/** Entries read per query while walking a chain: memory stays bounded, whatever the chain's length. */
export const VERIFY_BATCH = 1000;

/** Chains whose heads and anchors a verification from checkpoints reads per query. */
const ENDS_BATCH = 1000;

/**
 * Walks each platform's chain in seq order, a batch at a time, from its start — the genesis, or for a
 * pruned chain its anchor, the signed checkpoint of the last archived entry — or, with `fromCheckpoints`,
 * from its last trusted checkpoint. With checkpoints (kept outside the store, signed with a key that is
 * not in it) it also sees what the chain alone cannot: entries cut from the end, a chain removed, a chain
 * rewritten with recomputed hashes, entries reordered. One finding per platform: what follows a break is
 * not worth reading.
 */
export async function verifyAuditChains(deps: AuditVerifyDeps, options: AuditVerifyOptions = {}): Promise<AuditVerificationReport> {
  const findings: AuditFinding[] = [];
  const names = new Map<string, string | null>();
  const nameOf = async (platformId: string): Promise<string | null> => {
    if (!names.has(platformId)) names.set(platformId, (await deps.platforms.findById(platformId))?.name ?? null);
    return names.get(platformId)!;
  };
  const trusted = new Map<string, Map<number, { checkpoint: Checkpoint; line: number }>>();
  for (const line of options.checkpoints ?? []) {
    if ('fault' in line) {
      findings.push({
        problem: 'forged_checkpoint',
        platform_id: line.platform_id,
        platformName: line.platform_id === null ? null : await nameOf(line.platform_id),
        seq: line.seq,
        id: null,
        line: line.line,
        message: `checkpoint on line ${line.line} ${line.fault}`,
      });
      continue;
    }
    const bySeq = trusted.get(line.checkpoint.platform_id) ?? new Map<number, { checkpoint: Checkpoint; line: number }>();
    bySeq.set(line.checkpoint.seq, { checkpoint: line.checkpoint, line: line.line });
    trusted.set(line.checkpoint.platform_id, bySeq);
  }
  if (options.stopAtFirst && findings.length > 0) return { ok: false, checked: 0, findings: findings.slice(0, 1) };

  // Incrementally, the chains are the platforms' (a chain never outlives its platform's row: platforms
  // are not deleted) rather than a distinct over every entry, which would read the whole index.
  const platformIds = new Set([
    ...(options.fromCheckpoints ? (await deps.platforms.list()).map((p) => p.id) : await deps.auditLog.platformIds()),
    ...(await deps.auditLog.anchoredPlatformIds()),
    ...trusted.keys(),
  ]);
  // From checkpoints, the chains' heads and anchors are read a thousand chains at a time (two queries, not
  // two per chain): a chain that has not moved since its checkpoint then costs no query of its own, so
  // verifying a deployment of 100,000 platforms reads what was written since and each head once, holding
  // a thousand heads at most.
  const sorted = [...platformIds].sort();
  let checked = 0;
  for (let from = 0; from < sorted.length; from += ENDS_BATCH) {
    const batch = sorted.slice(from, from + ENDS_BATCH);
    const known: KnownEnds | undefined = options.fromCheckpoints
      ? {
          heads: new Map((await deps.auditLog.headEntries(batch)).map((entry) => [entry.platform_id, entry])),
          anchors: new Map((await deps.auditLog.anchors(batch)).map((anchor) => [anchor.platform_id, anchor])),
        }
      : undefined;
    for (const platformId of batch) {
      const result = await verifyChain(deps, platformId, trusted.get(platformId) ?? new Map(), options, known);
      checked += result.checked;
      if (result.finding) {
        findings.push({ ...result.finding, platform_id: platformId, platformName: await nameOf(platformId) });
        if (options.stopAtFirst) return { ok: false, checked, findings };
      }
    }
  }
  return { ok: findings.length === 0, checked, findings };
}

type ChainFinding = Omit<AuditFinding, 'platform_id' | 'platformName'>;

/** The heads and anchors of a batch of chains, read before they are walked. */
interface KnownEnds {
  heads: ReadonlyMap<string, AuditEntry>;
  anchors: ReadonlyMap<string, AuditAnchor>;
}

async function verifyChain(
  deps: AuditVerifyDeps,
  platformId: string,
  checkpoints: ReadonlyMap<number, { checkpoint: Checkpoint; line: number }>,
  options: AuditVerifyOptions,
  known?: KnownEnds,
): Promise<{ checked: number; finding?: ChainFinding }> {
  let checked = 0;
  let start = { seq: 0, hash: GENESIS_HASH };
  const anchor = known ? known.anchors.get(platformId) : await deps.auditLog.anchor(platformId);
  if (anchor) {
    const fault = options.publicKey ? anchorFault(anchor, options.publicKey) : null;
    if (fault) return { checked, finding: { problem: 'forged_anchor', seq: anchor.seq, id: null, line: null, message: `the anchor of the pruned chain (seq ${anchor.seq}) ${fault}` } };
    start = { seq: anchor.seq, hash: anchor.hash };
  }

  const newest = [...checkpoints.values()].reduce<{ checkpoint: Checkpoint; line: number } | undefined>((a, b) => (a && a.checkpoint.seq >= b.checkpoint.seq ? a : b), undefined);
  if (newest) {
    const { checkpoint, line } = newest;
    // Read on its own when not among the heads read at once: those are found through the platform's row.
    const head = known?.heads.get(platformId) ?? (await deps.auditLog.head(platformId));
    if (!head) {
      return {
        checked,
        finding: { problem: 'chain_removed', seq: checkpoint.seq, id: checkpoint.id, line, message: `the chain was removed: it has no entries, but the checkpoint on line ${line} covers seq 1 to ${checkpoint.seq}` },
      };
    }
    if (Number(head.seq) < checkpoint.seq) {
      const from = Number(head.seq) + 1;
      return {
        checked,
        finding: {
          problem: 'truncated',
          seq: from,
          id: checkpoint.id,
          line,
          message: `entries from seq ${from} to ${checkpoint.seq} were removed from the end of the chain (the checkpoint on line ${line} covers seq ${checkpoint.seq}, entry ${checkpoint.id})`,
        },
      };
    }
    // An anchor that disagrees with a checkpoint at its own seq: the archived part was replaced.
    const atAnchor = anchor ? checkpoints.get(anchor.seq) : undefined;
    if (anchor && atAnchor && atAnchor.checkpoint.hash !== anchor.hash) {
      return { checked, finding: { problem: 'rewritten', seq: anchor.seq, id: atAnchor.checkpoint.id, line: atAnchor.line, message: `the anchor at seq ${anchor.seq} is not the entry checkpointed on line ${atAnchor.line}` } };
    }
    if (options.fromCheckpoints) {
      // The newest checkpoint at or after the chain's start: all of them are at most the head (above).
      const from = [...checkpoints.values()].filter((c) => c.checkpoint.seq > start.seq).reduce<typeof newest | undefined>((a, b) => (a && a.checkpoint.seq >= b.checkpoint.seq ? a : b), undefined);
      if (from) {
        // The checkpointed entry itself: still there, intact, and the one signed.
        const entry = Number(head.seq) === from.checkpoint.seq ? head : await deps.auditLog.entryAt(platformId, from.checkpoint.seq);
        if (!entry) return { checked, finding: { problem: 'removed', seq: from.checkpoint.seq, id: from.checkpoint.id, line: from.line, message: `the checkpointed entry at seq ${from.checkpoint.seq} was removed` } };
        const finding = entryFault(entry, entry.prev_hash) ?? (await checkpointMismatch(deps, entry, from));
        if (finding) return { checked, finding };
        start = { seq: from.checkpoint.seq, hash: from.checkpoint.hash };
        // Nothing written since the checkpoint (as of the heads read above): nothing more to read.
        if (Number(head.seq) === start.seq) return { checked };
      }
    }
  }

  let expectedSeq = start.seq + 1;
  let prevHash = start.hash;
  let after = start.seq;
  for (;;) {
    const batch = await deps.auditLog.chainAfter(platformId, after, VERIFY_BATCH);
    for (const entry of batch) {
      const seq = Number(entry.seq);
      if (seq !== expectedSeq) {
        return { checked, finding: { problem: 'removed', seq: expectedSeq, id: entry.id, line: null, message: `entry seq ${expectedSeq} was removed (the entry after the gap is ${entry.id}, seq ${seq})` } };
      }
      const finding = entryFault(entry, prevHash);
      if (finding) return { checked, finding };
      const checkpoint = checkpoints.get(seq);
      if (checkpoint) {
        const mismatch = await checkpointMismatch(deps, entry, checkpoint);
        if (mismatch) return { checked, finding: mismatch };
      }
      checked += 1;
      prevHash = entry.hash;
      expectedSeq += 1;
    }
    if (batch.length < VERIFY_BATCH) return { checked };
    after = Number(batch.at(-1)!.seq);
  }
}

/**
 * The content against its own hash, then the link to its predecessor: an edit of the row shows in the
 * first, a removal that renumbered seq (or a forged row) in the second.
 */
function entryFault(entry: AuditEntry, prevHash: string): ChainFinding | undefined {
  if (entryHash(entry.prev_hash, entry) === entry.hash && entry.prev_hash === prevHash) return undefined;
  return { problem: 'changed', seq: Number(entry.seq), id: entry.id, line: null, message: `entry seq ${entry.seq} (${entry.id}) was changed` };
}

/** An entry that links up but is not the one checkpointed at its seq: the chain was reordered or rewritten. */
async function checkpointMismatch(deps: AuditVerifyDeps, entry: AuditEntry, { checkpoint, line }: { checkpoint: Checkpoint; line: number }): Promise<ChainFinding | undefined> {
  if (entry.hash === checkpoint.hash && entry.id === checkpoint.id) return undefined;
  const seq = checkpoint.seq;
  if (entry.id !== checkpoint.id) {
    const now = await deps.auditLog.seqOf(entry.platform_id, checkpoint.id);
    if (now !== undefined) {
      return { problem: 'reordered', seq, id: checkpoint.id, line, message: `the chain was reordered: entry ${checkpoint.id}, checkpointed at seq ${seq} (line ${line}), is now at seq ${now}` };
    }
  }
  return {
    problem: 'rewritten',
    seq,
    id: entry.id,
    line,
    message: `the chain up to seq ${seq} was rewritten: entry ${entry.id} there does not match the checkpoint on line ${line} (the change is at or before seq ${seq})`,
  };
}

/** Why a pruned chain's anchor is not to be trusted, or null. */
function anchorFault(anchor: AuditAnchor, key: AuditPublicKey): string | null {
  let value: unknown;
  try {
    value = JSON.parse(anchor.checkpoint);
  } catch {
    return 'holds no checkpoint';
  }
  const fault = checkpointFault(value, key);
  if (fault) return fault;
  const checkpoint = value as Checkpoint;
  if (checkpoint.platform_id !== anchor.platform_id || checkpoint.seq !== anchor.seq || checkpoint.hash !== anchor.hash) return 'does not match its signed checkpoint';
  // A head checkpoint is signed hourly: as an anchor it would let anyone with the database drop a chain's
  // beginning up to it. Only an archive's closing checkpoint says the entries before it were kept.
  if (checkpoint.kind !== 'archive') return 'is not the closing checkpoint of an archive';
  return null;
}

/** The first entry found broken: `changed` (its hash or link does not match) or `removed` (a gap in seq before it). */
export interface AuditBreak {
  problem: 'changed' | 'removed';
  platform_id: string;
  /** The platform's name when it still exists. */
  platformName: string | null;
  /** The changed entry's seq, or the first missing seq. */
  seq: number;
  /** The changed entry, or the entry that follows the gap. */
  id: string;
}

export type AuditVerification = { ok: true; checked: number } | { ok: false; checked: number; broken: AuditBreak };

/**
 * Walks every platform's chain in seq order and stops at the first break. What it cannot see: entries
 * removed from the end of a chain (or a whole chain), since nothing after them links to them, nor a chain
 * rewritten with its hashes recomputed: the signed checkpoints kept outside the store see those
 * ({@link verifyAuditChains} with checkpoints).
 */
export async function verifyAudit(deps: AuditVerifyDeps): Promise<AuditVerification> {
  const { checked, findings } = await verifyAuditChains(deps, { stopAtFirst: true });
  const first = findings[0];
  if (!first) return { ok: true, checked };
  const { problem, platform_id, platformName, seq, id } = first;
  return { ok: false, checked, broken: { problem: problem as AuditBreak['problem'], platform_id: platform_id!, platformName, seq: seq!, id: id! } };
}
