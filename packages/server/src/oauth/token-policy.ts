import type { Config } from '../config/config.js';
import { heldQuotaRefusal, quotaLimits, type QuotaDeps, type QuotaRequest } from './quota.js';
import type { ServiceLimit } from './ratelimit-headers.js';
import { checkTokenRate, type RateCheck, type RateDeps } from './token-rate.js';

/** What the token policy in force uses: the quota's deps and the rate's (TESSERA_TOKEN_POLICY picks). */
export interface TokenPolicyDeps extends Omit<QuotaDeps, 'config' | 'metrics'>, Omit<RateDeps, 'config' | 'metrics'> {
  config: QuotaDeps['config'] & RateDeps['config'] & Pick<Config, 'tokenPolicy'>;
  metrics?: NonNullable<QuotaDeps['metrics']> & NonNullable<RateDeps['metrics']>;
}

/** What the policy says of a token request before its grant: its refusal, or the client's standing (the RateLimit fields'). */
export type PolicyCheck = RateCheck;

/**
 * The token policy in force (issue 22), asked once per request of an authenticated client, before its
 * grant (token-endpoint.ts, steps 2 and 5):
 * - `quota`: the seed's one token per interval, as far as the client's row tells it (quota.ts); the
 *   store's claim decides the rest. r = 1 while the client may have its token.
 * - `rate`: Tango's requests per second per client, counted in the shared cache (token-rate.ts).
 */
export async function checkTokenPolicy(deps: TokenPolicyDeps, request: QuotaRequest, onCacheError: (error: unknown) => void): Promise<PolicyCheck> {
  if (deps.config.tokenPolicy === 'rate') return checkTokenRate(deps, request, onCacheError);
  const refusal = await heldQuotaRefusal(deps, request);
  return refusal ? { refusal } : { limits: quotaLimits(deps.config.quotaIntervalSeconds, 1) };
}

/**
 * The client's standing once its token is issued: under `quota`, its one token of the interval spent
 * (r = 0, t the whole interval); under `rate`, undefined — the count before the grant already held this
 * request.
 */
export function limitsAfterGrant(config: Pick<Config, 'tokenPolicy' | 'quotaIntervalSeconds'>): readonly ServiceLimit[] | undefined {
  if (config.tokenPolicy === 'rate') return undefined;
  return quotaLimits(config.quotaIntervalSeconds, 0, config.quotaIntervalSeconds);
}
