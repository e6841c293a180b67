import { createReadStream } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { GENESIS_HASH } from '../crypto/audit-hash.js';
import type { AuditKeys, AuditPublicKey } from '../crypto/audit-signing-key.js';
import { TesseraError } from '../errors/tessera-error.js';
import { type AuditAnchor, type AuditEntry, type AuditLogStore, entryHash } from '../store/audit-log.js';
import { appendCheckpoints, type Checkpoint, checkpointFault, signCheckpoint } from './checkpoints.js';
import type { AuditFinding } from './verify-audit.js';

/**
 * An archive is a file of JSON lines: a header, then for each platform whose entries it holds, the
 * checkpoint its first entry links to when the chain was pruned before (`anchor`), the entries in seq
 * order (`entry`, every column, the hashes included), and a checkpoint signed for the last of them
 * (`checkpoint`). It verifies on its own (`tessera audit verify-archive`) with the audit public key, and
 * the chain left in the store starts after that same checkpoint.
 *
 * {"type":"tessera-audit-archive","v":1,"created":"…","before":"…","kid":"…"}
 * {"type":"anchor","checkpoint":{…}}
 * {"type":"entry","entry":{"id":"aud_…","platform_id":"plt_…","seq":1,…,"prev_hash":"…","hash":"…"}}
 * {"type":"checkpoint","checkpoint":{…}}
 */
export const ARCHIVE_TYPE = 'tessera-audit-archive';

export interface ArchiveDeps {
  auditLog: Pick<AuditLogStore, 'platformIds' | 'anchor' | 'head' | 'chainAfter' | 'prune'>;
  auditKeys: Pick<AuditKeys, 'signingKey'>;
  now: () => number;
}

export interface ArchivedChain {
  platform_id: string;
  /** The first and last seq archived. */
  from: number;
  through: number;
  entries: number;
}

export interface ArchiveResult {
  /** The archive, or null when nothing was old enough (no file is left then). */
  file: string | null;
  entries: number;
  chains: ArchivedChain[];
}

/** Entries read per query while archiving: memory stays bounded, whatever the log's size. */
const ARCHIVE_BATCH = 1000;

/**
 * Archives every chain's entries older than `before` (epoch ms) into `file`, then removes them from the
 * store. In this order, so that nothing is removed that is not kept: the archive is written, synced and
 * closed; its closing checkpoints are appended to the checkpoints file; only then is each chain pruned,
 * in a transaction of its own that leaves an anchor (the closing checkpoint) for the entries that remain.
 * A chain's newest entry is always kept: the chain goes on from it. An entry's time decides (`at`), and
 * the archived part of a chain is a prefix: it stops at the first entry at or after `before`.
 */
