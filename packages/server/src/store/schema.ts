import type { Generated } from 'kysely';

/** Times are epoch milliseconds: the same integer type on SQLite and PostgreSQL (bigint). */
export interface PlatformsTable {
  id: string;
  name: string;
  /** Bumped inside every transaction that counts a platform's active credentials, to serialise them. */
  credential_lock: Generated<number>;
  created_at: number;
}

export type CredentialStatus = 'active' | 'inactive';

export interface OAuthClientsTable {
  client_id: string;
  platform_id: string;
  /** Internal name, shown in the quota error message. */
  name: string;
  secret_digest: string;
  status: CredentialStatus;
  /** Space-separated scopes the client may ask for. */
  scopes: string;
  created_at: number;
  status_changed_at: number;
  /** When the last token was issued: the quota clock, which a quota reset clears. */
  last_issued_at: number | null;
  /**
   * The `last_issued_at` the last quota reset cleared: the token it dates still lives, so while no token
   * has been issued since, this is when the last one was (what the portal shows). Null: none cleared.
   */
  issued_before_reset_at: number | null;
  /**
   * Tokens whose `iat` (in ms) is before this are invalid: the first whole second after the last
   * deactivation, so a re-activation does not bring back tokens that may have leaked. Null: none.
   */
  tokens_not_before: number | null;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: string;
  /** The private JWK, sealed under the master key. */
  private_jwk_sealed: string;
  created_at: number;
  /** Not used for signing before this moment, so every instance knows the public key first. */
  sign_from: number;
  /** Set when a newer key takes over; the key stays in the JWKS until its last token expires. */
  retired_at: number | null;
  /** 1 on the first key ever made (unique), null on the others. */
  bootstrap: number | null;
}

export interface RevokedTokensTable {
  jti: string;
  client_id: string;
  /** The token's own expiry: the row can be purged after it. */
  expires_at: number;
}

export interface ApiKeysTable {
  id: string;
  platform_id: string;
  /** SHA-256 of the key, hex: how a Basic request finds its key. */
  key_digest: string;
  /** The key sealed under the master key (context `api-key:<id>`), so the portal can reveal it. */
  key_sealed: string;
  status: CredentialStatus;
  created_at: number;
  status_changed_at: number;
  /** When Basic authentication with the key last succeeded, written at most once a minute per instance; null: never. */
  last_used_at: number | null;
}

/** RaaS data is scoped by platform: every key starts with platform_id. */
export interface CustomersTable {
  platform_id: string;
  customer_identifier: string;
  display_name: string;
  /** Tango's status values, e.g. ACTIVE. */
  status: string;
  created_at: number;
}

export interface AccountsTable {
  platform_id: string;
  account_identifier: string;
  customer_identifier: string;
  account_number: string;
  display_name: string;
  contact_email: string;
  currency_code: string;
  /** Minor units (cents), so balances never meet floating-point rounding in the store. */
  balance_cents: number;
  status: string;
  created_at: number;
}

/**
 * A credit card registered to fund an account (raas/funding.ts). Never its number, not even hashed, nor its
 * security code: only the last four digits and the brand, derived from the number when it was registered.
 */
export interface CreditCardsTable {
  platform_id: string;
  /** The card's token (a UUID), what the API names it by. */
  token: string;
  customer_identifier: string;
  account_identifier: string;
  label: string;
  last_four: string;
  /** `visa`, `mastercard`, `amex`, `discover` or `other` (funding/test-cards.ts). */
  brand: string;
  /** YYYY-MM */
  expiration: string;
  /** Tango's contactInformation[] as JSON: who gets the funding confirmation emails. */
  contact_information: string;
  /** 1 for a sandbox card whose charges are declined (funding/test-cards.ts), else 0. */
  declines_charges: number;
  /** Tango's card status: ACTIVE, or INACTIVE once unregistered. */
  status: string;
  created_at: number;
  activated_at: number;
  /** When it was unregistered; null while active. */
  unregistered_at: number | null;
}

/** A deposit charged to a registered card: the amount credited and the fee charged on top, in cents. */
export interface CreditCardDepositsTable {
  platform_id: string;
  /** Tango's referenceDepositID, e.g. RA261128-482913-705118. */
  deposit_id: string;
  account_identifier: string;
  card_token: string;
  /** What the account's balance rose by. */
  amount_cents: number;
  /** The processing fee charged on top of the amount (funding/deposit-fee.ts). */
  fee_cents: number;
  /** The fee rate in basis points (350 = 3.5 %), as it was when charged. */
  fee_basis_points: number;
  /** Tango's deposit status: SUCCESS. */
  status: string;
  created_at: number;
}

