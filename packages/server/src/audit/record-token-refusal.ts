import type { Cache } from '../cache/cache.js';
import type { AuditLogStore } from '../store/audit-log.js';
import { type AuditActor, recordAudit } from './record-audit.js';

/** One `token_refused` entry per client per window, at most (docs/portal-api.md). */
export const TOKEN_REFUSAL_WINDOW_MS = 60_000;

export interface TokenRefusalDeps {
  /** Shared by every instance with Redis: the window is the fleet's, not each process's. */
  cache: Pick<Cache, 'hit'>;
  auditLog: Pick<AuditLogStore, 'append'>;
  now: () => number;
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
  const { count } = await deps.cache.hit(`audit:token_refused:${client.clientId}`, TOKEN_REFUSAL_WINDOW_MS);
  if (count !== 1) return false;
  await recordAudit(deps, who, { platformId: client.platformId, action: 'token_refused', targetId: client.clientId, outcome: 'failure' });
  return true;
}
