import { RateLimitedError, TokenError } from './errors.js';
import type { RequestGate } from './request-gate.js';
import type { StoreSync } from './store-sync.js';
import type { ManagerSettings } from './token-manager-options.js';
import type { TokenHolder } from './token-holder.js';
import { requestToken } from './token-request.js';
import type { TokenRecord } from './token-store.js';

/** What {@link TokenIssuer} works with besides the settings. */
export interface TokenIssuerParts {
  holder: TokenHolder;
  gate: RequestGate;
  sync: StoreSync;
  redact: (text: string) => string;
}

/**
 * Asks the token endpoint (through {@link requestToken}) when the {@link RequestGate} allows it,
 * records the outcome — a token, a quota refusal, a failure — and publishes it to the fleet.
 */
export class TokenIssuer {
  readonly #s: Pick<ManagerSettings, 'request' | 'now' | 'logger'>;
  readonly #p: TokenIssuerParts;

  constructor(settings: Pick<ManagerSettings, 'request' | 'now' | 'logger'>, parts: TokenIssuerParts) {
    this.#s = settings;
    this.#p = parts;
  }

  /** With no store to coordinate through, ask at most once per quota window per process. */
  async requestWithoutStore(): Promise<TokenRecord> {
    const refusal = this.#p.gate.quotaWindowRefusal();
    if (refusal) {
      const valid = this.#p.holder.valid();
      if (valid) return valid;
      throw refusal;
    }
    const blocked = this.#p.gate.blocked();
    if (blocked) return blocked();
    return this.request();
  }

  /** Asks the token endpoint, then publishes the token to the store (compare-and-set). */
  async request(): Promise<TokenRecord> {
    const { gate, holder, sync } = this.#p;
    const refused = gate.refused();
    if (refused) await this.#scheduleRecheck(); // this is the re-check: the fleet's next is an interval away
    let record: TokenRecord;
    try {
      record = await requestToken({ ...this.#s.request, redact: this.#p.redact });
    } catch (err) {
      return this.#failed(err, refused);
    }
    gate.issued(record, refused);
    holder.adopt(record, true);
    // The server gave a token before its Retry-After: the quota was reset. Lift the refusal fleet-wide.
    if (refused) await sync.clearRetryAt(false);
    await sync.publish(record);
    return holder.current?.record ?? record;
  }

  /** `rechecking`: this request was the fleet's re-check, whose next one is already scheduled. */
  async #failed(err: unknown, rechecking: boolean): Promise<TokenRecord> {
    if (!(err instanceof TokenError)) throw err;
    const { gate, holder, sync } = this.#p;
    const now = this.#s.now();
    if (err instanceof RateLimitedError) {
      gate.extendRetryAt(err.retryAt);
      await sync.setRetryAt('key', err.retryAt, Math.max(1, err.retryAt - now));
      // A refusal counts as a check: the next re-check is an interval from now.
      if (!rechecking) await this.#scheduleRecheck();
      // Over quota is the expected answer while a still-valid token exists: stay quiet.
      const valid = holder.valid();
      if (valid) return valid;
      throw err;
    }
    gate.failed(err);
    const valid = holder.valid();
    if (!valid) throw err;
    if (gate.warnOnce()) {
      this.#s.logger.warn(`[@tessera/client] token refresh failed (${err.code}: ${err.message}); the current token is still valid and stays in use`);
    }
    return valid;
  }

  /**
   * Records, here and for the fleet, that the refusal is not re-checked before an interval from now.
   * Called under the refresh lock, so the process that takes the lock next sees it.
   */
  async #scheduleRecheck(): Promise<void> {
    const next = this.#p.gate.scheduleRecheck();
    if (next === null) return;
    await this.#p.sync.setRetryAt('recheckKey', next, Math.max(1, this.#p.gate.retryAt - this.#s.now()));
  }
}