export type AuditOutcome = 'success' | 'failure';

/** One entry of a platform's hash chain (store/audit-log.ts): ids only, never a secret. */
export interface AuditLogTable {
  /** `aud_…`, ordered by time (crypto/secrets.ts newTimeOrderedId) */
  id: string;
  platform_id: string;
  /** 1, 2, 3, … per platform: a gap shows a removed entry. */
  seq: number;
  at: number;
  /** A user's email, or `cli`. */
  actor: string;
  action: string;
  target_id: string;
  source_address: string | null;
  user_agent: string | null;
  outcome: AuditOutcome;
  /** The previous entry's hash; 64 zeros (crypto/audit-hash.ts) for the first. */
  prev_hash: string;
  /** sha256(prev_hash + canonical JSON of the other fields), hex. */
  hash: string;
}

/**
 * Where a pruned chain starts (audit/archive-audit.ts): the last archived entry's seq and hash, which the
 * first entry still held links to, and the checkpoint line signed for it (audit/checkpoints.ts).
 */
export interface AuditAnchorsTable {
  platform_id: string;
  seq: number;
  hash: string;
  /** The signed checkpoint, one JSON line as in the checkpoints file: a verifier checks its signature. */
  checkpoint: string;
}

export type UserRole = 'admin' | 'member';

/** A person who signs in to the portal; one platform each (the email is unique across the server). */
export interface UsersTable {
  /** `usr_…` */
  id: string;
  platform_id: string;
  /** Trimmed and lower-cased (accounts/emails.ts). */
  email: string;
  role: UserRole;
  /** scrypt with its parameters and salt (accounts/passwords.ts): never the password. */
  password_hash: string;
  created_at: number;
}

/** A pending invitation to join a platform; deleted when accepted or withdrawn. */
export interface InvitationsTable {
  /** `inv_…` */
  id: string;
  platform_id: string;
  email: string;
  role: UserRole;
  /** SHA-256 of the link's token: the token itself is shown once, to the admin who invited. */
  token_digest: string;
  created_at: number;
  expires_at: number;
}

/** A sign-up waiting for its mailed link to be followed (accounts/verified-sign-up.ts); deleted when used. */
export interface SignUpsTable {
  /** SHA-256 of the link's token: the token itself is only in the mail. */
  token_digest: string;
  /** In the one spelling of accounts/emails.ts. */
  email: string;
  platform_name: string;
  created_at: number;
  expires_at: number;
}

/** A portal session, found by the digest of the cookie's id (a dump holds no usable cookie). */
export interface SessionsTable {
  id_digest: string;
  user_id: string;
  /** The sign-in: the absolute timeout runs from it. */
  created_at: number;
  /** The last password entry (sign-in or re-authentication). */
  authenticated_at: number;
  /** The last request, to the minute: the idle timeout runs from it. */
  last_seen_at: number;
}

/** What a running server tells the `tessera` command through the store (one row per setting). */
/**
 * An audience tokens may be issued for besides the default one (TESSERA_AUDIENCE), with its own token
 * lifetime (issue 22; RFC 8707 §2: the `resource` or `audience` of a token request names it).
 */
export interface AudiencesTable {
  /** The absolute URI, exactly as registered: the token's `aud`, compared as a string (RFC 7519 §4.1.3). */
  url: string;
  /** The lifetime of its tokens, in seconds (60 to 31536000, like TESSERA_TOKEN_TTL). */
  ttl_seconds: number;
  created_at: number;
  updated_at: number;
  /** 1: a protected API, which /forward-auth serves (issue 23); 0: a plain audience. */
  api: Generated<number>;
  /** The Host the API answers on, lowercased (`api.example.com`, `api.example.com:8443`); null: any host. */
  match_host: Generated<string | null>;
  /** The path prefix the API answers under, matched on a segment boundary; '/' at least. */
  match_path_prefix: Generated<string>;
  /** JSON array of the platform names that may call the API; null: every platform. */
  allowed_platforms: Generated<string | null>;
  /** JSON array, a subset of ["oauth_client","api_key"]; null: both. */
  allowed_credential_kinds: Generated<string | null>;
}

