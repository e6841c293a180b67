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
/** How this server signs people up (TESSERA_PORTAL_SIGNUP): a mailed link, at once, or not at all. */
export type SignUpMode = 'verified' | 'open' | 'closed';
/** A verified sign-up's answer, the same whatever the address: `outbox` when the server has no SMTP server and keeps its mail in a folder. */
export type SignUpRequested = { status: 'link_sent'; expires_in: number; outbox: boolean };
/** What a sign-up link creates, shown on its page before the person chooses a password. */
export type SignUpPreview = { platform: string; email: string };
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

/** Tango's paging (PageView): pages count from 0. */
export type PageCounts = { elementsPerBlock: number; number: number; resultCount: number; totalCount: number };

/**
 * An order as the Orders page lists it. Money is in the currency's minor units (integers: cents for USD):
 * the face value in the reward's currency, what the account paid in the account's.
 */
export type OrderSummary = {
  referenceOrderID: string;
  externalRefID: string | null;
  customerIdentifier: string;
  accountIdentifier: string;
  accountNumber: string;
  utid: string;
  rewardName: string;
  brandName: string | null;
  faceValueMinor: number;
  faceValueCurrencyCode: string;
  amountMinor: number;
  feeMinor: number;
  totalMinor: number;
  currencyCode: string;
  exchangeRate: string;
  status: string;
  sendEmail: boolean;
  recipientEmail: string | null;
  createdAt: string;
};

export type OrderList = { orders: OrderSummary[]; page: PageCounts };

/** The RaaS GET /orders filters; dates are RFC 3339 dates (a whole day) or date-times. */
export type OrderFilters = {
  accountIdentifier?: string;
  customerIdentifier?: string;
  externalRefID?: string;
  startDate?: string;
  endDate?: string;
};

export type OrderPerson = { email: string | null; firstName: string | null; lastName: string | null };

/** A reward credential: codes masked (value null, the last four of a long one) until an admin reveals them. */
export type RewardCredentialView = {
  label: string;
  type: string;
  credentialType: string;
  masked: boolean;
  value: string | null;
  lastFour: string | null;
};

export type OrderDetail = {
  order: OrderSummary & { recipient: OrderPerson; sender: OrderPerson; message: string; notes: string; campaign: string; emailSubject: string; etid: string };
  reward: { redemptionInstructions: string; credentials: RewardCredentialView[] };
};

export type RevealedReward = { referenceOrderID: string; credentials: Array<{ label: string; type: string; credentialType: string; value: string }> };
export type ResendView = { id: number; email: string; createdAt: string };
