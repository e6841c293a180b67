import { LruCache } from '../cache/lru.js';
import type { Cache } from '../cache/cache.js';
import type { AuditLogStore } from '../store/audit-log.js';
import { type AuditActor, recordAudit } from './record-audit.js';

/** One `token_refused` entry per client per window, at most (docs/portal-api.md). */
const TOKEN_REFUSAL_WINDOW_MS = 60_000;

export interface TokenRefusalDeps {
  /** Shared by every instance with Redis: the window is the fleet's, not each process's. */
  cache: Pick<Cache, 'hit'>;
  auditLog: Pick<AuditLogStore, 'append'>;
  now: () => number;
  /** This instance's memory of windows known to hold their entry already (see {@link RefusalWindows}). */
  refusalWindows?: RefusalWindows;
}

/**
 * Records a quota refusal (`token_refused`, outcome failure) unless one was recorded for this client in
 * the current window. A misbehaving fleet can send thousands of refused requests a second, and each entry
 * is a write under the platform's lock: recording each would turn the refusal, which costs no write
 * today, into a queue on that lock. The first refusal of each window is what the log needs to show (who,
 * from where, when it began); the counter in the cache says whether this one is it. Resolves true when
 * an entry was written.
 */
export async function recordTokenRefusal(deps: TokenRefusalDeps, who: AuditActor, client: { platformId: string; clientId: string }): Promise<boolean> {
  const now = deps.now();
  if (deps.refusalWindows?.recorded(client.clientId, now)) return false;
  const { count, resetInMs } = await deps.cache.hit(`audit:token_refused:${client.clientId}`, TOKEN_REFUSAL_WINDOW_MS);
  deps.refusalWindows?.remember(client.clientId, now + resetInMs);
  if (count !== 1) return false;
  await recordAudit(deps, who, { platformId: client.platformId, action: 'token_refused', targetId: client.clientId, outcome: 'failure' });
  return true;
}

/** Windows remembered at most: one per client refused in the last minute; beyond it, the oldest go. */
const MAX_WINDOWS = 10_000;

/**
 * The refusal windows this instance knows to hold their entry already, by client, until they end: the
 * rest of a window's refusals skip the shared counter — with Redis, a round trip per refusal of a fleet
 * that keeps asking (issue 13). Nothing is recorded twice: only a window the counter has counted is
 * remembered, and only until the counter's own end of it.
 */
export class RefusalWindows {
  private readonly endsAt = new LruCache<number>(MAX_WINDOWS);

  recorded(clientId: string, now: number): boolean {
    const end = this.endsAt.get(clientId);
    if (end === undefined) return false;
    if (now < end) return true;
    this.endsAt.delete(clientId);
    return false;
  }

  remember(clientId: string, end: number): void {
    this.endsAt.set(clientId, end);
  }
}
