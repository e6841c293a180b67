import { issueAccessToken } from '../access-token.js';
import { invalidClient, OAuthError, excerpt } from '../oauth-error.js';
import { DEFAULT_SCOPE } from '../../credentials/scopes.js';
import type { Grant, GrantContext, TokenResponse } from './grant.js';

/** RFC 6749 §4.4: the client credentials grant, with Tango's quota of one new token per interval. */
export const clientCredentialsGrant: Grant = {
  grantType: 'client_credentials',
  async handle({ params, client, deps }: GrantContext): Promise<TokenResponse> {
    const { config } = deps;
    const audience = params.audience ?? config.audience;
    // RFC 8707 §2: a target the server does not serve is invalid_target.
    if (audience !== config.audience) {
      throw new OAuthError('invalid_target', `Unknown audience ${excerpt(audience)}: tokens here are for the audience ${excerpt(config.audience, 200)}`);
    }
    const scope = grantedScope(params.scope, client.scopes);

    const now = deps.now();
    const claim = await deps.oauthClients.claimQuota(client.client_id, now, config.quotaIntervalSeconds * 1000);
    if (!claim.granted) {
      // Deactivated between authentication and the claim: it is no longer a valid client.
      if (claim.status !== 'active') throw invalidClient(config.publicUrl, `client ${client.client_id} was deactivated during the request`);
      // RFC 9110 §10.2.3. Never more than the interval: an instance whose clock is behind the one that
      // issued (or a claim in this very millisecond, rounded up) would otherwise say interval + 1.
      const wait = Math.ceil(((claim.lastIssuedAt ?? now) + config.quotaIntervalSeconds * 1000 - now) / 1000);
      const retryAfter = Math.min(config.quotaIntervalSeconds, Math.max(1, wait));
      throw new OAuthError('rate_limit_exceeded', `Client ${client.name} ${client.client_id} has exceeded the daily rate limit`, {
        headers: { 'Retry-After': String(retryAfter) },
      });
    }

    try {
      const { token } = await issueAccessToken(deps.signingKeys, {
        issuer: config.publicUrl,
        audience,
        clientId: client.client_id,
        platform: client.platform_name,
        scope,
        ttlSeconds: config.tokenTtlSeconds,
        // A client re-activated within the second of its deactivation: its new token's `iat` must not
        // fall before the line the deactivation drew, or it would be born invalid (and the quota spent).
        now: Math.max(now, client.tokens_not_before ?? 0),
      });
      return { access_token: token, token_type: 'Bearer', expires_in: config.tokenTtlSeconds, scope };
    } catch (error) {
      // Nothing was issued: give the quota back.
      await deps.oauthClients.releaseQuota(client.client_id, now);
      throw error;
    }
  },
};

/** RFC 6749 §3.3: the requested scope (default raas.all), refused when the client may not have all of it. */
function grantedScope(requested: string | undefined, allowed: string): string {
  const scopes = (requested ?? DEFAULT_SCOPE).split(' ').filter(Boolean);
  const allowedScopes = new Set(allowed.split(' '));
  const refused = scopes.filter((s) => !allowedScopes.has(s));
  if (scopes.length === 0) return DEFAULT_SCOPE;
  if (refused.length > 0) throw new OAuthError('invalid_scope', `The client may not request the scope ${excerpt(refused.join(' '))}`);
  return [...new Set(scopes)].join(' ');
}