export async function archiveAudit(deps: ArchiveDeps, options: { before: number; file: string; checkpointsFile: string }): Promise<ArchiveResult> {
  const key = await deps.auditKeys.signingKey();
  let handle;
  try {
    // 'wx': an archive is never written over (it may be the only copy of what was pruned).
    handle = await open(options.file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new TesseraError('conflict', `${options.file} exists: an archive is never overwritten, choose another file`);
    throw new TesseraError('invalid_input', `Cannot create the archive ${options.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const anchors: AuditAnchor[] = [];
  const closing: Checkpoint[] = [];
  const chains: ArchivedChain[] = [];
  let written = false;
  try {
    const now = deps.now();
    await handle.write(`${JSON.stringify({ type: ARCHIVE_TYPE, v: 1, created: new Date(now).toISOString(), before: new Date(options.before).toISOString(), kid: key.kid })}\n`);
    for (const platformId of await deps.auditLog.platformIds()) {
      const head = await deps.auditLog.head(platformId);
      if (!head) continue;
      const anchor = await deps.auditLog.anchor(platformId);
      let after = anchor?.seq ?? 0;
      let last: AuditEntry | undefined;
      let count = 0;
      for (let done = false; !done; ) {
        const batch = await deps.auditLog.chainAfter(platformId, after, ARCHIVE_BATCH);
        const lines: string[] = [];
        for (const entry of batch) {
          if (Number(entry.seq) >= Number(head.seq) || Number(entry.at) >= options.before) {
            done = true;
            break;
          }
          if (!last && anchor) lines.push(JSON.stringify({ type: 'anchor', checkpoint: JSON.parse(anchor.checkpoint) as Checkpoint }));
          lines.push(JSON.stringify({ type: 'entry', entry }));
          last = entry;
          count += 1;
        }
        if (lines.length > 0) await handle.write(`${lines.join('\n')}\n`);
        if (batch.length < ARCHIVE_BATCH) done = true;
        else after = Number(batch.at(-1)!.seq);
      }
      if (!last) continue;
      const checkpoint = signCheckpoint(key, last, now, 'archive');
      await handle.write(`${JSON.stringify({ type: 'checkpoint', checkpoint })}\n`);
      closing.push(checkpoint);
      anchors.push({ platform_id: platformId, seq: checkpoint.seq, hash: checkpoint.hash, checkpoint: JSON.stringify(checkpoint) });
      chains.push({ platform_id: platformId, from: (anchor?.seq ?? 0) + 1, through: checkpoint.seq, entries: count });
      written = true;
    }
    await handle.sync();
  } finally {
    await handle.close();
    if (!written) await unlink(options.file).catch(() => undefined);
  }
  if (!written) return { file: null, entries: 0, chains: [] };
  await appendCheckpoints(options.checkpointsFile, closing);
  for (const anchor of anchors) await deps.auditLog.prune(anchor);
  return { file: options.file, entries: chains.reduce((sum, c) => sum + c.entries, 0), chains };
}

export interface ArchiveVerification {
  ok: boolean;
  entries: number;
  chains: ArchivedChain[];
  findings: AuditFinding[];
}

/**
 * Checks an archive on its own: each chain's entries hash and link from its anchor (or the genesis) with
 * no gap, and end on a checkpoint signed by `key` for the last of them; the anchors are signed too.
 */
export async function verifyArchive(file: string, key: AuditPublicKey): Promise<ArchiveVerification> {
  const findings: AuditFinding[] = [];
  const chains: ArchivedChain[] = [];
  const finding = (problem: AuditFinding['problem'], line: number, message: string, where: { platform_id?: string | null; seq?: number | null; id?: string | null } = {}) =>
    findings.push({ problem, platform_id: where.platform_id ?? null, platformName: null, seq: where.seq ?? null, id: where.id ?? null, line, message: `line ${line}: ${message}` });

  interface Open {
    platform_id: string;
    seq: number;
    hash: string;
    from: number;
    entries: number;
    last: AuditEntry | undefined;
    broken: boolean;
  }
  let current: Open | undefined;
  const close = (line: number) => {
    if (current && !current.broken) finding('truncated', line, `the entries of platform ${current.platform_id} end at seq ${current.seq} without their closing checkpoint`, { platform_id: current.platform_id, seq: current.seq, id: current.last?.id ?? null });
    current = undefined;
  };

  const reader = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let number = 0;
  try {
    for await (const text of reader) {
      number += 1;
      if (text.trim() === '') continue;
      let record: { type?: unknown; v?: unknown; checkpoint?: unknown; entry?: AuditEntry };
      try {
        record = JSON.parse(text) as typeof record;
      } catch {
        finding('changed', number, 'is not JSON');
        continue;
      }
      if (number === 1) {
        if (record.type !== ARCHIVE_TYPE || record.v !== 1) {
          finding('changed', 1, `is not the header of a Tessera audit archive ({"type":"${ARCHIVE_TYPE}","v":1,…})`);
          break;
        }
        continue;
      }
      if (record.type === 'anchor' || record.type === 'checkpoint') {
        const fault = checkpointFault(record.checkpoint, key);
        const checkpoint = record.checkpoint as Checkpoint;
        const where = typeof checkpoint === 'object' && checkpoint !== null ? { platform_id: checkpoint.platform_id, seq: checkpoint.seq, id: checkpoint.id } : {};
        if (record.type === 'anchor') {
          close(number);
          const kindFault = fault ?? (checkpoint.kind === 'archive' ? null : 'is not the closing checkpoint of an archive');
          if (kindFault) finding('forged_anchor', number, `the anchor ${kindFault}`, where);
          current = { platform_id: checkpoint?.platform_id, seq: checkpoint?.seq, hash: checkpoint?.hash, from: checkpoint?.seq + 1, entries: 0, last: undefined, broken: kindFault !== null };
          continue;
        }
        if (fault) finding('forged_checkpoint', number, `the closing checkpoint ${fault}`, where);
        else if (!current || current.last === undefined || current.platform_id !== checkpoint.platform_id) finding('changed', number, 'a closing checkpoint with no entries of its platform before it', where);
        else if (!current.broken && (checkpoint.seq !== current.seq || checkpoint.hash !== current.hash || checkpoint.id !== current.last.id)) {
          const problem = checkpoint.seq > current.seq ? 'truncated' : 'rewritten';
          finding(problem, number, `the closing checkpoint is for seq ${checkpoint.seq} (${checkpoint.id}), but the entries end at seq ${current.seq} (${current.last.id})`, where);
        } else if (!current.broken) chains.push({ platform_id: current.platform_id, from: current.from, through: current.seq, entries: current.entries });
        current = undefined;
        continue;
      }
      if (record.type !== 'entry' || typeof record.entry !== 'object' || record.entry === null) {
        finding('changed', number, 'is neither an entry nor a checkpoint');
        continue;
      }
      const entry = record.entry;
      if (current && current.platform_id !== entry.platform_id) close(number);
      current ??= { platform_id: entry.platform_id, seq: 0, hash: GENESIS_HASH, from: 1, entries: 0, last: undefined, broken: false };
      if (current.broken) continue;
      const where = { platform_id: entry.platform_id, seq: entry.seq, id: entry.id };
      if (entry.seq !== current.seq + 1) {
        finding('removed', number, `entry seq ${current.seq + 1} of platform ${entry.platform_id} is missing (the next is seq ${entry.seq}, ${entry.id})`, { ...where, seq: current.seq + 1 });
        current.broken = true;
      } else if (entry.prev_hash !== current.hash || entryHash(entry.prev_hash, entry) !== entry.hash) {
        finding('changed', number, `entry seq ${entry.seq} (${entry.id}) of platform ${entry.platform_id} was changed`, where);
        current.broken = true;
      } else {
        current.seq = entry.seq;
        current.hash = entry.hash;
        current.last = entry;
        current.entries += 1;
      }
    }
  } finally {
    reader.close();
  }
  if (number === 0) finding('changed', 1, 'the file is empty: no archive header');
  close(number);
  return { ok: findings.length === 0, entries: chains.reduce((sum, c) => sum + c.entries, 0), chains, findings };
}
