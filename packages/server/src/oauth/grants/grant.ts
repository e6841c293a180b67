import type { Config } from '../../config/config.js';
import type { OAuthClientStore } from '../../store/oauth-clients.js';
import type { KeyRing } from '../../tokens/key-ring.js';
import type { AudienceRegistry } from '../../credentials/audience-registry.js';
import type { QuotaDeps, QuotaRequest } from '../quota.js';
import type { TokenParameters } from '../token-parameters.js';

/** RFC 6749 §5.1 successful token response. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/** What a grant uses: the settings of tokens and the quota, the quota in the store, the signer, the audit log, the clock. */
export interface GrantDeps extends QuotaDeps {
  config: Pick<Config, 'publicUrl' | 'audience' | 'quotaIntervalSeconds' | 'tokenPolicy' | 'tokenTtlSeconds'>;
  oauthClients: Pick<OAuthClientStore, 'claimQuota'>;
  signingKeys: Pick<KeyRing, 'signer'>;
  /** The audiences tokens may be for, with their lifetimes (credentials/audience-registry.ts). */
  audienceRegistry: Pick<AudienceRegistry, 'resolve'>;
}

/** A token request of an authenticated client, its quota not held by its row. */
export interface GrantContext extends QuotaRequest {
  params: TokenParameters;
  deps: GrantDeps;
}

/** One grant type of the token endpoint. */
export interface Grant {
  grantType: string;
  handle(context: GrantContext): Promise<TokenResponse>;
}
