import { generateKeyPairSync } from 'node:crypto';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { archiveAudit, verifyArchive } from '../../src/audit/archive-audit.js';
import { checkpointChains } from '../../src/audit/audit-upkeep.js';
import { type Checkpoint, checkpointMessage, readCheckpointFile } from '../../src/audit/checkpoints.js';
import { CLI_ACTOR, recordAudit } from '../../src/audit/record-audit.js';
import { type AuditVerifyOptions, verifyAudit, verifyAuditChains } from '../../src/audit/verify-audit.js';
import { createPlatform } from '../../src/credentials/platforms.js';
import { type AuditPublicKey, auditSigningKeyFromSeed, publicKeyOf, signWith } from '../../src/crypto/audit-signing-key.js';
import type { Services } from '../../src/services.js';
import { type AuditEntry, entryHash } from '../../src/store/audit-log.js';
import { startDeployment } from '../support/bootstrap.js';
import { HOUR, STORE_KINDS, type TestEnvironment } from '../support/services.js';

describe.each(STORE_KINDS)('signed audit checkpoints on %s', (store) => {
  let env: TestEnvironment;
  let services: Services;
  let key: AuditPublicKey;
  let file: string;
  let n = 0;

  beforeAll(async () => {
    ({ env, services } = await startDeployment({ store }));
    key = await services.auditKeys.signingKey();
  });
  afterAll(async () => env?.close());

  /** A platform with `count` entries (generate, activate, …), and a checkpoints file of its own. */
  const chainOf = async (name: string, count: number) => {
    const platform = await createPlatform(services, name);
    for (let i = 1; i <= count; i++) await recordAudit(services, CLI_ACTOR, { platformId: platform.id, action: 'generate', targetId: `cli_${name}_${i}` });
    file = path.join(env.config.dataDir, `checkpoints-${++n}.jsonl`);
    return platform;
  };
  const checkpoint = (platformId: string) => checkpointChains(services, file, { platformId });
  const verify = async (options: AuditVerifyOptions = {}) => verifyAuditChains(services, { checkpoints: await readCheckpointFile(file, key), publicKey: key, ...options });
  const chain = (platformId: string): Promise<AuditEntry[]> => services.auditLog.chain(platformId);
  const db = () => services.database.db;
  /** Rewrites rows from `from` on as someone with write access would: every hash recomputed, so the chain alone verifies. */
  const rewrite = async (entries: AuditEntry[]) => {
    let prev = entries[0]!.prev_hash;
    for (const entry of entries) {
      const hash = entryHash(prev, entry);
      await db().updateTable('audit_log').set({ ...entry, prev_hash: prev, hash }).where('platform_id', '=', entry.platform_id).where('seq', '=', entry.seq).execute();
      prev = hash;
    }
  };

  it('signs each chain head into one JSON line, in the documented format, that the public key verifies', async () => {
    const platform = await chainOf('format', 2);
    const [made] = await checkpoint(platform.id);
    const head = (await chain(platform.id))[1]!;
    const lines = (await readFile(file, 'utf8')).split('\n');
    expect(lines).toEqual([JSON.stringify(made), '']);
    expect(made).toStrictEqual({ v: 1, kind: 'head', platform_id: platform.id, seq: 2, id: head.id, hash: head.hash, at: '2026-11-28T12:00:00.000Z', kid: key.kid, sig: expect.stringMatching(/^[\w-]{86}$/) });
    // Written out here: the prefix, then the members in sorted order.
    expect(checkpointMessage(made!)).toBe(
      `tessera-audit-checkpoint:v1\n{"at":"2026-11-28T12:00:00.000Z","hash":"${head.hash}","id":"${head.id}","kid":"${key.kid}","kind":"head","platform_id":"${platform.id}","seq":2,"v":1}`,
    );
    expect(key.jwk).toStrictEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.stringMatching(/^[\w-]{43}$/), kid: key.kid, use: 'sig', alg: 'EdDSA' });
    expect(await verify()).toStrictEqual({ ok: true, checked: expect.any(Number), findings: [] });
  });

  it('names a truncated tail: the chain ends below its checkpoint', async () => {
    const platform = await chainOf('tail', 4);
    const [made] = await checkpoint(platform.id);
    const [third, fourth] = (await chain(platform.id)).slice(2);
    await db().deleteFrom('audit_log').where('id', 'in', [third!.id, fourth!.id]).execute();
    // The chain alone cannot see it.
    expect((await verifyAudit(services)).ok).toBe(true);
    expect((await verify()).findings).toStrictEqual([
      {
        problem: 'truncated',
        platform_id: platform.id,
        platformName: 'tail',
        seq: 3,
        id: made!.id,
        line: 1,
        message: `entries from seq 3 to 4 were removed from the end of the chain (the checkpoint on line 1 covers seq 4, entry ${fourth!.id})`,
      },
    ]);
    await db().insertInto('audit_log').values([third!, fourth!]).execute();
    expect((await verify()).ok).toBe(true);
  });

  it('names a removed chain: a checkpoint for a platform with no entries', async () => {
    const platform = await chainOf('gone', 2);
    await checkpoint(platform.id);
    const rows = await chain(platform.id);
    await db().deleteFrom('audit_log').where('platform_id', '=', platform.id).execute();
    expect((await verifyAudit(services)).ok).toBe(true);
    expect((await verify()).findings).toStrictEqual([
      {
        problem: 'chain_removed',
        platform_id: platform.id,
        platformName: 'gone',
        seq: 2,
        id: rows[1]!.id,
        line: 1,
        message: 'the chain was removed: it has no entries, but the checkpoint on line 1 covers seq 1 to 2',
      },
    ]);
    await db().insertInto('audit_log').values(rows).execute();
  });

  it('names a chain rewritten with recomputed hashes, at the first checkpoint after the change, in full and incremental verification', async () => {
    const platform = await chainOf('rewrite', 3);
    await checkpoint(platform.id);
    for (const i of [4, 5]) await recordAudit(services, CLI_ACTOR, { platformId: platform.id, action: 'reveal', targetId: `key_${i}` });
    await checkpoint(platform.id);
    const original = await chain(platform.id);
    await rewrite(original.slice(1).map((e) => (e.seq === 2 ? { ...e, target_id: 'cli_someone_else' } : e)));
    expect((await verifyAudit(services)).ok).toBe(true);
    const third = (await chain(platform.id))[2]!;
    const rewritten = {
      problem: 'rewritten',
      platform_id: platform.id,
      platformName: 'rewrite',
      seq: 3,
      id: third.id,
      line: 1,
      message: `the chain up to seq 3 was rewritten: entry ${third.id} there does not match the checkpoint on line 1 (the change is at or before seq 3)`,
    };
    expect((await verify()).findings).toStrictEqual([rewritten]);
    // From the last checkpoint (seq 5): the entry there no longer hashes as signed.
    expect((await verify({ fromCheckpoints: true })).findings).toStrictEqual([
      { ...rewritten, seq: 5, id: original[4]!.id, line: 2, message: `the chain up to seq 5 was rewritten: entry ${original[4]!.id} there does not match the checkpoint on line 2 (the change is at or before seq 5)` },
    ]);
    await rewrite(original.slice(1));
    expect((await verify()).ok).toBe(true);
  });

  it('names a reordering: the checkpointed entry is found at another seq', async () => {
    const platform = await chainOf('reorder', 3);
    const [made] = await checkpoint(platform.id);
    const [first, second, third] = await chain(platform.id);
    // The last two swapped, renumbered and rehashed: the chain alone links up.
    await db().deleteFrom('audit_log').where('id', 'in', [second!.id, third!.id]).execute();
    const moved = [
      { ...third!, seq: 2 },
      { ...second!, seq: 3 },
    ];
    let prev = first!.hash;
    for (const entry of moved) {
      const hash = entryHash(prev, entry);
      await db().insertInto('audit_log').values({ ...entry, prev_hash: prev, hash }).execute();
      prev = hash;
    }
    expect((await verifyAudit(services)).ok).toBe(true);
    expect((await verify()).findings).toStrictEqual([
      {
        problem: 'reordered',
        platform_id: platform.id,
        platformName: 'reorder',
        seq: 3,
        id: made!.id,
        line: 1,
        message: `the chain was reordered: entry ${third!.id}, checkpointed at seq 3 (line 1), is now at seq 2`,
      },
    ]);
    await db().deleteFrom('audit_log').where('id', 'in', [second!.id, third!.id]).execute();
    await db().insertInto('audit_log').values([second!, third!]).execute();
    expect((await verify()).ok).toBe(true);
  });

  it('names a forged or altered checkpoint by its line, and one signed by another key', async () => {
    const platform = await chainOf('forged', 2);
    const [made] = await checkpoint(platform.id);
    // A checkpoint moved back to seq 1 so that a cut tail would pass, its signature kept.
    await appendFile(file, `${JSON.stringify({ ...made!, seq: 1 })}\n`);
    // One signed properly, by a key that is not Tessera's.
    const other = auditSigningKeyFromSeed(generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(16).toString('base64'), 'other');
    const unsigned = { ...made!, kid: other.kid } as Omit<Checkpoint, 'sig'> & { sig?: string };
    delete unsigned.sig;
    await appendFile(file, `${JSON.stringify({ ...unsigned, sig: signWith(other, checkpointMessage(unsigned)) })}\n{"not":"a checkpoint"}\nnot json\n`);
    const forged = (line: number, seq: number | null, message: string, platformId: string | null = platform.id) => ({
      problem: 'forged_checkpoint',
      platform_id: platformId,
      platformName: platformId ? 'forged' : null,
      seq,
      id: null,
      line,
      message: `checkpoint on line ${line} ${message}`,
    });
    expect((await verify()).findings).toStrictEqual([
      forged(2, 1, 'has a bad signature: it was forged or altered'),
      forged(3, 2, `is signed by another key (kid ${other.kid}; the key given is ${key.kid})`),
      forged(4, null, 'is not a checkpoint (v, kind, platform_id, seq, id, hash, at, kid, sig)', null),
      forged(5, null, 'is not JSON', null),
    ]);
    expect(publicKeyOf(other.key, 'x').kid).toBe(other.kid);
  });

  it('verifies from the last checkpoint reading only the entries written since', async () => {
    const platform = await chainOf('incremental', 50);
    await checkpoint(platform.id);
    for (let i = 0; i < 3; i++) await recordAudit(services, CLI_ACTOR, { platformId: platform.id, action: 'reveal', targetId: `key_${i}` });
    const read = vi.spyOn(services.auditLog, 'chainAfter');
    try {
      const rows = async () => (await Promise.all(read.mock.calls.map(([id], i) => (id === platform.id ? read.mock.results[i]!.value : [])))).flat() as AuditEntry[];
      const incremental = await verify({ fromCheckpoints: true });
      expect(incremental.ok).toBe(true);
      expect((await rows()).map((e) => e.seq)).toEqual([51, 52, 53]);
      read.mockClear();
      expect((await verify()).ok).toBe(true);
      expect((await rows()).length).toBe(53);
    } finally {
      read.mockRestore();
    }
    // A change before the checkpoint is not read incrementally (it was verified when signed), but a change after it is.
    const fifty2 = (await chain(platform.id))[51]!;
    await db().updateTable('audit_log').set({ target_id: 'key_x' }).where('id', '=', fifty2.id).execute();
    expect((await verify({ fromCheckpoints: true })).findings).toMatchObject([{ problem: 'changed', platformName: 'incremental', seq: 52, id: fifty2.id }]);
    await db().updateTable('audit_log').set({ target_id: fifty2.target_id }).where('id', '=', fifty2.id).execute();
  });

  it('verifies every chain from its checkpoint with the heads read at once: a chain not written since costs no query of its own', async () => {
    const still = await chainOf('still', 3);
    const moving = await createPlatform(services, 'moving');
    for (const i of [1, 2]) await recordAudit(services, CLI_ACTOR, { platformId: moving.id, action: 'generate', targetId: `cli_moving_${i}` });
    // Every chain there is checkpointed at its head, as the periodic round does; then one entry more on one.
    await checkpointChains(services, file);
    await recordAudit(services, CLI_ACTOR, { platformId: moving.id, action: 'reveal', targetId: 'key_moving' });
    const perChain = (['head', 'anchor'] as const).map((method) => vi.spyOn(services.auditLog, method));
    const entryAt = vi.spyOn(services.auditLog, 'entryAt');
    const walk = vi.spyOn(services.auditLog, 'chainAfter');
    const headEntries = vi.spyOn(services.auditLog, 'headEntries');
    try {
      expect(await verify({ fromCheckpoints: true })).toStrictEqual({ ok: true, checked: 1, findings: [] });
      // Every chain's head in one read (this deployment has fewer than a thousand platforms)…
      expect(headEntries).toHaveBeenCalledTimes(1);
      expect(headEntries.mock.calls[0]![0]).toEqual(expect.arrayContaining([still.id, moving.id]));
      // …and none of its own: only a platform whose chain is empty (an earlier test removed one) is looked up alone.
      for (const spy of perChain) expect(spy.mock.calls.filter(([platformId]) => platformId === still.id || platformId === moving.id)).toEqual([]);
      // The chain written since: its checkpointed entry, then what follows it.
      expect(entryAt.mock.calls).toEqual([[moving.id, 2]]);
      expect(walk.mock.calls.map(([platformId, after]) => [platformId, after])).toEqual([[moving.id, 2]]);
    } finally {
      for (const spy of [...perChain, entryAt, walk, headEntries]) spy.mockRestore();
    }

    // The head read at once is checked as any entry: changed, rewritten with its hash recomputed, cut.
    const head = (await chain(still.id)).at(-1)!;
    const findingOf = async () => (await verify({ fromCheckpoints: true })).findings.map(({ problem, platformName, seq }) => ({ problem, platformName, seq }));
    await db().updateTable('audit_log').set({ target_id: 'cli_forged' }).where('id', '=', head.id).execute();
    expect(await findingOf()).toEqual([{ problem: 'changed', platformName: 'still', seq: 3 }]);
    await rewrite([{ ...head, target_id: 'cli_forged' }]);
    expect(await findingOf()).toEqual([{ problem: 'rewritten', platformName: 'still', seq: 3 }]);
    await db().deleteFrom('audit_log').where('id', '=', head.id).execute();
    expect(await findingOf()).toEqual([{ problem: 'truncated', platformName: 'still', seq: 3 }]);
    await db().insertInto('audit_log').values(head).execute();
    expect((await verify({ fromCheckpoints: true })).ok).toBe(true);
  });

  it('archives old entries with a closing checkpoint, prunes them, and the rest still verifies anchored on it', async () => {
    const platform = await chainOf('retention', 3);
    env.clock.advance(48 * HOUR);
    for (const i of [4, 5]) await recordAudit(services, CLI_ACTOR, { platformId: platform.id, action: 'reveal', targetId: `key_${i}` });
    await checkpoint(platform.id);
    const before = await chain(platform.id);
    const cutoff = env.clock.now() - 24 * HOUR;
    const archive = path.join(env.config.dataDir, `archive-${n}.jsonl`);
    const result = await archiveAudit(services, { before: cutoff, file: archive, checkpointsFile: file });
    const archived = result.chains.find((c) => c.platform_id === platform.id);
    expect(archived).toStrictEqual({ platform_id: platform.id, from: 1, through: 3, entries: 3 });

    // What remains links to the archive's closing checkpoint, which is also in the checkpoints file and the anchor.
    const remaining = await chain(platform.id);
    expect(remaining.map((e) => e.seq)).toEqual([4, 5]);
    const lines = (await readFile(archive, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { type: string; checkpoint?: Checkpoint; entry?: AuditEntry });
    const closing = lines.find((l) => l.type === 'checkpoint' && l.checkpoint!.platform_id === platform.id)!.checkpoint!;
    expect(closing).toMatchObject({ kind: 'archive', seq: 3, id: before[2]!.id, hash: before[2]!.hash });
    expect(remaining[0]!.prev_hash).toBe(closing.hash);
    expect(lines.filter((l) => l.entry?.platform_id === platform.id).map((l) => l.entry)).toStrictEqual(before.slice(0, 3));
    expect(await services.auditLog.anchor(platform.id)).toStrictEqual({ platform_id: platform.id, seq: 3, hash: closing.hash, checkpoint: JSON.stringify(closing) });
    expect(await services.auditLog.heldSince(platform.id)).toStrictEqual({ at: before[3]!.at, archived: true });
    expect((await verifyArchive(archive, key)).ok).toBe(true);
    expect((await verifyAudit(services)).ok).toBe(true);
    expect(await verify()).toMatchObject({ ok: true, findings: [] });
    expect((await verify({ fromCheckpoints: true })).ok).toBe(true);

    // A second round anchors its archive on the first one's checkpoint.
    env.clock.advance(48 * HOUR);
    await recordAudit(services, CLI_ACTOR, { platformId: platform.id, action: 'reveal', targetId: 'key_6' });
    const second = path.join(env.config.dataDir, `archive-${n}b.jsonl`);
    const again = await archiveAudit(services, { before: env.clock.now() - 24 * HOUR, file: second, checkpointsFile: file });
    expect(again.chains.find((c) => c.platform_id === platform.id)).toStrictEqual({ platform_id: platform.id, from: 4, through: 5, entries: 2 });
    const secondLines = (await readFile(second, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { type: string; checkpoint?: Checkpoint });
    expect(secondLines.find((l) => l.type === 'anchor' && l.checkpoint!.platform_id === platform.id)!.checkpoint).toStrictEqual(closing);
    expect(await verifyArchive(second, key)).toMatchObject({ ok: true, findings: [] });
    expect((await chain(platform.id)).map((e) => e.seq)).toEqual([6]);
    expect((await verifyAudit(services)).ok).toBe(true);
    expect((await verify()).ok).toBe(true);

    // An archive edited afterwards, or cut short, no longer verifies.
    const text = await readFile(archive, 'utf8');
    const edited = path.join(env.config.dataDir, `edited-${n}.jsonl`);
    await writeFile(edited, text.replace('"target_id":"cli_retention_2"', '"target_id":"cli_someone_else"'));
    expect((await verifyArchive(edited, key)).findings).toMatchObject([{ problem: 'changed', platform_id: platform.id, seq: 2, id: before[1]!.id }]);
    const cut = path.join(env.config.dataDir, `cut-${n}.jsonl`);
    await writeFile(cut, text.split('\n').filter((l) => !l.includes('"type":"checkpoint"') || !l.includes(platform.id)).join('\n'));
    expect((await verifyArchive(cut, key)).findings).toMatchObject([{ problem: 'truncated', platform_id: platform.id, seq: 3 }]);

    // An anchor forged in the store (to hide a removed beginning) is not signed by the key.
    const anchor = (await services.auditLog.anchor(platform.id))!;
    await db().updateTable('audit_anchors').set({ seq: 4 }).where('platform_id', '=', platform.id).execute();
    expect((await verify()).findings).toMatchObject([{ problem: 'forged_anchor', platformName: 'retention', seq: 4 }]);
    await db().updateTable('audit_anchors').set({ seq: anchor.seq }).where('platform_id', '=', platform.id).execute();
    // Nor can a head checkpoint, properly signed, stand in for an anchor: it does not say the entries before it were kept.
    const [head] = await checkpoint(platform.id);
    await db().updateTable('audit_anchors').set({ seq: head!.seq, hash: head!.hash, checkpoint: JSON.stringify(head) }).where('platform_id', '=', platform.id).execute();
    expect((await verify()).findings).toMatchObject([{ problem: 'forged_anchor', platformName: 'retention', seq: head!.seq, message: `the anchor of the pruned chain (seq ${head!.seq}) is not the closing checkpoint of an archive` }]);
    await db().updateTable('audit_anchors').set(anchor).where('platform_id', '=', platform.id).execute();
    expect((await verify()).ok).toBe(true);
  });

  it('refuses to overwrite an archive, and leaves no file when nothing is old enough', async () => {
    const existing = path.join(env.config.dataDir, 'existing.jsonl');
    await writeFile(existing, 'keep me\n');
    await expect(archiveAudit(services, { before: env.clock.now(), file: existing, checkpointsFile: file })).rejects.toMatchObject({
      code: 'conflict',
      message: `${existing} exists: an archive is never overwritten, choose another file`,
    });
    expect(await readFile(existing, 'utf8')).toBe('keep me\n');
    const none = path.join(env.config.dataDir, 'none.jsonl');
    expect(await archiveAudit(services, { before: 0, file: none, checkpointsFile: file })).toStrictEqual({ file: null, entries: 0, chains: [] });
    await expect(readFile(none)).rejects.toThrow('ENOENT');
  });
});
