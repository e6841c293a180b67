import type { FastifyBaseLogger } from 'fastify';
import { PASSWORD_COST, PasswordHasher, type ScryptCost } from './accounts/passwords.js';
import type { SessionPolicy } from './accounts/sessions.js';
import { SignInThrottle } from './accounts/sign-in-throttle.js';
import { signUpRecipientThrottle, signUpThrottle } from './accounts/sign-up-throttle.js';
import { FailureThrottle } from './credentials/failure-throttle.js';
import type { Cache } from './cache/cache.js';
import { type Catalog, loadCatalog } from './catalog/catalog.js';
import { type ExchangeRates, loadExchangeRates } from './catalog/exchange-rates.js';
import { openCache } from './cache/open-cache.js';
import { logAtMostEvery } from './log/log-at-most-every.js';
import { type Mailer, openMailer } from './mail/mailer.js';
import { type Metrics, NO_METRICS } from './metrics/metrics.js';
import type { PrometheusMetrics } from './metrics/prometheus-metrics.js';
import { clientCredentialsGrant } from './oauth/grants/client-credentials.js';
import type { Grant } from './oauth/grants/grant.js';
import { ClientCache } from './oauth/client-cache.js';
import { AudienceRegistry } from './credentials/audience-registry.js';
import { RefusalWindows } from './audit/record-token-refusal.js';
import { AuditUpkeep } from './audit/audit-upkeep.js';
import { AuditKeys } from './crypto/audit-signing-key.js';
import { ApiGuard } from './auth/api-guard.js';
import { DEFAULT_SCOPE } from './credentials/scopes.js';
import { SessionCookie } from './portal/session-cookie.js';
import { Readiness } from './health/readiness.js';
import { auditCheckpointsFile, type Config } from './config/config.js';
import { loadMasterKey } from './crypto/master-key.js';
import { SealedBox } from './crypto/sealed-box.js';
import { KeyRing } from './tokens/key-ring.js';
import { ApiKeyStore } from './store/api-keys.js';
import { AuditLogStore } from './store/audit-log.js';
import { AudienceStore } from './store/audiences.js';
import { ClientTokenLimitStore } from './store/client-token-limits.js';
import { CustomerStore } from './store/customers.js';
import { EmailTemplateStore } from './store/email-templates.js';
import { FundingStore } from './store/funding.js';
import { OrderStore } from './store/orders.js';
import { type Database, openDatabase } from './store/database.js';
import { migrateToLatest } from './store/migrations.js';
import { waitForDatabase } from './store/wait-for-database.js';
import { OAuthClientStore } from './store/oauth-clients.js';
import { PlatformStore } from './store/platforms.js';
import { RevokedTokenStore } from './store/revoked-tokens.js';
import { InvitationStore } from './store/invitations.js';
import { hasSealedData } from './store/sealed-data.js';
import { SessionStore } from './store/sessions.js';
import { SignUpStore } from './store/sign-ups.js';
import { SigningKeyStore } from './store/signing-keys.js';
import { UserStore } from './store/users.js';

/** How often each instance re-reads the signing keys from the store. */
export const KEY_REFRESH_INTERVAL_MS = 5_000;

