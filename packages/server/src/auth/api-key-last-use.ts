import type { ApiKeyStore } from '../store/api-keys.js';

/** A key's last use is written at most this often by each instance: to the minute is what people read. */
const LAST_USE_INTERVAL_MS = 60_000;

/**
 * Records that Basic authentication with an API key succeeded (`api_keys.last_used_at`), without a write
 * per request: a busy integration sends thousands a minute, each instance writes once a minute per key.
 * The write is not awaited — the request never waits for it — and a failure goes to `onError`, never
 * to an unhandled rejection. What was written when is remembered for at most `maxKeys` keys (the oldest
 * forgotten first), so a flood of keys cannot grow memory; a forgotten key is written again sooner.
 */
export class ApiKeyLastUse {
  /** Key id → when its last use was written; in insertion order, oldest first. */
  private readonly written = new Map<string, number>();

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
    try {
      this.apiKeys.markUsed(keyId, now).catch(this.onError);
    } catch (error) {
      this.onError(error);
    }
  }
}
