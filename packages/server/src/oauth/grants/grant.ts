import type { TokenRefusalDeps } from '../../audit/record-token-refusal.js';
import type { Config } from '../../config.js';
import type { Metrics } from '../../metrics/metrics.js';
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

/** What a grant uses: the settings of tokens and the quota, the quota in the store, the signer, the audit log, the clock. */
export interface GrantDeps extends TokenRefusalDeps {
  config: Pick<Config, 'publicUrl' | 'audience' | 'quotaIntervalSeconds' | 'tokenTtlSeconds'>;
  oauthClients: Pick<OAuthClientStore, 'claimQuota'>;
  signingKeys: Pick<KeyRing, 'signer'>;
  now: () => number;
  /** Told of each refusal by the quota; none by default. */
  metrics?: Pick<Metrics, 'quotaRefused'>;
}

export interface GrantContext {
  params: TokenParameters;
  client: AuthenticatedClient;
  /** Where the request came from, for the audit log. */
  origin: { sourceAddress: string; userAgent: string | null };
  /** Hears a refusal that could not be recorded. */
  onAuditError: (error: unknown) => void;
  deps: GrantDeps;
}

/** One grant type of the token endpoint. */
export interface Grant {
  grantType: string;
  handle(context: GrantContext): Promise<TokenResponse>;
}
