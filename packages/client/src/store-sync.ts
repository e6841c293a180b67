import { Backoff, MAX_RETRY_DELAY_MS, MIN_RETRY_DELAY_MS } from './backoff.js';
import type { RequestGate } from './request-gate.js';
import type { ManagerSettings } from './token-manager-options.js';
import type { TokenHolder } from './token-holder.js';
import type { StoreSnapshot, TokenLock, TokenRecord, TokenStore } from './token-store.js';

/** What {@link StoreSync} works with besides the settings. */
export interface StoreSyncParts {
  holder: TokenHolder;
  gate: RequestGate;
  /** Masks the secret and the token in a text that is logged. */
  redact: (text: string) => string;
  /** True while a token flight runs (the background store check then stands aside). */
  busy: () => boolean;
}

type StoreSettings = Pick<ManagerSettings, 'store' | 'key' | 'legacyKey' | 'recheckKey' | 'now' | 'logger' | 'storeCheckIntervalMs'>;

/**
 * The token manager's side of the shared store: reads (with the fleet's refusal and the legacy key),
 * the refresh lock, compare-and-set writes, and the background work that keeps the store filled —
 * the periodic check and the write-back after an outage. Store failures never escape: they are
 * logged once per outage and the in-process token carries on.
 */
export class StoreSync {
  readonly #s: StoreSettings;
  readonly #p: StoreSyncParts;
  /** Read once, if `key` is empty (see {@link ManagerSettings.legacyKey}). */
  #legacyKey: string | null;
  #down = false;
  #pendingWriteBack = false;
  readonly #writeBacks = new Backoff(MIN_RETRY_DELAY_MS, MAX_RETRY_DELAY_MS);
  /** The one background store task running (a write-back or a store check), if any. */
  #task: Promise<void> | null = null;
  #checkTimer: ReturnType<typeof setInterval> | null = null;
  #closed = false;
  readonly #unsubscribe: (() => void) | undefined;

