import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Cache } from '../cache/cache.js';
import type { AuditKeys } from '../crypto/audit-signing-key.js';
import type { AuditLogStore } from '../store/audit-log.js';
import { archiveAudit, type ArchiveDeps, type ArchiveResult } from './archive-audit.js';
import { appendCheckpoints, type Checkpoint, readCheckpointFile, signCheckpoint } from './checkpoints.js';

export interface CheckpointDeps {
  auditLog: Pick<AuditLogStore, 'heads'>;
  auditKeys: Pick<AuditKeys, 'signingKey'>;
  now: () => number;
}

/**
 * Signs a checkpoint of each chain's head (or of one platform's) and appends them to `file`, synced.
 * `skip`: the seq each platform was last checkpointed at; a chain still there (it has not moved) gets none.
 */
export async function checkpointChains(deps: CheckpointDeps, file: string, options: { platformId?: string; skip?: ReadonlyMap<string, number> } = {}): Promise<Checkpoint[]> {
  const key = await deps.auditKeys.signingKey();
  const now = deps.now();
  const checkpoints = (await deps.auditLog.heads(options.platformId))
    .filter((head) => options.skip?.get(head.platform_id) !== head.seq)
    .map((head) => signCheckpoint(key, head, now));
  await appendCheckpoints(file, checkpoints);
  return checkpoints;
}

export interface AuditUpkeepOptions {
  checkpointsFile: string;
  /** 0: no periodic checkpoints. */
  checkpointIntervalMs: number;
  /** Entries older than this are archived once a day; undefined: never. */
  retentionMs: number | undefined;
  /** Where the scheduled archives go (the data folder). */
  archiveDir: string;
}

/** How often retention runs, when on. */
const RETENTION_EVERY_MS = 24 * 3_600_000;

/**
 * The server's audit upkeep, started by main.ts: a checkpoint of every chain that moved, every
 * TESSERA_AUDIT_CHECKPOINT_INTERVAL seconds; and with TESSERA_AUDIT_RETENTION_DAYS, once a day, an
 * archive of the older entries into the data folder. In a fleet, one instance does each round: the
 * first to count it in the shared cache's window (Redis; without Redis each process is its own fleet).
 * Best-effort, not a lock: a round that overlaps another signs the same heads twice, which is harmless.
 */
export class AuditUpkeep {
  private timer: NodeJS.Timeout | undefined;
  /** The seq each chain was last checkpointed at, from the checkpoints file on the first round. */
  private last: Map<string, number> | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly deps: CheckpointDeps & ArchiveDeps & { cache: Pick<Cache, 'hit'> },
    private readonly options: AuditUpkeepOptions,
  ) {}

  start(onError: (error: unknown) => void): void {
    const every = this.options.checkpointIntervalMs || (this.options.retentionMs !== undefined ? 3_600_000 : 0);
    if (every === 0 || this.timer) return;
    this.timer = setInterval(() => {
      this.running ??= this.round()
        .catch(onError)
        .finally(() => (this.running = undefined));
    }, every);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round: checkpoints when due and this instance takes the round, then retention likewise. */
  async round(): Promise<{ checkpoints: Checkpoint[]; archive: ArchiveResult | null }> {
    let checkpoints: Checkpoint[] = [];
    const interval = this.options.checkpointIntervalMs;
    // Half the interval: the next round's tick, a little late or early, still finds the window over.
    if (interval > 0 && (await this.deps.cache.hit('audit:checkpoint-round', Math.max(1, Math.floor(interval / 2)))).count === 1) {
      checkpoints = await this.checkpoint();
    }
    let archive: ArchiveResult | null = null;
    if (this.options.retentionMs !== undefined && (await this.deps.cache.hit('audit:retention-round', RETENTION_EVERY_MS / 2)).count === 1) {
      archive = await this.retain(this.options.retentionMs);
    }
    return { checkpoints, archive };
  }

  /** Checkpoints of the chains that moved since this process last signed them (or since the file's last line for them). */
  async checkpoint(): Promise<Checkpoint[]> {
    this.last ??= await this.lastCheckpointed();
    const made = await checkpointChains(this.deps, this.options.checkpointsFile, { skip: this.last });
    for (const c of made) this.last.set(c.platform_id, c.seq);
    return made;
  }

  /** Archives the entries older than `retentionMs` into a new file in the archive folder. */
  async retain(retentionMs: number): Promise<ArchiveResult> {
    const now = this.deps.now();
    const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const file = path.join(this.options.archiveDir, `audit-archive-${stamp}.jsonl`);
    return archiveAudit(this.deps, { before: now - retentionMs, file, checkpointsFile: this.options.checkpointsFile });
  }

  private async lastCheckpointed(): Promise<Map<string, number>> {
    const last = new Map<string, number>();
    try {
      await stat(this.options.checkpointsFile);
    } catch {
      return last;
    }
    const key = await this.deps.auditKeys.signingKey();
    for (const line of await readCheckpointFile(this.options.checkpointsFile, key)) {
      if ('checkpoint' in line) last.set(line.checkpoint.platform_id, Math.max(last.get(line.checkpoint.platform_id) ?? 0, line.checkpoint.seq));
    }
    return last;
  }
}
