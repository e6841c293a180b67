import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditUpkeep } from '../../src/audit/audit-upkeep.js';
import { verifyArchive } from '../../src/audit/archive-audit.js';
import { readCheckpointFile } from '../../src/audit/checkpoints.js';
import { CLI_ACTOR, recordAudit } from '../../src/audit/record-audit.js';
import { verifyAudit } from '../../src/audit/verify-audit.js';
import { createPlatform } from '../../src/credentials/platforms.js';
import type { Services } from '../../src/services.js';
import { startDeployment } from '../support/bootstrap.js';
import { HOUR, type TestEnvironment } from '../support/services.js';

describe("the server's audit upkeep: periodic checkpoints and retention", () => {
  let env: TestEnvironment;
  let services: Services;
  let file: string;

  beforeAll(async () => {
    ({ env, services } = await startDeployment());
    file = path.join(env.config.dataDir, 'audit-checkpoints.jsonl');
  });
  afterAll(async () => env?.close());

  const upkeep = (retentionMs?: number) =>
    new AuditUpkeep(services, { checkpointsFile: file, checkpointIntervalMs: HOUR, retentionMs, archiveDir: env.config.dataDir });
  const lines = async () => (await readCheckpointFile(file, await services.auditKeys.signingKey())).map((l) => ('checkpoint' in l ? [l.checkpoint.platform_id, l.checkpoint.seq] : l.fault));

  it('checkpoints only the chains that moved, one instance a round, and picks up from the file after a restart', async () => {
    const a = await createPlatform(services, 'moving');
    const b = await createPlatform(services, 'still');
    for (const id of [a.id, a.id, b.id]) await recordAudit(services, CLI_ACTOR, { platformId: id, action: 'generate', targetId: 'cli_x' });
    const first = upkeep();
    const second = upkeep();
    expect((await first.round()).checkpoints.map((c) => [c.platform_id, c.seq])).toEqual([a.id, b.id].sort().map((id) => [id, id === a.id ? 2 : 1]));
    // Another instance, in the same round's window (the shared cache says it is taken): nothing.
    expect((await second.round()).checkpoints).toEqual([]);

    env.clock.advance(HOUR);
    await recordAudit(services, CLI_ACTOR, { platformId: a.id, action: 'reveal', targetId: 'key_x' });
    expect((await first.round()).checkpoints.map((c) => [c.platform_id, c.seq])).toEqual([[a.id, 3]]);
    env.clock.advance(HOUR);
    expect((await first.round()).checkpoints).toEqual([]);

    // A restarted server reads the file: nothing moved, nothing signed.
    env.clock.advance(HOUR);
    expect((await upkeep().round()).checkpoints).toEqual([]);
    expect((await lines()).sort()).toEqual([[a.id, 2], [a.id, 3], [b.id, 1]].sort());
  });

  it('archives the entries past the retention into the data folder, once a day', async () => {
    env.clock.advance(10 * 24 * HOUR);
    const platform = await services.platforms.findByName('moving');
    await recordAudit(services, CLI_ACTOR, { platformId: platform!.id, action: 'reveal', targetId: 'key_y' });
    const keeper = upkeep(7 * 24 * HOUR);
    const { archive } = await keeper.round();
    expect(archive).toMatchObject({ file: path.join(env.config.dataDir, 'audit-archive-20261208T150000Z.jsonl'), entries: 3 });
    expect((await verifyArchive(archive!.file!, await services.auditKeys.signingKey())).ok).toBe(true);
    expect((await services.auditLog.chain(platform!.id)).map((e) => e.seq)).toEqual([4]);
    expect((await verifyAudit(services)).ok).toBe(true);
    // The same day: no second archive.
    env.clock.advance(HOUR);
    expect((await keeper.round()).archive).toBeNull();
    expect((await readdir(env.config.dataDir)).filter((f) => f.startsWith('audit-archive-'))).toEqual(['audit-archive-20261208T150000Z.jsonl']);
    // Its closing checkpoint is in the checkpoints file too.
    const closing = (await readFile(archive!.file!, 'utf8')).split('\n').find((l) => l.startsWith('{"type":"checkpoint"'))!;
    expect((await readFile(file, 'utf8')).split('\n')).toContain(JSON.stringify((JSON.parse(closing) as { checkpoint: unknown }).checkpoint));
  });
});
