/**
 * `@tessera/client` — a token manager for OAuth 2.0 client credentials that never burns a token
 * quota (Tessera's and Tango's: one new token per client per 20 hours), shared token stores,
 * a Basic auth helper for API keys, and presets for Tango's environments.
 *
 * @packageDocumentation
 */
export { TokenManager } from './token-manager.js';
export type { TokenManagerOptions, TokenManagerLogger, AccessTokenInfo } from './token-manager-options.js';
export type { TokenStore, TokenRecord, TokenLock, StoreSnapshot } from './token-store.js';
export { MemoryTokenStore } from './memory-token-store.js';
export { defaultTokenFile, FileTokenStore } from './file-token-store.js';
export type { FileTokenStoreOptions } from './file-token-store.js';
export { RedisTokenStore } from './redis-token-store.js';
export type { RedisConnection, RedisTokenStoreOptions } from './redis-token-store.js';
export { basicAuthorization } from './basic-auth.js';
export { tokenCacheKey, DEFAULT_SCOPE } from './cache-key.js';
export { defaultAudience } from './default-audience.js';
export { TANGO_SANDBOX, TANGO_PRODUCTION, tangoPresets, tesseraPreset } from './presets.js';
export type { AuthPreset } from './presets.js';
export {
  TokenError,
  InvalidArgumentError,
  InvalidClientError,
  RateLimitedError,
  TokenRequestError,
  InvalidResponseError,
  NetworkError,
  StoreError,
  LockTimeoutError,
  OriginNotAllowedError,
} from './errors.js';
export type { TokenErrorCode } from './errors.js';
