import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { Cache } from '../cache/cache.js';
import type { Database } from '../store/database.js';
import { CREDENTIAL_STATUS_CHANNEL, parseCredentialChange, STATUS_RECHECK_MS } from '../credentials/credential-events.js';
import type { FailureThrottle } from '../credentials/failure-throttle.js';
import { CLOCK_TOLERANCE_SECONDS } from '../tokens/access-token.js';
import type { TokenStatusDeps, TokenVerificationDeps } from '../tokens/live-token.js';
import { hasCode } from '../errors/tessera-error.js';
import { logAtMostEvery } from '../log/log-at-most-every.js';
import { type Metrics, NO_METRICS } from '../metrics/metrics.js';
import { ApiKeyLastUse } from './api-key-last-use.js';
import { AuthError, credentialsRequired, insufficientScope, invalidCredentials } from './auth-error.js';
import { LruCache } from '../cache/lru.js';
import { apiKeyPrincipal, type ApiKeyLookupDeps, type ApiKeyPrincipal, liveTokenClient, tokenPrincipal, type TokenPrincipal, verifyBearerToken } from './verify-credential.js';
import { assertWellFormed, type PresentedCredential, readPresentedCredential } from './presented-credential.js';
import type { Principal } from './principal.js';

/** How many verified credentials each instance keeps per scheme. */
export const MAX_CACHED_CREDENTIALS = 10_000;

interface BearerEntry {
  /** Its credential holds the client, the token's id (jti), audience and scopes. */
  principal: TokenPrincipal;
  /** The `platform` claim, checked against the client's platform on every status read. */
  platformClaim: string;
  /** The `iat` claim, checked against the client's last deactivation on every status read. */
  issuedAt: number;
  /** The signing key: when the key ring drops it, the token is verified again (and fails). */
  kid: string;
  /** When the token stops being valid: `exp` plus the clock tolerance verification allows. */
  expiresAt: number;
  /** When the client's status and the token's revocation were last read from the store. */
  checkedAt: number;
}

interface BasicEntry {
  /** Its credential holds the key's id. */
  principal: ApiKeyPrincipal;
  checkedAt: number;
}

/** What the guard reads: token verification and status, API keys, the throttle, announced changes. */
export interface GuardDeps extends TokenVerificationDeps, TokenStatusDeps, ApiKeyLookupDeps {
  throttle: Pick<FailureThrottle, 'check' | 'recordFailure'>;
  cache: Pick<Cache, 'subscribe'>;
  /** Commits by other connections, announced to no one (SQLite and the `tessera` command without Redis); none by default. */
  database?: Pick<Database, 'watchChangesElsewhere'>;
  /** Told whether each request was served from memory; none by default. */
  metrics?: Pick<Metrics, 'credentialCacheLookup'>;
}

export interface GuardOptions {
  /** The realm of the challenges (RFC 7235 §2.2). */
  realm: string;
  /** The scope an access token needs (API keys hold every scope); none by default. */
  requiredScope?: string;
  /**
   * The audience tokens must be for: TESSERA_AUDIENCE by default (/raas/v2's); null for any audience
   * this server issues for, the caller comparing the principal's to the API's (forward-auth/).
   */
  audience?: string | null;
  maxEntries?: number;
  /** Where a failure to write an API key's last use is told (once a minute at most). */
  log?: Pick<FastifyBaseLogger, 'warn'>;
}

/**
 * The one guard of every /raas/v2 route: `Authorization: Bearer <access token>` or `Authorization: Basic
 * base64(platformName:apiKey)`, either of which yields a {@link Principal}.
 *
 * Hot path ({@link cached}): a credential verified once is remembered (in memory only) with its principal,
 * its expiry and when its status was last read, so a repeat request costs a map lookup and no promise. Statuses are read again at
 * least every {@link STATUS_RECHECK_MS}, and at once when a change is announced on the cache (Redis
 * pub/sub across instances). A token is verified again when its signing key leaves the key ring.
 *
 * Failed verifications count towards the shared {@link FailureThrottle}; an address over its limit gets
 * 429 before a new credential is verified. A credential already verified is not a guess, so it is served.
 */
