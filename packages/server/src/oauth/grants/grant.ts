import type { Config } from '../../config.js';
import type { OAuthClientStore } from '../../store/oauth-clients.js';
import type { AuthenticatedClient } from '../client-auth.js';
import type { KeyRing } from '../key-ring.js';
import type { TokenParameters } from '../token-parameters.js';

/** RFC 6749 §5.1 successful token response. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/** What a grant uses: the settings of tokens and the quota, the quota in the store, the signer, the clock. */
export interface GrantDeps {
  config: Pick<Config, 'publicUrl' | 'audience' | 'quotaIntervalSeconds' | 'tokenTtlSeconds'>;
  oauthClients: Pick<OAuthClientStore, 'claimQuota' | 'releaseQuota'>;
  signingKeys: Pick<KeyRing, 'signer'>;
  now: () => number;
}

export interface GrantContext {
  params: TokenParameters;
  client: AuthenticatedClient;
  deps: GrantDeps;
}

/** One grant type of the token endpoint. */
export interface Grant {
  grantType: string;
  handle(context: GrantContext): Promise<TokenResponse>;
}
