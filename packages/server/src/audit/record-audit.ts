import type { AuditEntry, AuditLogStore, PendingAuditEntry } from '../store/audit-log.js';
import type { AuditOutcome } from '../store/schema.js';

/** The actions the portal issue names: credentials, users (accounts/), tokens (oauth/grants/); each once, for filters. */
export const AUDIT_ACTIONS = [
  'generate',
  'activate',
  'deactivate',
  'delete',
  'reveal',
  // A key copied from the portal without being shown (issue 19, point 14): the log says which happened.
  'copy',
  'reset_quota',
  'sign_up',
  'sign_in',
  'sign_out',
  'invite',
  'join',
  'remove_user',
  'token_issued',
  'token_refused',
  // Per-client token limits (issue 22, oauth/client-limits.ts): a token past an observed limit (issued), and a
  // change of a client's own limits (the CLI, the portal).
  'token_limit_observed',
  'client_limits_changed',
  // Money (issue 20's funding, raas/funding.ts): a card registered or unregistered, a deposit to an account.
  'register_card',
  'unregister_card',
  'deposit',
  // Orders (raas/orders.ts): a reward bought from an account's balance, and its email sent again.
  'place_order',
  'resend_order',
  // A reward's codes shown to an admin on the portal's Orders page (portal/order-routes.ts): masked until then.
  'reveal_reward',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export function isAuditAction(value: string): value is AuditAction {
  return (AUDIT_ACTIONS as readonly string[]).includes(value);
}

/**
 * A user agent is whatever the caller sent (up to Node's header limit, 16 KiB): kept to this many
 * characters, so a request cannot make the log's rows, pages and exports large.
 */
const MAX_USER_AGENT_LENGTH = 512;

/** Who acted, and from where: the surface that took the request knows it and passes it down. */
export interface AuditActor {
  /** A user's email, or `cli`. */
  actor: string;
  sourceAddress?: string | null;
  userAgent?: string | null;
}

/** The `tessera` command: it has no address or user agent to give. */
export const CLI_ACTOR: AuditActor = { actor: 'cli' };

export interface AuditDeps {
  auditLog: Pick<AuditLogStore, 'append'>;
  now: () => number;
}

/** Records one action on one target (an id: never a secret) in its platform's chain, on its own. */
export async function recordAudit(
  deps: AuditDeps,
  who: AuditActor,
  what: { platformId: string; action: AuditAction; targetId: string; outcome?: AuditOutcome },
): Promise<AuditEntry> {
  return deps.auditLog.append({ ...auditEntry(deps, who, what), platform_id: what.platformId });
}

/**
 * The entry for an action a store does and records in the same transaction (store/credential-table.ts),
 * so the action and its entry commit together; the store adds the platform it finds.
 */
export function auditEntry(
  deps: Pick<AuditDeps, 'now'>,
  who: AuditActor,
  what: { action: AuditAction; targetId: string; outcome?: AuditOutcome },
): PendingAuditEntry {
  return {
    at: deps.now(),
    actor: who.actor,
    action: what.action,
    target_id: what.targetId,
    source_address: who.sourceAddress ?? null,
    user_agent: who.userAgent?.slice(0, MAX_USER_AGENT_LENGTH) ?? null,
    outcome: what.outcome ?? 'success',
  };
}