/** Everything the app and the `tessera` command work with, opened once per process. */
export interface Services {
  config: Config;
  database: Database;
  cache: Cache;
  /** Seals secrets at rest (API keys, signing keys) under the master key. */
  sealedBox: SealedBox;
  /** The JWT signing keys (not RaaS API keys: those are {@link apiKeys}). */
  signingKeys: KeyRing;
  platforms: PlatformStore;
  oauthClients: OAuthClientStore;
  revokedTokens: RevokedTokenStore;
  /** Failed authentications per address, shared by the token endpoint and the API guard. */
  throttle: FailureThrottle;
  apiKeys: ApiKeyStore;
  customers: CustomerStore;
  /** The reward catalog (TESSERA_CATALOG_FILE or the seed) and the exchange rates (TESSERA_EXCHANGE_RATES_FILE or the seed): catalog/. */
  catalog: Catalog;
  exchangeRates: ExchangeRates;
  /** The platforms' email templates for reward emails (email-templates/). */
  emailTemplates: EmailTemplateStore;
  /** Registered credit cards and the deposits charged to them (raas/funding.ts). */
  funding: FundingStore;
  /** Orders: rewards bought from the accounts' balances (raas/orders.ts). */
  orders: OrderStore;
  /** Every credential action, hash-chained per platform. */
  auditLog: AuditLogStore;
  /** The Ed25519 key that signs audit checkpoints, kept out of the store (TESSERA_AUDIT_SIGNING_KEY or DATA_DIR/audit-signing-key), loaded on first use. */
  auditKeys: AuditKeys;
  /** Periodic audit checkpoints and retention (audit/audit-upkeep.ts): started by main.ts alone, as the key ring's refresh. */
  auditUpkeep: AuditUpkeep;
  /** The portal's people, their pending invitations and their sessions (accounts/). */
  users: UserStore;
  invitations: InvitationStore;
  sessions: SessionStore;
  sessionPolicy: SessionPolicy;
  passwords: PasswordHasher;
  /** Failed portal sign-ins per account and per address (not shared with {@link throttle}). */
  signInThrottle: SignInThrottle;
  /** Portal sign-ups per address (TESSERA_SIGNUP_LIMIT an hour). */
  signUpThrottle: FailureThrottle;
  /** Verified sign-ups waiting for their mailed link, and the links each address may be sent an hour. */
  signUps: SignUpStore;
  signUpRecipientThrottle: FailureThrottle;
  /** The server's mail: SMTP (TESSERA_SMTP_URL) or the outbox folder (mail/). */
  mail: Mailer;
  /** The clock, in epoch milliseconds; tests freeze it. */
  now: () => number;
  /** The token endpoint's grants, one module each (RFC 6749 §4.4): the metadata and the metrics' labels list these same ones. */
  grants: readonly Grant[];
  /**
   * The OAuth clients as client authentication and the grant read them, remembered between requests
   * (oauth/client-cache.ts): one per process, whatever number of apps it serves, listening for announced changes.
   */
  clientCache: ClientCache;
  /** The quota refusal windows already recorded in the audit log (audit/record-token-refusal.ts). */
  refusalWindows: RefusalWindows;
  /** The registered audiences in the store (credentials/audiences.ts: `tessera audience`). */
  audiences: AudienceStore;
  /** Clients' own token limits (credentials/client-token-limits.ts: `tessera client limits`, the portal). */
  clientTokenLimits: ClientTokenLimitStore;
  /** The audiences the token endpoint issues for, as this process last read them, listening for announced changes. */
  audienceRegistry: AudienceRegistry;
  /** The one guard of /raas/v2 (Bearer | Basic → Principal), its memory of verified credentials and of API keys' last use. */
  apiGuard: ApiGuard;
  /** The guard of forward auth (forward-auth/): tokens of any audience this server issues for, each API checking its own. */
  forwardAuthGuard: ApiGuard;
  /** The portal's session cookie, named and flagged by the public URL's scheme. */
  sessionCookie: SessionCookie;
  /** /readyz's check of the store and Redis, one at a time (health/readiness.ts). */
  readiness: Readiness;
  /** Where the domain counts what operators watch ({@link NO_METRICS} when TESSERA_METRICS is off)… */
  metrics: Metrics;
  /** …and the registry that /metrics serves them from, with the HTTP requests' (undefined when off). */
  exporter: PrometheusMetrics | undefined;
}

export interface ServiceOptions {
  /** Where the services warn (a lost key file, Redis away): the server's pino, or the command's stderr. */
  log: Pick<FastifyBaseLogger, 'warn'>;
  now?: () => number;
  /** The scrypt cost of new password hashes; tests lower it to stay fast. */
  passwordCost?: ScryptCost;
  /**
   * Whether the guard and the client cache listen for announced credential changes (default true). The
   * `tessera` command serves no requests: it passes false and opens no Redis subscriber connection.
   */
  listen?: boolean;
}

