// The portal API's types, exactly as docs/portal-api.md defines them.

export type Role = 'admin' | 'member';

export type Session = {
  user: { id: string; email: string; role: Role };
  platform: { name: string };
  csrfToken: string;
  authenticatedAt: string;
  expiresAt: string;
};

export type User = { id: string; email: string; role: Role; created_at: string };

export type Invitation = { id: string; email: string; role: Role; created_at: string; expires_at: string };

export type ClientView = {
  name: string;
  client_id: string;
  platform: string;
  status: 'active' | 'inactive';
  scope: string;
  created_at: string;
  /** When the last token was issued, a quota reset notwithstanding; null: never. */
  last_token_issued_at: string | null;
  /** When the quota lets the client have its next token; null: now (a reset has nothing to do). */
  next_token_at: string | null;
};

export type ApiKeyView = {
  id: string;
  platform: string;
  status: 'active' | 'inactive';
  created_at: string;
  status_changed_at: string;
  last_used_at: string | null;
};

export type AuditEntryView = {
  id: string;
  seq: number;
  at: string;
  actor: string;
  action: string;
  target_id: string;
  source_address: string | null;
  user_agent: string | null;
  outcome: 'success' | 'failure';
};

export type ClientList = { clients: ClientView[]; maxActive: number };
export type NewClient = { name: string; client_id: string; client_secret: string };
export type ApiKeyList = { platformName: string; keys: ApiKeyView[]; maxActive: number };
export type ApiKeySecret = { id: string; api_key: string };
export type UserList = { users: User[]; invitations: Invitation[] };
export type NewInvitation = { invitation: Invitation; link: string };
/** What an invitation link joins, shown on its page before the person chooses a password. */
export type InvitationPreview = { platform: string; email: string; role: Role };
export type AuditPage = { entries: AuditEntryView[]; next: number | null };

/** An account as the Accounts page lists it; money in whole cents. */
export type AccountSummary = {
  accountIdentifier: string;
  accountNumber: string;
  displayName: string;
  currencyCode: string;
  balanceCents: number;
  status: string;
  createdAt: string;
};

export type CustomerView = { customerIdentifier: string; displayName: string; status: string; createdAt: string; accounts: AccountSummary[] };
export type AccountList = { customers: CustomerView[] };

/** A registered card: the last four digits and the brand, never the number. */
export type CardView = {
  token: string;
  label: string;
  brand: string;
  lastFour: string;
  expiration: string;
  status: 'active' | 'inactive';
  createdAt: string;
  unregisteredAt: string | null;
};

export type DepositView = {
  id: string;
  cardToken: string;
  cardLastFour: string;
  cardBrand: string;
  amountCents: number;
  feeCents: number;
  feePercent: number;
  amountChargedCents: number;
  status: string;
  createdAt: string;
};

export type AccountDetail = {
  account: AccountSummary & { contactEmail: string; customerIdentifier: string; customerDisplayName: string };
  cards: CardView[];
  deposits: DepositView[];
};

export type NewCard = { label: string; cardNumber: string; expiration: string; securityCode: string };
export type NewDeposit = { deposit: DepositView; account: AccountSummary };

/** The audit log's filters; `from` and `to` are ISO 8601 instants. */
export type AuditFilters = { action?: string; from?: string; to?: string };
