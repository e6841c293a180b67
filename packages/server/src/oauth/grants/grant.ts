import type { Services } from '../../services.js';
import type { AuthenticatedClient } from '../client-auth.js';
import type { TokenParameters } from '../token-parameters.js';

/** RFC 6749 §5.1 successful token response. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

export interface GrantContext {
  params: TokenParameters;
  client: AuthenticatedClient;
  services: Services;
}

/** One grant type of the token endpoint. */
export interface Grant {
  grantType: string;
  handle(context: GrantContext): Promise<TokenResponse>;
}
