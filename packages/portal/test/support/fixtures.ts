import type { ApiKeyView, AuditEntryView, ClientList, ClientView, Session, TokenPolicy } from '../../src/api/types';

export const adminSession: Session = {
  user: { id: 'usr_admin', email: 'dana@acme.example', role: 'admin' },
  platform: { name: 'acme' },
  csrfToken: 'csrf-token-1',
  authenticatedAt: '2026-11-29T10:00:00.000Z',
  expiresAt: '2026-11-29T10:30:00.000Z',
};

export const memberSession: Session = {
  ...adminSession,
  user: { id: 'usr_member', email: 'li@acme.example', role: 'member' },
};

export const activeClient: ClientView = {
  name: 'Production',
  clientId: 'cli_active1',
  platform: 'acme',
  status: 'active',
  scope: 'raas.all',
  createdAt: '2026-09-14T08:12:00.000Z',
  lastTokenIssuedAt: '2026-11-29T06:40:00.000Z',
  // The quota refuses until 20 hours after the last token: a reset is offered.
  nextTokenAt: '2026-11-30T02:40:00.000Z',
  // Its own limits (issue 22): 100 tokens per hour, none per day, enforced.
  limits: { perHour: 100, perDay: null, mode: 'enforce', source: 'client' },
};

export const inactiveClient: ClientView = {
  ...activeClient,
  name: 'Old',
  clientId: 'cli_inactive1',
  status: 'inactive',
  lastTokenIssuedAt: null,
  nextTokenAt: null,
  limits: { perHour: null, perDay: null, mode: 'enforce', source: 'default' },
};

/** The seed's token policy (the server's defaults): one new token per 20 hours, tokens that live 24 hours. */
export const quotaPolicy: TokenPolicy = { policy: 'quota', intervalSeconds: 72_000, tokenLifetimeSeconds: 86_400 };
/** Tango's current one (TESSERA_TOKEN_POLICY=rate): up to 100 token requests per second, no quota. */
export const ratePolicy: TokenPolicy = { policy: 'rate', requestsPerSecond: 100, tokenLifetimeSeconds: 86_400 };

/** GET /portal/api/oauth-clients's answer. */
export const clientList = (clients: ClientView[] = [activeClient, inactiveClient], tokenPolicy: TokenPolicy = quotaPolicy): ClientList => ({ clients, maxActive: 2, tokenPolicy });

export const activeKey: ApiKeyView = {
  id: 'key_active1',
  platform: 'acme',
  status: 'active',
  createdAt: '2026-10-01T09:00:00.000Z',
  statusChangedAt: '2026-10-01T09:00:00.000Z',
  lastUsedAt: null,
};

export const inactiveKey: ApiKeyView = { ...activeKey, id: 'key_inactive1', status: 'inactive' };

export const auditEntry = (seq: number, overrides: Partial<AuditEntryView> = {}): AuditEntryView => ({
  id: `aud_${seq}`,
  seq,
  at: '2026-11-29T10:00:05.000Z',
  actor: 'dana@acme.example',
  action: 'reveal',
  targetId: 'key_active1',
  sourceAddress: '203.0.113.24',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0',
  outcome: 'success',
  ...overrides,
});