export class ApiGuard {
  private readonly bearerCache: LruCache<BearerEntry>;
  private readonly basicCache: LruCache<BasicEntry>;
  /** Writes when each API key was last used, at most once a minute per key, in batches. */
  private readonly lastUse: ApiKeyLastUse;
  /** Bumped on every announced change: a verification that overlapped one is not remembered. */
  private generation = 0;
  /** Whether another connection committed since the last request (store/database.ts). */
  private readonly changedElsewhere: () => boolean;
  /** Stops listening for announced changes; set by {@link start}. */
  private unsubscribe: (() => void) | undefined;
  private readonly metrics: Pick<Metrics, 'credentialCacheLookup'>;

  constructor(
    private readonly deps: GuardDeps,
    private readonly options: GuardOptions,
  ) {
    this.bearerCache = new LruCache(options.maxEntries ?? MAX_CACHED_CREDENTIALS);
    this.basicCache = new LruCache(options.maxEntries ?? MAX_CACHED_CREDENTIALS);
    this.metrics = deps.metrics ?? NO_METRICS;
    this.changedElsewhere = deps.database?.watchChangesElsewhere() ?? (() => false);
    const log = options.log;
    const onError = logAtMostEvery(60_000, (error: unknown) => log?.warn({ err: error }, "an API key's last use was not written"), deps.now);
    this.lastUse = new ApiKeyLastUse(deps.apiKeys, onError, options.maxEntries ?? MAX_CACHED_CREDENTIALS);
  }

  /** Listens for status changes announced by any instance (or the `tessera` command, through Redis). */
  async start(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = await this.deps.cache.subscribe(CREDENTIAL_STATUS_CHANNEL, (message) => this.forget(message));
  }

  /** Stops listening for announced changes (when the app closes). */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** Writes the API keys' last uses still waiting for their batch (when the app closes, before the store does). */
  flushLastUse(): Promise<void> {
    return this.lastUse.flush();
  }

  /**
   * The one credential of the request, read once and handed to {@link cached} and {@link authenticate}.
   * Throws an {@link AuthError} for a request refused on its face (no credentials, credentials twice,
   * another scheme).
   */
  present(request: FastifyRequest): PresentedCredential {
    const presented = readPresentedCredential(request, this.options.realm);
    if (!presented) throw credentialsRequired(this.options.realm);
    return presented;
  }

  /**
   * The hot path, without I/O or promises: the principal of a credential already verified whose status
   * is fresh, or undefined when it must go through {@link authenticate}. Throws an {@link AuthError} for a
   * missing scope.
   */
  cached(presented: PresentedCredential): Principal | undefined {
    // On SQLite, a commit by another connection — the `tessera` command without Redis, which announces its
    // changes to no one — drops everything remembered: a deactivation made there is refused at once.
    if (this.changedElsewhere()) this.forgetAll();
    const now = this.deps.now();
    if (presented.scheme === 'basic') {
      const entry = this.basicCache.get(presented.encoded);
      if (!entry || now - entry.checkedAt >= STATUS_RECHECK_MS) return this.miss();
      this.lastUse.used(entry.principal.credential.keyId, now);
      this.metrics.credentialCacheLookup(true);
      return entry.principal;
    }
    const entry = this.bearerCache.get(presented.token);
    if (!entry || now >= entry.expiresAt || now - entry.checkedAt >= STATUS_RECHECK_MS || !this.deps.signingKeys.verificationKey(entry.kid)) {
      return this.miss();
    }
    this.metrics.credentialCacheLookup(true);
    this.assertScope(entry);
    return entry.principal;
  }

  private assertScope(entry: BearerEntry): void {
    const { requiredScope } = this.options;
    if (requiredScope !== undefined && !entry.principal.credential.scopes.includes(requiredScope)) throw insufficientScope(this.options.realm, requiredScope);
  }

  private miss(): undefined {
    this.metrics.credentialCacheLookup(false);
    return undefined;
  }

  /** The caller, or an {@link AuthError} saying why not: verifies the credential, or re-reads its status. */
  async authenticate(presented: PresentedCredential, ip: string): Promise<Principal> {
    try {
      return presented.scheme === 'bearer' ? await this.bearer(presented, ip) : await this.basic(presented, ip);
    } catch (error) {
      if (error instanceof AuthError && (error.failure === 'invalid_token' || error.failure === 'invalid_credentials')) {
        await this.deps.throttle.recordFailure(ip);
      }
      throw error;
    }
  }

