import { type AuditActor, auditEntry } from '../../audit/record-audit.js';
import { quotaIntervalMs } from '../../config/config.js';
import { issueAccessToken } from '../../tokens/access-token.js';
import { invalidClient, OAuthError, excerpt } from '../oauth-error.js';
import { quotaRefusal } from '../quota.js';
import { tokenAudience } from '../token-audience.js';
import { DEFAULT_SCOPE } from '../../credentials/scopes.js';
import type { Grant, GrantContext, TokenResponse } from './grant.js';

/**
 * RFC 6749 §4.4: the client credentials grant, with Tango's quota of one new token per interval: the
 * token endpoint has already refused a client whose row holds the quota (oauth/quota.ts), and the
 * store's claim decides the rest.
 */
export const clientCredentialsGrant: Grant = {
  grantType: 'client_credentials',
  async handle(context: GrantContext): Promise<TokenResponse> {
    const { params, client, deps } = context;
    const { config } = deps;
    // RFC 8707 §2: `audience` or `resource`, default or registered; its lifetime is the token's.
    const { audience, ttlSeconds } = await tokenAudience(deps.audienceRegistry, params, config.audience);
    const scope = grantedScope(params.scope, client.scopes);

    const now = deps.now();
    // Signed before the claim, which commits the quota and the token_issued entry together: a token
    // exists only if both did. A token signed for a claim that loses a race is dropped, never sent.
    const { token } = await issueAccessToken(deps.signingKeys, {
      issuer: config.publicUrl,
      audience,
      clientId: client.client_id,
      platform: client.platform_name,
      scope,
      ttlSeconds,
      // A client re-activated within the second of its deactivation: its new token's `iat` must not
      // fall before the line the deactivation drew, or it would be born invalid (and the quota spent).
      now: Math.max(now, client.tokens_not_before ?? 0),
    });
    const who: AuditActor = { actor: client.client_id, ...context.origin };
    const issued = auditEntry(deps, who, { action: 'token_issued', targetId: client.client_id });
    // Under the `rate` policy no interval holds (0): the claim records the issuance and its entry alone.
    const claim = await deps.oauthClients.claimQuota(client, now, quotaIntervalMs(config), issued);
    if (!claim.granted) {
      // Deactivated between authentication and the claim: it is no longer a valid client.
      if (claim.status !== 'active') throw invalidClient(config.publicUrl, `client ${client.client_id} was deactivated during the request`);
      throw await quotaRefusal(deps, context, claim.lastIssuedAt);
    }
    return { access_token: token, token_type: 'Bearer', expires_in: ttlSeconds, scope };
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
