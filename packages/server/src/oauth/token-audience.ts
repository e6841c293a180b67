import type { AudienceRegistry, TokenAudience } from '../credentials/audience-registry.js';
import { excerpt, OAuthError } from './oauth-error.js';
import type { TokenParameters } from './token-parameters.js';

/**
 * The audience of a token request and the lifetime of its tokens. It is named by `audience` (as Tango's
 * and Auth0's token requests do) or by `resource` (RFC 8707 §2), or by both if they agree; none means the
 * default audience (RFC 8707 §2: the server may use a predefined default). Several `resource` parameters
 * are refused while the body is parsed (token-parameters.ts): a token here is for one audience.
 * Anything else is `invalid_target` (RFC 8707 §2).
 */
export async function tokenAudience(audiences: Pick<AudienceRegistry, 'resolve'>, params: TokenParameters, defaultAudience: string): Promise<TokenAudience> {
  const { audience, resource } = params;
  if (audience !== undefined && resource !== undefined && audience !== resource) {
    throw new OAuthError('invalid_target', `The audience ${excerpt(audience)} and the resource ${excerpt(resource)} differ: name one audience, with either parameter`);
  }
  const requested = audience ?? resource;
  const resolved = await audiences.resolve(requested);
  if (!resolved) {
    throw new OAuthError(
      'invalid_target',
      `Unknown audience ${excerpt(requested ?? '')}: tokens here are for the default audience ${excerpt(defaultAudience, 200)} or an audience the operator registered`,
    );
  }
  return resolved;
}
