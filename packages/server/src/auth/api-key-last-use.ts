import type { ApiKeyStore, ApiKeyUse } from '../store/api-keys.js';

/** A key's last use is written at most this often by each instance: to the minute is what people read. */
const LAST_USE_INTERVAL_MS = 60_000;

/** Uses due for a write wait at most this long, to be written together with the others due meanwhile. */
const WRITE_DELAY_MS = 1_000;

/**
 * Records that Basic authentication with an API key succeeded (`api_keys.last_used_at`), without a write
 * per request: a busy integration sends thousands a minute, each instance writes once a minute per key.
 * Writes are batched: the uses due within {@link WRITE_DELAY_MS} go in one transaction, so a burst of
 * first uses (a fleet starting, a restart) costs one commit, not one per key, and leaves the store's
 * connections to the requests. The request never waits for the write, and a failure goes to `onError`,
 * never to an unhandled rejection. What was written when is remembered for at most `maxKeys` keys (the
 * oldest forgotten first), so a flood of keys cannot grow memory; a forgotten key is written again sooner.
 */
export class ApiKeyLastUse {
  /** Key id → when its last use was written; in insertion order, oldest first. */
  private readonly written = new Map<string, number>();
  /** Key id → the use to write in the next batch. */
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly apiKeys: Pick<ApiKeyStore, 'markUsed'>,
    private readonly onError: (error: unknown) => void,
    private readonly maxKeys: number,
  ) {}

  /** Called on every successful Basic authentication; costs a map lookup unless a write is due. */
  used(keyId: string, now: number): void {
    const last = this.written.get(keyId);
    if (last !== undefined && now - last < LAST_USE_INTERVAL_MS) return;
    this.written.delete(keyId);
    if (this.written.size >= this.maxKeys) this.written.delete(this.written.keys().next().value!);
    this.written.set(keyId, now);
    this.pending.set(keyId, now);
    // A batch holds at most maxKeys uses, like the memory of writes.
    if (this.pending.size >= this.maxKeys) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), WRITE_DELAY_MS).unref();
  }

  /** Writes the uses waiting, now; resolves once they are written or their failure told. The app's close calls it. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const uses: ApiKeyUse[] = [...this.pending].map(([id, at]) => ({ id, at }));
    this.pending = new Map();
    try {
      await this.apiKeys.markUsed(uses);
    } catch (error) {
      this.onError(error);
    }
  }
}