export interface ServerSettingsTable {
  /** `public_url`: the base URL the server serves on (TESSERA_PUBLIC_URL, or http://HOST:PORT). */
  name: string;
  value: string;
  updated_at: number;
}

/**
 * A platform's email template for reward emails (raas/email-templates.ts): Tango's fields, with the
 * etid made of `seq` (E000001 for 1). Deleted ones stay, marked, so an etid never names another.
 */
export interface EmailTemplatesTable {
  platform_id: string;
  /** 1, 2, 3, … per platform, never reused: the etid's number. */
  seq: number;
  name: string;
  from_name: string;
  subject: string;
  /** A data: URL of the header image (PNG, JPEG or GIF), or '' for none: what the view's headerImage shows. */
  header_image: string;
  header_image_alt_text: string;
  /** #RRGGBB */
  accent_color: string;
  message_body: string;
  closing: string;
  /** Null: Tango's own customer-service text goes in the email. */
  customer_service_message: string | null;
  /** Tango's accessControls[] and defaults[] as JSON: `[{"type":"ACCOUNT","identifier":"a123456"}]`. */
  access_controls: string;
  defaults: string;
  created_at: number;
  updated_at: number;
  /** When it was deleted; null while live. */
  deleted_at: number | null;
}

/**
 * An order (raas/orders.ts): a reward bought from an account's balance. Amounts in minor units: the reward's
 * in the item's currency, the charge in the account's. The reward's codes are not stored: they are derived
 * from the reference order id (orders/reward-credentials.ts), the same on every read.
 */
export interface OrdersTable {
  platform_id: string;
  /** Tango's referenceOrderID, e.g. RA261128-482913-705118. */
  reference_order_id: string;
  /** The caller's idempotency key: unique on the platform when given. */
  external_ref_id: string | null;
  /** SHA-256 of the order's criteria, to tell a retry of the same order from another order under the same externalRefID. */
  criteria_digest: string;
  customer_identifier: string;
  account_identifier: string;
  utid: string;
  reward_name: string;
  /** The reward's face value, in minor units of `reward_currency`. */
  reward_minor: number;
  reward_currency: string;
  /** What the account's balance went down by, in minor units of `charged_currency` (the account's). */
  charged_minor: number;
  fee_minor: number;
  charged_currency: string;
  /** The exchange rate applied, as its exact decimal text (`1.3599`); `1` for the same currency. */
  exchange_rate: string;
  send_email: number;
  /** RecipientInfoView and SenderInfoView as JSON. */
  recipient: string;
  sender: string;
  message: string;
  notes: string;
  email_subject: string;
  campaign: string;
  /** The email template the reward email uses ('' for Tango's own). */
  etid: string;
  status: string;
  created_at: number;
}

/** A resend of an order's reward email (POST /orders/{referenceOrderID}/resends): recorded, no mail is sent. */
export interface OrderResendsTable {
  platform_id: string;
  /** The resend's number on its platform (ResendView.id): 1, 2, 3, … */
  id: number;
  reference_order_id: string;
  email: string;
  created_at: number;
}

/**
 * A client's own token limits (issue 22, per-client limits): they replace the default ones
 * (TESSERA_CLIENT_TOKENS_PER_HOUR, …_PER_DAY, …_LIMIT_MODE) for this client. Null: no limit in that window.
 */
export interface ClientTokenLimitsTable {
  client_id: string;
  per_hour: number | null;
  per_day: number | null;
  /** `enforce` or `observe`. */
  mode: string;
  updated_at: number;
}

export interface Schema {
  platforms: PlatformsTable;
  oauth_clients: OAuthClientsTable;
  signing_keys: SigningKeysTable;
  revoked_tokens: RevokedTokensTable;
  api_keys: ApiKeysTable;
  customers: CustomersTable;
  accounts: AccountsTable;
  credit_cards: CreditCardsTable;
  credit_card_deposits: CreditCardDepositsTable;
  audit_log: AuditLogTable;
  audit_anchors: AuditAnchorsTable;
  users: UsersTable;
  invitations: InvitationsTable;
  sign_ups: SignUpsTable;
  sessions: SessionsTable;
  server_settings: ServerSettingsTable;
  audiences: AudiencesTable;
  client_token_limits: ClientTokenLimitsTable;
  email_templates: EmailTemplatesTable;
  orders: OrdersTable;
  order_resends: OrderResendsTable;
}