  constructor(settings: StoreSettings, parts: StoreSyncParts) {
    this.#s = settings;
    this.#p = parts;
    this.#legacyKey = settings.legacyKey;
    // Redis came back (restart, failover, flush-then-reconnect): put our token back for the fleet.
    this.#unsubscribe = settings.store.onReconnect?.(() => {
      if (parts.holder.current) this.#scheduleWriteBack(true);
    });
  }

  get #store(): TokenStore {
    return this.#s.store;
  }

  /** True when the store missed a token of ours: `getToken` leaves its warm path until it is back. */
  get pendingWriteBack(): boolean {
    return this.#pendingWriteBack;
  }

  /** The background store task running, if any. */
  get task(): Promise<void> | null {
    return this.#task;
  }

  /** The snapshot for our key, or `null` when the store failed. Also learns the fleet's re-check time. */
  async read(): Promise<StoreSnapshot | null> {
    const { key, recheckKey, now } = this.#s;
    try {
      const snapshot = await this.#store.read(key);
      if (snapshot.retryAt !== null && snapshot.retryAt > now() && this.#p.gate.rechecks) {
        // Refused: when may the fleet ask again? (Only then: the usual path stays one read.)
        const { retryAt: recheckAt } = await this.#store.read(recheckKey);
        if (recheckAt !== null) this.#p.gate.extendRecheckAt(recheckAt);
      }
      if (snapshot.token === null && this.#legacyKey !== null) {
        // Adopted here, the legacy token is then written back under `key` by merge (ours is empty).
        this.#p.holder.adopt((await this.#store.read(this.#legacyKey)).token);
        this.#legacyKey = null; // a migration, not a second store: once per process is enough
      }
      this.#up();
      return snapshot;
    } catch (err) {
      this.#failed(err);
      return null;
    }
  }

  /** Takes what the store knows; puts our token back if the store lost it or holds an older one. */
  async merge(snapshot: StoreSnapshot): Promise<void> {
    this.#p.holder.adopt(snapshot.token);
    if (snapshot.retryAt !== null) this.#p.gate.extendRetryAt(snapshot.retryAt);
    const valid = this.#p.holder.valid();
    // The store lost our token (flushed, failed over) or holds an older one: put ours back.
    if (valid && (!snapshot.token || snapshot.token.expiresAt < valid.expiresAt)) await this.#writeBack();
  }

  /** Tries once to take the fleet's refresh lock: the lock, `'busy'` (another holder) or `'failed'` (the store). */
  async lock(ttlMs: number): Promise<TokenLock | 'busy' | 'failed'> {
    try {
      const lock = await this.#store.lock(this.#s.key, ttlMs);
      this.#up();
      return lock ?? 'busy';
    } catch (err) {
      this.#failed(err);
      return 'failed';
    }
  }

  /** Stores a token just issued, compare-and-set, and adopts whatever the store then holds. */
  async publish(record: TokenRecord): Promise<void> {
    await this.#write(record);
  }

  /** Records a `retryAt` for the fleet: the server's refusal under `key`, or the next re-check under `recheckKey`. */
  async setRetryAt(which: 'key' | 'recheckKey', retryAt: number, ttlMs: number): Promise<void> {
    try {
      await this.#store.setRetryAt(this.#s[which], retryAt, ttlMs);
    } catch (err) {
      this.#failed(err);
    }
  }

  /** Forgets the fleet's refusal. With `report`, a store failure is thrown instead of worked around. */
  async clearRetryAt(report: boolean): Promise<void> {
    try {
      await this.#store.clearRetryAt?.(this.#s.key);
      if (report) this.#up();
    } catch (err) {
      if (report) throw err;
      this.#failed(err);
    }
  }

  /** Compare-and-delete: drops `accessToken` from the store only if it is still the stored one. */
  async delete(accessToken: string): Promise<void> {
    try {
      await this.#store.delete(this.#s.key, accessToken);
      this.#up();
    } catch (err) {
      this.#failed(err);
    }
  }

  /** Puts our token back if the store missed it, at most once per back-off while the store fails. */
  writeBackIfPending(): void {
    if (this.#pendingWriteBack) this.#scheduleWriteBack(false);
  }

  /** Once this process holds a token: check the store periodically (see `storeCheckIntervalMs`). */
  startCheck(): void {
    if (this.#checkTimer !== null || this.#closed || this.#s.storeCheckIntervalMs === 0) return;
    this.#checkTimer = setInterval(() => this.#check(), this.#s.storeCheckIntervalMs);
    this.#checkTimer.unref?.();
  }

  /** Stops the periodic check and the reconnect listener. */
  close(): void {
    this.#closed = true;
    if (this.#checkTimer !== null) clearInterval(this.#checkTimer);
    this.#checkTimer = null;
    this.#unsubscribe?.();
  }

  /** A store call failed: warn once per outage, and put our token back once the store returns. */
  #failed(err: unknown): void {
    if (this.#p.holder.current) this.#pendingWriteBack = true;
    if (this.#down) return;
    this.#down = true;
    const reason = err instanceof Error ? err.message : String(err);
    this.#s.logger.warn(
      `[@tessera/client] token store unavailable (${this.#p.redact(reason)}); using the in-process token, which is written back when the store returns`,
    );
  }

  #up(): void {
    this.#down = false;
  }

  /** Reads the store and puts the in-process token back if the store lost it or holds an older one. */
  #check(): void {
    if (this.#task || this.#p.busy() || !this.#p.holder.valid()) return;
    this.#run(async () => {
      const snapshot = await this.read();
      if (snapshot) await this.merge(snapshot);
    });
  }

  async #writeBack(): Promise<void> {
    const valid = this.#p.holder.valid();
    if (!valid) {
      this.#pendingWriteBack = false;
      return;
    }
    await this.#write(valid);
  }

  /**
   * Writes `record` compare-and-set and adopts whatever the store then holds. Any successful write
   * settles what the store owed: the pending write-back and its back-off.
   */
  async #write(record: TokenRecord): Promise<void> {
    try {
      const stored = await this.#store.write(this.#s.key, record, this.#p.holder.ttl(record));
      this.#pendingWriteBack = false;
      this.#writeBacks.succeed();
      this.#up();
      this.#p.holder.adopt(stored);
    } catch (err) {
      this.#failed(err);
    }
  }

  /** Background write-back: on reconnect (`immediate`), or throttled while the store is failing. */
  #scheduleWriteBack(immediate: boolean): void {
    if (this.#task) return;
    const now = this.#s.now();
    if (!immediate && this.#writeBacks.waiting(now)) return;
    this.#writeBacks.fail(now);
    this.#run(() => this.#writeBack());
  }

  /** Starts a background store task; its failures are already reported through the store's warning. */
  #run(task: () => Promise<void>): void {
    const run = task()
      .catch(() => undefined)
      .finally(() => {
        if (this.#task === run) this.#task = null;
      });
    this.#task = run;
  }
}
