import type { Config } from './config.js';

/**
 * The token policy in force (issue 22), in numbers: under `quota` one new token per client per interval
 * (TESSERA_QUOTA_INTERVAL), under `rate` at most so many token requests per client per second
 * (TESSERA_TOKEN_RATE); and how long a token of the default audience lives (TESSERA_TOKEN_TTL).
 */
export type TokenPolicyInForce =
  | { policy: 'quota'; intervalSeconds: number; tokenLifetimeSeconds: number }
  | { policy: 'rate'; requestsPerSecond: number; tokenLifetimeSeconds: number };

/**
 * The one reading of the token policy settings that the surfaces describe: the metadata document
 * (oauth/metadata-endpoint.ts, RFC 8414 §2) and the portal's client list each say it in their own casing.
 */
export function tokenPolicyInForce(config: Pick<Config, 'tokenPolicy' | 'tokenRate' | 'quotaIntervalSeconds' | 'tokenTtlSeconds'>): TokenPolicyInForce {
  const tokenLifetimeSeconds = config.tokenTtlSeconds;
  return config.tokenPolicy === 'rate'
    ? { policy: 'rate', requestsPerSecond: config.tokenRate, tokenLifetimeSeconds }
    : { policy: 'quota', intervalSeconds: config.quotaIntervalSeconds, tokenLifetimeSeconds };
}
