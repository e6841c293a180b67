import { createReadStream } from 'node:fs';
import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { type AuditPublicKey, type AuditSigningKey, parseAuditPublicKey, signWith, verifyWith } from '../crypto/audit-signing-key.js';
import type { AuditEntry } from '../store/audit-log.js';

export type { AuditPublicKey };

/**
 * A signed checkpoint of one platform's chain, as one line of the checkpoints file (JSON, in this member
 * order): its `kind` — `head`, the chain's newest entry when it was signed, or `archive`, the last entry
 * an archive holds (audit/archive-audit.ts) — that entry's `seq`, `id` and `hash`, the time `at` (ISO
 * 8601, UTC), the signing key's `kid` (the RFC 7638 thumbprint of its JWK) and `sig`. Only an `archive`
 * checkpoint may anchor a pruned chain: a head checkpoint cannot vouch that the entries before it were kept.
 *
 * `sig` is Ed25519 (RFC 8032), base64url without padding, over the UTF-8 bytes of
 * `tessera-audit-checkpoint:v1\n` followed by the JSON of every other member with the keys in sorted order
 * and no whitespace: `{"at":…,"hash":…,"id":…,"kid":…,"kind":…,"platform_id":…,"seq":…,"v":1}`. The prefix keeps a
 * signature over anything else from passing for a checkpoint. Like RFC 9162's signed tree head, it
 * commits the log to its head: anyone who later shortens, drops or rewrites the chain up to it cannot
 * sign a checkpoint that agrees, without the key.
 */
export interface Checkpoint {
  v: 1;
  kind: CheckpointKind;
  platform_id: string;
  seq: number;
  id: string;
  hash: string;
  at: string;
  kid: string;
  sig: string;
}

export type CheckpointKind = 'head' | 'archive';

const SIGNED_PREFIX = 'tessera-audit-checkpoint:v1\n';

/** The bytes a checkpoint's signature covers (see {@link Checkpoint}). */
export function checkpointMessage(checkpoint: Omit<Checkpoint, 'sig'>): string {
  const { at, hash, id, kid, kind, platform_id, seq, v } = checkpoint;
  return SIGNED_PREFIX + JSON.stringify({ at, hash, id, kid, kind, platform_id, seq, v });
}

/** Signs `entry`, its chain's head or the last entry of an archive (`kind`), at time `now` (epoch ms). */
export function signCheckpoint(key: AuditSigningKey, entry: Pick<AuditEntry, 'platform_id' | 'seq' | 'id' | 'hash'>, now: number, kind: CheckpointKind = 'head'): Checkpoint {
  const unsigned = { v: 1 as const, kind, platform_id: entry.platform_id, seq: Number(entry.seq), id: entry.id, hash: entry.hash, at: new Date(now).toISOString(), kid: key.kid };
  return { ...unsigned, sig: signWith(key, checkpointMessage(unsigned)) };
}

/** Why a line is not a trusted checkpoint, or null when it is one, signed by `key`. */
export function checkpointFault(value: unknown, key: AuditPublicKey): string | null {
  if (!isCheckpointShape(value)) return 'is not a checkpoint (v, kind, platform_id, seq, id, hash, at, kid, sig)';
  if (value.kid !== key.kid) return `is signed by another key (kid ${value.kid}; the key given is ${key.kid})`;
  if (!verifyWith(key, checkpointMessage(value), value.sig)) return 'has a bad signature: it was forged or altered';
  return null;
}

function isCheckpointShape(value: unknown): value is Checkpoint {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  return (
    c.v === 1 &&
    (c.kind === 'head' || c.kind === 'archive') &&
    typeof c.platform_id === 'string' &&
    Number.isSafeInteger(c.seq) &&
    (c.seq as number) >= 1 &&
    typeof c.id === 'string' &&
    typeof c.hash === 'string' &&
    typeof c.at === 'string' &&
    typeof c.kid === 'string' &&
    typeof c.sig === 'string'
  );
}

/** One line of a checkpoints file: the checkpoint when trusted, else what is wrong with it. */
export type CheckpointLine = { line: number; checkpoint: Checkpoint } | { line: number; fault: string; platform_id: string | null; seq: number | null };

/** Parses and checks one line (1-based `line`, for messages). */
export function readCheckpointLine(text: string, line: number, key: AuditPublicKey): CheckpointLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { line, fault: 'is not JSON', platform_id: null, seq: null };
  }
  const fault = checkpointFault(value, key);
  if (fault === null) return { line, checkpoint: value as Checkpoint };
  const c = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  return { line, fault, platform_id: typeof c.platform_id === 'string' ? c.platform_id : null, seq: Number.isSafeInteger(c.seq) ? (c.seq as number) : null };
}

/** Every line of a checkpoints file, checked, read a line at a time (the file grows by a line per chain and interval). */
export async function readCheckpointFile(file: string, key: AuditPublicKey): Promise<CheckpointLine[]> {
  const lines: CheckpointLine[] = [];
  const reader = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let number = 0;
  for await (const text of reader) {
    number += 1;
    if (text.trim() !== '') lines.push(readCheckpointLine(text, number, key));
  }
  return lines;
}

/**
 * Appends checkpoints to `file`, one JSON line each, and syncs it before resolving: the file is opened for
 * appending only ('a', O_APPEND), so no write of ours can change a line already there. The lines go in
 * one write, so two processes appending at once interleave whole batches, not halves of lines.
 */
export async function appendCheckpoints(file: string, checkpoints: readonly Checkpoint[]): Promise<void> {
  if (checkpoints.length === 0) return;
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const handle = await open(file, 'a', 0o644);
  try {
    await handle.write(checkpoints.map((c) => `${JSON.stringify(c)}\n`).join(''));
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A verifier's own copy of the public key (`--public-key <file>`): the JWK the server publishes, or PEM. */
export async function readAuditPublicKey(file: string): Promise<AuditPublicKey> {
  return parseAuditPublicKey(await readFile(file, 'utf8'), file);
}