/** Opens the store (migrating it), the cache and the master key, and loads the signing keys. */
export async function openServices(config: Config, options: ServiceOptions): Promise<Services> {
  const now = options.now ?? Date.now;
  const grants: readonly Grant[] = [clientCredentialsGrant];
  // First: a bad catalog or rates file stops start-up before the store is touched (a ConfigError naming the field).
  const catalog = loadCatalog(config.catalogFile);
  const exchangeRates = loadExchangeRates(config.exchangeRatesFile);
  // Loaded only when on: the `tessera` command turns metrics off and does without prom-client.
  const exporter = config.metrics
    ? new (await import('./metrics/prometheus-metrics.js')).PrometheusMetrics({ grantTypes: grants.map((grant) => grant.grantType) })
    : undefined;
  const metrics = exporter ?? NO_METRICS;
  const database = openDatabase({
    ...config,
    onError: (error) => {
      metrics.storeError();
      options.log.warn({ err: error }, 'PostgreSQL connection error');
    },
    onQueryError: () => metrics.storeError(),
  });
  try {
    await waitForDatabase(database, { timeoutMs: config.storeConnectTimeoutSeconds * 1000, onRetry: (message) => options.log.warn(message) });
    await migrateToLatest(database.db);
    // With sealed data in the store a new key would open nothing: only then may one be generated.
    const masterKey = await loadMasterKey(config.masterKey, config.dataDir, options.log, {
      mayCreate: async () => !(await hasSealedData(database.db)),
      store: database.location,
    });
    const sealedBox = new SealedBox(masterKey.key, masterKey.source);
    const audiences = new AudienceStore(database.db);
    const signingKeys = new KeyRing(new SigningKeyStore(database.db), sealedBox, {
      algorithm: config.signingAlgorithm,
      // A retired key verifies every token it signed until the longest of them expires: the default
      // audience's lifetime or a registered audience's, whichever is longer (plus a minute of leeway).
      keepRetiredMs: async () => (Math.max(config.tokenTtlSeconds, (await audiences.longestTtlSeconds()) ?? 0) + 60) * 1000,
      refreshIntervalMs: KEY_REFRESH_INTERVAL_MS,
      now,
    });
    await signingKeys.load();
    const cache = await openCache({
      redisUrl: config.redisUrl,
      prefix: config.redisKeyPrefix,
      now,
      onError: countedThen(metrics, logAtMostEvery(60_000, (error: Error) => options.log.warn({ err: error }, 'Redis unavailable: going on without it'), now)),
    });
    const oauthClients = new OAuthClientStore(database);
    const revokedTokens = new RevokedTokenStore(database.db);
    const apiKeys = new ApiKeyStore(database.db);
    const throttle = new FailureThrottle(cache, config.authFailureLimit, config.authFailureWindowSeconds * 1000, options.log, now);
    // The long-lived objects of the HTTP surfaces are made here, once, and handed to the route plugins
    // (app.ts): two apps on these services share their memory, and closeServices stops them.
    const clientCache = new ClientCache(oauthClients, database, cache, now);
    const audienceRegistry = new AudienceRegistry(audiences, database, cache, config, now);
    const apiGuard = new ApiGuard(
      { config, signingKeys, revokedTokens, oauthClients, apiKeys, throttle, cache, database, metrics, now },
      { realm: config.audience, requiredScope: DEFAULT_SCOPE, log: options.log },
    );
    // Its own memory, apart from /raas/v2's: a token verified for any audience is never served to a guard that wants one.
    const forwardAuthGuard = new ApiGuard(
      { config, signingKeys, revokedTokens, oauthClients, apiKeys, throttle, cache, database, metrics, now },
      { realm: config.publicUrl, audience: null, log: options.log },
    );
    const auditLog = new AuditLogStore(database.db);
    const auditKeys = new AuditKeys(config.auditSigningKey, config.dataDir, options.log);
    const auditUpkeep = new AuditUpkeep(
      { auditLog, auditKeys, cache, now },
      {
        checkpointsFile: auditCheckpointsFile(config),
        checkpointIntervalMs: config.auditCheckpointIntervalSeconds * 1000,
        retentionMs: config.auditRetentionDays === undefined ? undefined : config.auditRetentionDays * 86_400_000,
        archiveDir: config.dataDir,
      },
    );
    if (options.listen ?? true) {
      await clientCache.start();
      await apiGuard.start();
      await forwardAuthGuard.start();
      await audienceRegistry.start();
    }
    return {
      config,
      database,
      cache,
      sealedBox,
      signingKeys,
      platforms: new PlatformStore(database.db),
      oauthClients,
      revokedTokens,
      apiKeys,
      customers: new CustomerStore(database.db),
      catalog,
      exchangeRates,
      emailTemplates: new EmailTemplateStore(database.db),
      funding: new FundingStore(database.db),
      orders: new OrderStore(database.db),
      auditLog,
      auditKeys,
      auditUpkeep,
      throttle,
      users: new UserStore(database.db),
      invitations: new InvitationStore(database.db),
      sessions: new SessionStore(database.db),
      sessionPolicy: { idleMs: config.sessionIdleMinutes * 60_000, maxMs: config.sessionMaxHours * 3_600_000 },
      passwords: new PasswordHasher(options.passwordCost ?? PASSWORD_COST, { atOnce: config.passwordHashes }),
      signInThrottle: new SignInThrottle(cache, options.log, now),
      signUpThrottle: signUpThrottle(cache, config.signUpLimit, options.log, now),
      signUps: new SignUpStore(database.db),
      signUpRecipientThrottle: signUpRecipientThrottle(cache, options.log, now),
      mail: openMailer(config, options.log, now),
      now,
      metrics,
      exporter,
      grants,
      clientCache,
      refusalWindows: new RefusalWindows(),
      audiences,
      clientTokenLimits: new ClientTokenLimitStore(database.db),
      audienceRegistry,
      apiGuard,
      forwardAuthGuard,
      sessionCookie: new SessionCookie(config.publicUrl),
      readiness: new Readiness(database, cache),
    };
  } catch (error) {
    await database.db.destroy();
    throw error;
  }
}

/** Every Redis error is counted, though only one a minute is logged. */
function countedThen(metrics: Metrics, log: (error: Error) => void): (error: Error) => void {
  return (error) => {
    metrics.redisError();
    log(error);
  };
}

export async function closeServices(services: Services): Promise<void> {
  services.signingKeys.stopRefresh();
  services.auditUpkeep.stop();
  // Before the cache closes: they stop listening on it.
  services.apiGuard.stop();
  services.forwardAuthGuard.stop();
  services.clientCache.stop();
  services.audienceRegistry.stop();
  // Mail handed over before the close still goes (an answer said it was sent), and the API keys' last uses
  // waiting for their batch are written.
  await Promise.all([services.mail.close(), services.apiGuard.flushLastUse(), services.forwardAuthGuard.flushLastUse()]);
  await services.cache.close();
  await services.database.db.destroy();
}
