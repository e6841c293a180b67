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
  /** When the last token was issued: the quota clock. */
  last_issued_at: number | null;
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
}

export interface RevokedTokensTable {
  jti: string;
  client_id: string;
  /** The token's own expiry: the row can be purged after it. */
  expires_at: number;
}

export interface Schema {
  platforms: PlatformsTable;
  oauth_clients: OAuthClientsTable;
  signing_keys: SigningKeysTable;
  revoked_tokens: RevokedTokensTable;
}
