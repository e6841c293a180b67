import type { ApiKeyView, AuditEntryView, ClientView, Session } from '../../src/api/types';

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
  client_id: 'cli_active1',
  platform: 'acme',
  status: 'active',
  scope: 'raas.all',
  created_at: '2026-09-14T08:12:00.000Z',
  last_token_issued_at: '2026-11-29T06:40:00.000Z',
  // The quota refuses until 20 hours after the last token: a reset is offered.
  next_token_at: '2026-11-30T02:40:00.000Z',
};

export const inactiveClient: ClientView = {
  ...activeClient,
  name: 'Old',
  client_id: 'cli_inactive1',
  status: 'inactive',
  last_token_issued_at: null,
  next_token_at: null,
};

export const activeKey: ApiKeyView = {
  id: 'key_active1',
  platform: 'acme',
  status: 'active',
  created_at: '2026-10-01T09:00:00.000Z',
  status_changed_at: '2026-10-01T09:00:00.000Z',
  last_used_at: null,
};

export const inactiveKey: ApiKeyView = { ...activeKey, id: 'key_inactive1', status: 'inactive' };

export const auditEntry = (seq: number, overrides: Partial<AuditEntryView> = {}): AuditEntryView => ({
  id: `aud_${seq}`,
  seq,
  at: '2026-11-29T10:00:05.000Z',
  actor: 'dana@acme.example',
  action: 'reveal',
  target_id: 'key_active1',
  source_address: '203.0.113.24',
  user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0',
  outcome: 'success',
  ...overrides,
});