  private async bearer(presented: PresentedCredential & { scheme: 'bearer' }, ip: string): Promise<Principal> {
    const { token } = presented;
    const now = this.deps.now();
    let entry = this.bearerCache.get(token);
    if (entry && (now >= entry.expiresAt || !this.deps.signingKeys.verificationKey(entry.kid))) {
      this.bearerCache.delete(token);
      entry = undefined;
    }
    if (!entry) {
      assertWellFormed(presented, this.options.realm);
      entry = await this.verifyBearer(token, ip, now);
    } else if (now - entry.checkedAt >= STATUS_RECHECK_MS) {
      await this.recheck(token, entry, now);
    }
    this.assertScope(entry);
    return entry.principal;
  }

  private async verifyBearer(token: string, ip: string, now: number): Promise<BearerEntry> {
    await this.deps.throttle.check(ip);
    const generation = this.generation;
    const audience = this.options.audience === undefined ? this.deps.config.audience : this.options.audience;
    const { claims, kid } = await verifyBearerToken(this.deps, this.options.realm, token, now, audience);
    const entry: BearerEntry = {
      principal: await tokenPrincipal(this.deps, this.options.realm, claims),
      platformClaim: claims.platform,
      issuedAt: claims.iat,
      kid,
      expiresAt: (claims.exp + CLOCK_TOLERANCE_SECONDS) * 1000,
      checkedAt: now,
    };
    if (generation === this.generation) this.bearerCache.set(token, entry);
    return entry;
  }

  private async basic(presented: PresentedCredential & { scheme: 'basic' }, ip: string): Promise<Principal> {
    const { encoded } = presented;
    const now = this.deps.now();
    let entry = this.basicCache.get(encoded);
    if (!entry) {
      assertWellFormed(presented, this.options.realm);
      entry = await this.verifyBasic(encoded, ip, now);
    } else if (now - entry.checkedAt >= STATUS_RECHECK_MS) await this.recheck(encoded, entry, now);
    this.lastUse.used(entry.principal.credential.keyId, now);
    return entry.principal;
  }

  private async verifyBasic(encoded: string, ip: string, now: number): Promise<BasicEntry> {
    await this.deps.throttle.check(ip);
    const generation = this.generation;
    const entry: BasicEntry = { principal: await apiKeyPrincipal(this.deps, this.options.realm, encoded), checkedAt: now };
    if (generation === this.generation) this.basicCache.set(encoded, entry);
    return entry;
  }

  /** Reads a remembered credential's status again; forgets it and refuses when it is no longer good. */
  private async recheck(credential: string, entry: BearerEntry | BasicEntry, now: number): Promise<void> {
    const generation = this.generation;
    try {
      if ('kid' in entry) {
        const { clientId, tokenId } = entry.principal.credential;
        await liveTokenClient(this.deps, this.options.realm, { client_id: clientId, jti: tokenId, platform: entry.platformClaim, iat: entry.issuedAt });
      } else if ((await this.deps.apiKeys.status(entry.principal.credential.keyId)) !== 'active') {
        throw invalidCredentials(this.options.realm, `API key ${entry.principal.credential.keyId} is deactivated or gone`);
      }
    } catch (error) {
      // A store that is away refuses nothing: the entry stays, to be read again once it answers.
      if (hasCode(error, 'unavailable')) throw error;
      if ('kid' in entry) this.bearerCache.delete(credential);
      else this.basicCache.delete(credential);
      throw error;
    }
    if (generation === this.generation) entry.checkedAt = now;
  }

  private forgetAll(): void {
    this.generation += 1;
    this.bearerCache.clear();
    this.basicCache.clear();
  }

  /** Applies an announced status change: drops what is remembered about that credential. */
  private forget(message: string): void {
    const change = parseCredentialChange(message);
    if (!change) return this.forgetAll();
    this.generation += 1;
    if (change.type === 'api_key') {
      this.basicCache.deleteWhere((entry) => entry.principal.credential.keyId === change.id);
    } else if (change.type === 'oauth_client') {
      this.bearerCache.deleteWhere((entry) => entry.principal.credential.clientId === change.id);
    } else {
      this.bearerCache.deleteWhere((entry) => entry.principal.credential.tokenId === change.id);
    }
  }
}
