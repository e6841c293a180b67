import type { ActiveSession } from '../accounts/sessions.js';
import type { InvitationView as InvitationRecord } from '../accounts/invitations.js';
import type { UserView as UserRecord } from '../accounts/users.js';
import type { SignUpRequested as SignUpRecord } from '../accounts/verified-sign-up.js';
import type { AuditEntryView as AuditRecord, AuditPage as AuditRecordPage } from '../audit/list-audit.js';
import type { ApiKeyView as ApiKeyRecord } from '../credentials/api-keys.js';
import type { ClientTokenLimits } from '../credentials/client-token-limits.js';
import type { ClientView as ClientRecord } from '../credentials/oauth-clients.js';
import type { ApiKeySecret, ApiKeyView, AuditEntryView, AuditPage, ClientLimits, ClientView, Invitation, NewClient, Session, SignUpRequested, User } from './contract/index.js';

/*
 * The portal's views of the domain's records, in the contract's camelCase (portal/contract/index.ts). The
 * domain's views keep their snake_case for the `tessera` command's output, which is theirs: the portal
 * maps them here, at its surface, field by field, so a field the contract lacks is a compile error.
 */

/** The contract's `Session`. */
export function sessionView(session: ActiveSession): Session {
  return {
    user: { id: session.user.id, email: session.user.email, role: session.user.role },
    platform: { name: session.platform.name },
    csrfToken: session.csrfToken,
    authenticatedAt: new Date(session.authenticatedAt).toISOString(),
    expiresAt: new Date(session.expiresAt).toISOString(),
  };
}

export function signUpRequestedView(requested: SignUpRecord): SignUpRequested {
  return { status: requested.status, expiresIn: requested.expires_in, outbox: requested.outbox };
}

export function userView(user: UserRecord): User {
  return { id: user.id, email: user.email, role: user.role, createdAt: user.created_at };
}

export function invitationView(invitation: InvitationRecord): Invitation {
  return { id: invitation.id, email: invitation.email, role: invitation.role, createdAt: invitation.created_at, expiresAt: invitation.expires_at };
}

export function clientLimitsView(limits: ClientTokenLimits): ClientLimits {
  return { perHour: limits.per_hour, perDay: limits.per_day, mode: limits.mode, source: limits.source };
}

export function clientView(client: ClientRecord, limits: ClientTokenLimits): ClientView {
  return {
    name: client.name,
    clientId: client.client_id,
    platform: client.platform,
    status: client.status,
    scope: client.scope,
    createdAt: client.created_at,
    lastTokenIssuedAt: client.last_token_issued_at,
    nextTokenAt: client.next_token_at,
    limits: clientLimitsView(limits),
  };
}

/** A new client credential: the secret, shown here once. */
export function newClientView(created: { name: string; client_id: string; client_secret: string }): NewClient {
  return { name: created.name, clientId: created.client_id, clientSecret: created.client_secret };
}

export function apiKeyView(key: ApiKeyRecord): ApiKeyView {
  return { id: key.id, platform: key.platform, status: key.status, createdAt: key.created_at, statusChangedAt: key.status_changed_at, lastUsedAt: key.last_used_at };
}

/** The key itself: generated, revealed or copied. */
export function apiKeySecretView(key: { id: string; api_key: string }): ApiKeySecret {
  return { id: key.id, apiKey: key.api_key };
}

/** A page, and from when the store holds entries (older ones may be archived). */
export function auditPageView(page: AuditRecordPage, held: { at: number | null; archived: boolean }): AuditPage {
  return { entries: page.entries.map(auditEntryView), next: page.next, entriesSince: held.at === null ? null : new Date(held.at).toISOString(), olderArchived: held.archived };
}

function auditEntryView(entry: AuditRecord): AuditEntryView {
  return {
    id: entry.id,
    seq: entry.seq,
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    targetId: entry.target_id,
    sourceAddress: entry.source_address,
    userAgent: entry.user_agent,
    outcome: entry.outcome,
  };
}
