import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../errors/tessera-error.js';

/** Signing algorithms the authorization server can use; all asymmetric (RFC 9068 §2.1 forbids `none`). */
export const SIGNING_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/**
 * The token endpoint's policies (issue 22): `quota`, the seed's one new token per client per
 * TESSERA_QUOTA_INTERVAL; `rate`, Tango's current one, at most TESSERA_TOKEN_RATE token requests per
 * second per client and no interval quota.
 */
export const TOKEN_POLICIES = ['quota', 'rate'] as const;
export type TokenPolicyName = (typeof TOKEN_POLICIES)[number];

/**
 * What a per-client token limit does past its number (issue 22, Auth0's fine-grained token quotas):
 * `enforce` refuses the token with 429; `observe` issues it, and the audit log and a metric say it would have.
 */
export const CLIENT_TOKEN_LIMIT_MODES = ['enforce', 'observe'] as const;
export type ClientTokenLimitMode = (typeof CLIENT_TOKEN_LIMIT_MODES)[number];

/** The largest per-client limit of tokens per hour or per day. */
export const MAX_CLIENT_TOKEN_LIMIT = 1_000_000_000;

export interface Config {
  host: string;
  port: number;
  /** The issuer (`iss`) and the base of every URL the server advertises. */
  publicUrl: string;
  /** The audience (`aud`) of access tokens for the protected API. */
  audience: string;
  dataDir: string;
  /** `postgres://…` or undefined for SQLite in `dataDir`. */
  databaseUrl: string | undefined;
  /** `redis://…` or undefined for the in-process cache. */
  redisUrl: string | undefined;
  /** Base64 of 32 bytes, or undefined to use (or create) `dataDir/master.key`. */
  redisKeyPrefix: string;
  masterKey: string | undefined;
  tokenTtlSeconds: number;
  quotaIntervalSeconds: number;
  /** Which of Tango's token policies the token endpoint enforces: the seed's interval quota, or requests per second. */
  tokenPolicy: TokenPolicyName;
  /** Under the `rate` policy: token requests one client may make per second. */
  tokenRate: number;
  /** The default per-client limit of tokens issued per hour (a fixed UTC hour); undefined: none. A client's own override beats it. */
  clientTokensPerHour: number | undefined;
  /** The default per-client limit of tokens issued per UTC day; undefined: none. */
  clientTokensPerDay: number | undefined;
  /** Whether the default per-client limits refuse (`enforce`) or only record (`observe`) a token past them. */
  clientTokenLimitMode: ClientTokenLimitMode;
  signingAlgorithm: SigningAlgorithm;
  /** The threads of libuv's pool that sign tokens (the pool has `passwordHashes` more): applied by bin/tessera.js as the process starts. */
  signingThreads: number;
  /** Portal password hashes (scrypt) that run at once; bin/tessera.js adds as many threads to libuv's pool. */
  passwordHashes: number;
  /** Failed authentications per address and window before 429. */
  authFailureLimit: number;
  authFailureWindowSeconds: number;
  bodyLimitBytes: number;
  /** Time to receive a whole request, headers and body, before 408 (Node's requestTimeout). */
  requestTimeoutSeconds: number;
  /** Time to receive a request's head (line and headers) before 408; on a new connection, from its opening (Node's headersTimeout). */
  headersTimeoutSeconds: number;
  /** Time a connection may stay silent before it is closed (Node's server.timeout). */
  connectionTimeoutSeconds: number;
  keepAliveTimeoutSeconds: number;
  /** 0: no limit. */
  maxRequestsPerSocket: number;
  maxConnections: number;
  /** One address's share of maxConnections (an IPv6 /64's); trusted proxies have none. 0: no share. */
  maxConnectionsPerAddress: number;
  logLevel: string;
  /** false, or the addresses/CIDRs of trusted proxies (Fastify's trustProxy). */
  trustProxy: false | string[];
  /** Whether anyone may sign up on the portal (a new platform each) after proving their address by mail, at once, or only invited users join. */
  portalSignup: 'verified' | 'open' | 'closed';
  /** `smtp://…` or `smtps://…` the portal's mail goes through, or undefined for the outbox folder (mail/). */
  smtpUrl: string | undefined;
  /** The From of the portal's mail. */
  mailFrom: string;
  /** Sign-ups one address may make per hour before 429. */
  signUpLimit: number;
  /** A portal session ends after this long without a request… */
  sessionIdleMinutes: number;
  /** …and this long after its sign-in, whatever happens. */
  sessionMaxHours: number;
  /** Whether /console serves the interactive test console (the OpenAPI document is always served). */
  console: boolean;
  /** How long a shutdown waits for requests in flight before it closes their connections. */
  shutdownTimeoutSeconds: number;
  /** How long start-up keeps trying to reach PostgreSQL before it gives up. */
  storeConnectTimeoutSeconds: number;
  /** Whether GET /metrics serves Prometheus metrics. */
  metrics: boolean;
  /** A separate address for /metrics alone, or undefined to serve it on the main port. */
  metricsListen: { host: string; port: number } | undefined;
  /** The operator's reward catalog (JSON, docs/catalog.md), or undefined for the seed shipped with the server. */
  catalogFile: string | undefined;
  /** The operator's exchange rates (JSON, docs/catalog.md), or undefined for the seed shipped with the server. */
  exchangeRatesFile: string | undefined;
  /** Base64 of the Ed25519 seed that signs audit checkpoints, or undefined to use (or create) `dataDir/audit-signing-key`. */
  auditSigningKey: string | undefined;
  /** The append-only file of signed audit checkpoints, or undefined for `dataDir/audit-checkpoints.jsonl` ({@link auditCheckpointsFile}). */
  auditCheckpoints: string | undefined;
  /** Seconds between the server's checkpoints of the chains that moved; 0: none. */
  auditCheckpointIntervalSeconds: number;
  /** Days of audit entries kept in the store before they are archived; undefined: all kept. */
  auditRetentionDays: number | undefined;
}


export { ConfigError };

/** Where the protected RaaS API lives, as on Tango: the default audience of its tokens. */
export const RAAS_PREFIX = '/raas/v2';

/** Where the interactive test console lives; the authorization server's metadata points at it. */
export const CONSOLE_PATH = '/console';

type Env = Record<string, string | undefined>;

interface Setting<T> {
  name: string;
  doc: string;
  /** Shown in the README's configuration table. */
  defaultText: string;
  parse(raw: string | undefined, env: Env): T;
}

/**
 * One signing thread per core, at least 2 (the pool also resolves host names; portal password hashes
 * get threads of their own, {@link defaultPasswordHashes}): RS256 signatures take ~0.4 ms of CPU each, so issuance scales with the cores that sign
 * (tokens/jws-sign.ts); more threads than cores only make them take turns (bench/PROFILE.md). bin/tessera.js applies the same rule
 * to UV_THREADPOOL_SIZE before anything uses the pool.
 */
export function defaultSigningThreads(): number {
  return Math.max(2, availableParallelism());
}

/**
 * Half the cores, at least 1: each portal password hash (scrypt, ~70 ms of one core) holds a thread of
 * libuv's pool, and bin/tessera.js gives the pool this many threads beyond the signing threads, so a burst
 * of sign-ins never holds every thread that signs tokens, and leaves the other half of the CPU to them.
 */
export function defaultPasswordHashes(): number {
  return Math.max(1, Math.floor(availableParallelism() / 2));
}

function integer(name: string, fallback: number, min: number, max: number): (raw: string | undefined) => number {
  return (raw) => {
    if (raw === undefined || raw === '') return fallback;
    if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
    const value = Number(raw);
    if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
    return value;
  };
}

/** A whole number within bounds, or undefined when unset (no limit). */
function optionalInteger(name: string, min: number, max: number): (raw: string | undefined) => number | undefined {
  const read = integer(name, 0, min, max);
  return (raw) => (raw === undefined || raw === '' ? undefined : read(raw));
}

/** A switch that is on unless set to false or 0 (true or 1 turn it on too); anything else is refused. */
function onOff(name: string): (raw: string | undefined) => boolean {
  return (raw) => {
    if (raw === undefined || raw === '' || raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw new ConfigError(name, `must be true or false, got "${raw}"`);
  };
}

function url(name: string, protocols: string[], raw: string, options: { secret?: boolean } = {}): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    // A database or Redis URL may carry a password: never repeat it.
    throw new ConfigError(name, options.secret ? 'must be a URL (the value is not shown: it may hold a password)' : `must be a URL, got "${raw}"`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must be a ${protocols.join(' or ')} URL, got "${parsed.protocol}"`);
  }
  return raw;
}

/** `host:port` or `[IPv6]:port`, the host an address or a name. */
function hostAndPort(name: string, raw: string): { host: string; port: number } {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(raw);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!match || (match[1] !== undefined && isIP(host!) !== 6) || !/^[0-9A-Za-z.:-]+$/.test(host!)) {
    throw new ConfigError(name, `must be HOST:PORT, e.g. 127.0.0.1:9464 or [::1]:9464, got "${raw}"`);
  }
  if (port < 1 || port > 65535) throw new ConfigError(name, `must have a port between 1 and 65535, got ${match[3]}`);
  return { host: host!, port };
}

function listenUrl(env: Env): string {
  const host = env.HOST || '127.0.0.1';
  const port = env.PORT || '8080';
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * `data` in the project root: the nearest folder at or above `cwd` whose package.json declares npm
 * workspaces, else the nearest with a package.json, else `cwd` itself. `npm start` and `npx tessera`
 * then share one store wherever in the project they are run, as npm itself finds the project.
 */
export function defaultDataDir(cwd: string = process.cwd()): string {
  let nearest: string | undefined;
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      nearest ??= dir;
      if (declaresWorkspaces(manifest)) return path.join(dir, 'data');
    }
    if (path.dirname(dir) === dir) return path.join(nearest ?? path.resolve(cwd), 'data');
  }
}

function declaresWorkspaces(manifest: string): boolean {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { workspaces?: unknown }).workspaces !== undefined;
  } catch {
    return false; // an unreadable package.json is no project root
  }
}

/** Every setting: its environment variable, default and one line of documentation. */
export const SETTINGS = {
  host: {
    name: 'HOST',
    doc: 'Address to listen on.',
    defaultText: '127.0.0.1',
    parse: (raw) => raw || '127.0.0.1',
  },
  port: {
    name: 'PORT',
    doc: 'Port to listen on.',
    defaultText: '8080',
    parse: integer('PORT', 8080, 1, 65535),
  },
  publicUrl: {
    name: 'TESSERA_PUBLIC_URL',
    doc: 'Public base URL; the token issuer (`iss`) and the base of advertised endpoints.',
    defaultText: 'http://HOST:PORT',
    parse: (raw, env) => (raw ? url('TESSERA_PUBLIC_URL', ['http:', 'https:'], raw) : listenUrl(env)).replace(/\/+$/, ''),
  },
  audience: {
    name: 'TESSERA_AUDIENCE',
    doc: 'Audience (`aud`) of access tokens for the protected API.',
    defaultText: `TESSERA_PUBLIC_URL + ${RAAS_PREFIX}`,
    parse: (raw) => raw ?? '',
  },
  dataDir: {
    name: 'TESSERA_DATA_DIR',
    doc: 'Folder for the SQLite database and the generated master key.',
    defaultText: 'data in the project root',
    parse: (raw) => (raw ? path.resolve(raw) : defaultDataDir()),
  },
  databaseUrl: {
    name: 'DATABASE_URL',
    doc: 'PostgreSQL URL (`postgres://…`); unset uses SQLite in the data folder.',
    defaultText: '(SQLite)',
    parse: (raw) => (raw ? url('DATABASE_URL', ['postgres:', 'postgresql:'], raw, { secret: true }) : undefined),
  },
  redisUrl: {
    name: 'REDIS_URL',
    doc: 'Redis URL (`redis://…`) for shared caches and counters; unset uses an in-process cache.',
    defaultText: '(in-process)',
    parse: (raw) => (raw ? url('REDIS_URL', ['redis:', 'rediss:'], raw, { secret: true }) : undefined),
  },
  redisKeyPrefix: {
    name: 'REDIS_KEY_PREFIX',
    doc: 'Prefix of every Redis key and channel, so several deployments can share one Redis.',
    defaultText: 'tessera:',
    parse: (raw) => raw || 'tessera:',
  },
  masterKey: {
    name: 'TESSERA_MASTER_KEY',
    doc: 'Base64 of 32 random bytes that encrypts signing keys and API keys; unset creates DATA_DIR/master.key.',
    defaultText: '(generated)',
    parse: (raw) => {
      if (!raw) return undefined;
      if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(raw) || Buffer.from(raw, 'base64').length !== 32) {
        throw new ConfigError('TESSERA_MASTER_KEY', 'must be 32 bytes in base64 (try: openssl rand -base64 32)');
      }
      return raw;
    },
  },
  tokenTtlSeconds: {
    name: 'TESSERA_TOKEN_TTL',
    doc: 'Access token lifetime in seconds.',
    defaultText: '86400 (24 h)',
    parse: integer('TESSERA_TOKEN_TTL', 86_400, 60, 31_536_000),
  },
  quotaIntervalSeconds: {
    name: 'TESSERA_QUOTA_INTERVAL',
    doc: 'Seconds a client must wait between two new tokens.',
    defaultText: '72000 (20 h)',
    parse: integer('TESSERA_QUOTA_INTERVAL', 72_000, 0, 31_536_000),
  },
  tokenPolicy: {
    name: 'TESSERA_TOKEN_POLICY',
    doc: 'The token endpoint\'s policy: quota (one new token per client per TESSERA_QUOTA_INTERVAL, refused with 400) or rate (a token on every request, at most TESSERA_TOKEN_RATE requests per second per client, refused with 429).',
    defaultText: 'quota',
    parse: (raw) => {
      const value = raw || 'quota';
      if (!(TOKEN_POLICIES as readonly string[]).includes(value)) {
        throw new ConfigError('TESSERA_TOKEN_POLICY', `must be ${TOKEN_POLICIES.join(' or ')}, got "${value}"`);
      }
      return value as TokenPolicyName;
    },
  },
  tokenRate: {
    name: 'TESSERA_TOKEN_RATE',
    doc: 'Under TESSERA_TOKEN_POLICY=rate: token requests one client may make per second, across all instances.',
    defaultText: '100',
    parse: integer('TESSERA_TOKEN_RATE', 100, 1, 1_000_000),
  },
  clientTokensPerHour: {
    name: 'TESSERA_CLIENT_TOKENS_PER_HOUR',
    doc: 'The default per-client limit of tokens issued per UTC hour, on top of the token policy; a client\'s own limits (tessera client limits) replace it. Unset: no default limit.',
    defaultText: '(none)',
    parse: optionalInteger('TESSERA_CLIENT_TOKENS_PER_HOUR', 1, MAX_CLIENT_TOKEN_LIMIT),
  },
  clientTokensPerDay: {
    name: 'TESSERA_CLIENT_TOKENS_PER_DAY',
    doc: 'The default per-client limit of tokens issued per UTC day, on top of the token policy; a client\'s own limits replace it. Unset: no default limit.',
    defaultText: '(none)',
    parse: optionalInteger('TESSERA_CLIENT_TOKENS_PER_DAY', 1, MAX_CLIENT_TOKEN_LIMIT),
  },
  clientTokenLimitMode: {
    name: 'TESSERA_CLIENT_TOKEN_LIMIT_MODE',
    doc: 'What the default per-client limits do past their number: enforce (429) or observe (the token is issued; an audit entry and a metric record it).',
    defaultText: 'enforce',
    parse: (raw) => {
      const value = raw || 'enforce';
      if (!(CLIENT_TOKEN_LIMIT_MODES as readonly string[]).includes(value)) {
        throw new ConfigError('TESSERA_CLIENT_TOKEN_LIMIT_MODE', `must be ${CLIENT_TOKEN_LIMIT_MODES.join(' or ')}, got "${value}"`);
      }
      return value as ClientTokenLimitMode;
    },
  },
  signingAlgorithm: {
    name: 'TESSERA_SIGNING_ALG',
    doc: 'JWT signing algorithm for new keys: RS256, ES256 or EdDSA.',
    defaultText: 'RS256',
    parse: (raw) => {
      const value = raw || 'RS256';
      if (!(SIGNING_ALGORITHMS as readonly string[]).includes(value)) {
        throw new ConfigError('TESSERA_SIGNING_ALG', `must be one of ${SIGNING_ALGORITHMS.join(', ')}, got "${value}"`);
      }
      return value as SigningAlgorithm;
    },
  },
  signingThreads: {
    name: 'TESSERA_SIGNING_THREADS',
    doc: "Threads that sign access tokens (libuv's pool, also used for file and DNS work); read as the process starts.",
    defaultText: "the machine's cores, at least 2",
    parse: integer('TESSERA_SIGNING_THREADS', defaultSigningThreads(), 1, 1024),
  },
  passwordHashes: {
    name: 'TESSERA_PASSWORD_HASHES',
    doc: "Portal password hashes (scrypt) run at once, each on a thread of libuv's pool added to the signing threads; 16 more per hash may wait, and past them a sign-in gets 503 with Retry-After.",
    defaultText: "half the machine's cores, at least 1",
    parse: integer('TESSERA_PASSWORD_HASHES', defaultPasswordHashes(), 1, 64),
  },
  authFailureLimit: {
    name: 'TESSERA_AUTH_FAILURE_LIMIT',
    doc: 'Failed authentications one address may make per window before it gets 429.',
    defaultText: '100',
    parse: integer('TESSERA_AUTH_FAILURE_LIMIT', 100, 1, 1_000_000),
  },
  authFailureWindowSeconds: {
    name: 'TESSERA_AUTH_FAILURE_WINDOW',
    doc: 'Length in seconds of the failed-authentication window.',
    defaultText: '60',
    parse: integer('TESSERA_AUTH_FAILURE_WINDOW', 60, 1, 86_400),
  },
  bodyLimitBytes: {
    name: 'TESSERA_BODY_LIMIT',
    doc: 'Largest request body accepted, in bytes (larger gets 413).',
    defaultText: '65536',
    parse: integer('TESSERA_BODY_LIMIT', 65_536, 1024, 10_485_760),
  },
  requestTimeoutSeconds: {
    name: 'TESSERA_REQUEST_TIMEOUT',
    doc: 'Seconds a client has to send a whole request, headers and body; a slower one gets 408 and is closed.',
    defaultText: '30',
    parse: integer('TESSERA_REQUEST_TIMEOUT', 30, 1, 3600),
  },
  // Short: a connection that has sent no complete head is idle or hostile, and holds a place of
  // TESSERA_MAX_CONNECTIONS (Node applies it from a new connection's opening, and on a kept-alive one
  // from a request's first byte; idle between requests, TESSERA_KEEP_ALIVE_TIMEOUT applies).
  headersTimeoutSeconds: {
    name: 'TESSERA_HEADERS_TIMEOUT',
    doc: "Seconds a client has to send a request's head (line and headers), on a new connection from its opening; a slower one gets 408 and is closed (at most TESSERA_REQUEST_TIMEOUT).",
    defaultText: '10',
    parse: integer('TESSERA_HEADERS_TIMEOUT', 10, 1, 3600),
  },
  connectionTimeoutSeconds: {
    name: 'TESSERA_CONNECTION_TIMEOUT',
    doc: 'Seconds a connection may stay silent in the middle of a request before it is closed.',
    defaultText: '60',
    parse: integer('TESSERA_CONNECTION_TIMEOUT', 60, 1, 3600),
  },
  keepAliveTimeoutSeconds: {
    name: 'TESSERA_KEEP_ALIVE_TIMEOUT',
    doc: "Seconds an idle keep-alive connection stays open; keep it above a load balancer's idle timeout.",
    defaultText: '72',
    parse: integer('TESSERA_KEEP_ALIVE_TIMEOUT', 72, 1, 3600),
  },
  // High by default: Node answers requests a client sends past the limit on the same connection with
  // 503 (it only asks for a reconnect with `Connection: close`), and pooled clients — load balancers,
  // load generators — keep connections for hundreds of thousands of requests. The connection cap and
  // the timeouts are what bound a slow or greedy client.
  maxRequestsPerSocket: {
    name: 'TESSERA_MAX_REQUESTS_PER_SOCKET',
    doc: 'Requests served on one keep-alive connection before the client is asked to reconnect; more on it get 503 (0: no limit).',
    defaultText: '100000',
    parse: integer('TESSERA_MAX_REQUESTS_PER_SOCKET', 100_000, 0, 10_000_000),
  },
  maxConnections: {
    name: 'TESSERA_MAX_CONNECTIONS',
    doc: 'Connections open at once; one more is closed as soon as it is accepted.',
    defaultText: '1000',
    parse: integer('TESSERA_MAX_CONNECTIONS', 1000, 1, 1_000_000),
  },
  maxConnectionsPerAddress: {
    name: 'TESSERA_MAX_CONNECTIONS_PER_ADDRESS',
    doc: "Connections one client address (an IPv6 /64) may hold open at once; one more is reset as soon as it is accepted. TESSERA_TRUST_PROXY's proxies are exempt (0: no limit).",
    defaultText: '100',
    parse: integer('TESSERA_MAX_CONNECTIONS_PER_ADDRESS', 100, 0, 1_000_000),
  },
  logLevel: {
    name: 'LOG_LEVEL',
    doc: 'pino log level: fatal, error, warn, info, debug, trace or silent.',
    defaultText: 'info',
    parse: (raw) => {
      const value = raw || 'info';
      if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(value)) {
        throw new ConfigError('LOG_LEVEL', `must be a pino level, got "${value}"`);
      }
      return value;
    },
  },
  trustProxy: {
    name: 'TESSERA_TRUST_PROXY',
    doc: 'Proxies whose X-Forwarded-For is trusted for client addresses: false, or their addresses/CIDRs (comma-separated).',
    defaultText: 'false',
    parse: (raw) => {
      if (raw === undefined || raw === '' || raw === 'false' || raw === '0') return false;
      // Neither `true` nor a hop count: both let a client that reaches the server directly pick the
      // address the failure throttle counts (Fastify 5 refuses hop counts for the same reason).
      const proxies = raw.split(',').map((p) => p.trim());
      if (proxies.every((p) => isIP(p.split('/')[0]!) !== 0 && /^[^/]+(\/\d{1,3})?$/.test(p))) return proxies;
      throw new ConfigError('TESSERA_TRUST_PROXY', `must be false or comma-separated proxy addresses or CIDRs, got "${raw}"`);
    },
  },
  portalSignup: {
    name: 'TESSERA_PORTAL_SIGNUP',
    doc: 'verified: anyone may sign up on the portal, making a new platform, through a link mailed to their address (the answer is the same whether the address has an account); open: at once, without mail, and a refused sign-up tells a taken address to whoever picks a free platform name; closed: only invited users join.',
    defaultText: 'verified',
    parse: (raw) => {
      const value = raw || 'verified';
      if (value !== 'verified' && value !== 'open' && value !== 'closed') throw new ConfigError('TESSERA_PORTAL_SIGNUP', `must be verified, open or closed, got "${value}"`);
      return value;
    },
  },
  smtpUrl: {
    name: 'TESSERA_SMTP_URL',
    doc: 'SMTP server for the portal\'s mail (sign-up links): `smtp://user:password@host:587` (STARTTLS when offered) or `smtps://…:465`; unset writes each message to DATA_DIR/outbox/, which `npx tessera mail` prints.',
    defaultText: '(the outbox folder)',
    parse: (raw) => (raw ? url('TESSERA_SMTP_URL', ['smtp:', 'smtps:'], raw, { secret: true }) : undefined),
  },
  mailFrom: {
    name: 'TESSERA_MAIL_FROM',
    doc: 'From address of the portal\'s mail, e.g. `Tessera <no-reply@example.com>`.',
    defaultText: 'Tessera <tessera@localhost>',
    parse: (raw) => {
      const value = raw || 'Tessera <tessera@localhost>';
      // One header line: a line break would let the value add headers of its own (RFC 5322 §2.2).
      if (/[\r\n]/.test(value) || !/^(?:[^<>@]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/.test(value.trim())) {
        throw new ConfigError('TESSERA_MAIL_FROM', `must be an address, e.g. Tessera <no-reply@example.com>, got "${value}"`);
      }
      return value.trim();
    },
  },
  signUpLimit: {
    name: 'TESSERA_SIGNUP_LIMIT',
    doc: 'Portal sign-ups one address may ask for per hour (each a mailed link, or when open a new platform; counted before any work); more get 429.',
    defaultText: '10',
    parse: integer('TESSERA_SIGNUP_LIMIT', 10, 1, 1_000_000),
  },
  sessionIdleMinutes: {
    name: 'TESSERA_SESSION_IDLE_MINUTES',
    doc: 'Minutes without a request after which a portal session ends.',
    defaultText: '30',
    parse: integer('TESSERA_SESSION_IDLE_MINUTES', 30, 1, 1440),
  },
  sessionMaxHours: {
    name: 'TESSERA_SESSION_MAX_HOURS',
    doc: 'Hours after sign-in at which a portal session ends, however active.',
    defaultText: '12',
    parse: integer('TESSERA_SESSION_MAX_HOURS', 12, 1, 720),
  },
  console: {
    name: 'TESSERA_CONSOLE',
    doc: `Serve the interactive test console at ${CONSOLE_PATH}: true or false (the OpenAPI document at /openapi.json stays).`,
    defaultText: 'true',
    parse: onOff('TESSERA_CONSOLE'),
  },
  shutdownTimeoutSeconds: {
    name: 'TESSERA_SHUTDOWN_TIMEOUT_SECONDS',
    doc: 'Seconds a shutdown (SIGTERM, SIGINT) waits for requests in flight; then their connections are closed and the exit code is 1.',
    defaultText: '10',
    parse: integer('TESSERA_SHUTDOWN_TIMEOUT_SECONDS', 10, 0, 3600),
  },
  storeConnectTimeoutSeconds: {
    name: 'TESSERA_STORE_CONNECT_TIMEOUT_SECONDS',
    doc: 'Seconds start-up keeps trying to reach PostgreSQL before it gives up with exit code 1.',
    defaultText: '30',
    parse: integer('TESSERA_STORE_CONNECT_TIMEOUT_SECONDS', 30, 0, 3600),
  },
  metrics: {
    name: 'TESSERA_METRICS',
    doc: 'Serve Prometheus metrics at /metrics: true or false (they hold counts, never credentials or client ids).',
    defaultText: 'true',
    parse: onOff('TESSERA_METRICS'),
  },
  metricsListen: {
    name: 'TESSERA_METRICS_LISTEN',
    doc: 'HOST:PORT (e.g. 127.0.0.1:9464) to serve /metrics on alone, and not on the main port; unset serves it on the main port.',
    defaultText: '(the main port)',
    parse: (raw) => (raw ? hostAndPort('TESSERA_METRICS_LISTEN', raw) : undefined),
  },
  catalogFile: {
    name: 'TESSERA_CATALOG_FILE',
    doc: "A JSON file of the reward catalog GET /raas/v2/catalogs serves and orders draw from, in Tango's CatalogViewVerbose format (docs/catalog.md); checked at start-up.",
    defaultText: '(the built-in sandbox catalog)',
    parse: (raw) => (raw ? path.resolve(raw) : undefined),
  },
  exchangeRatesFile: {
    name: 'TESSERA_EXCHANGE_RATES_FILE',
    doc: "A JSON file of the exchange rates GET /raas/v2/exchangerates serves and orders convert with, in Tango's ExchangeRatesWithDisclaimer format (docs/catalog.md); checked at start-up.",
    defaultText: '(the built-in sandbox rates)',
    parse: (raw) => (raw ? path.resolve(raw) : undefined),
  },
  auditSigningKey: {
    name: 'TESSERA_AUDIT_SIGNING_KEY',
    doc: 'Base64 of the 32-byte Ed25519 private key that signs audit checkpoints; unset creates DATA_DIR/audit-signing-key. Keep it out of database backups.',
    defaultText: '(generated)',
    parse: (raw) => {
      if (!raw) return undefined;
      if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(raw) || Buffer.from(raw, 'base64').length !== 32) {
        throw new ConfigError('TESSERA_AUDIT_SIGNING_KEY', 'must be 32 bytes in base64 (try: openssl rand -base64 32)');
      }
      return raw;
    },
  },
  auditCheckpoints: {
    name: 'TESSERA_AUDIT_CHECKPOINTS',
    doc: 'File the signed audit checkpoints are appended to, one JSON line each: ship it to a log system outside the database.',
    defaultText: 'DATA_DIR/audit-checkpoints.jsonl',
    parse: (raw) => (raw ? path.resolve(raw) : undefined),
  },
  auditCheckpointIntervalSeconds: {
    name: 'TESSERA_AUDIT_CHECKPOINT_INTERVAL',
    doc: 'Seconds between the server\'s signed checkpoints of the audit chains that moved; 0 turns them off (`tessera audit checkpoint` still makes them).',
    defaultText: '3600',
    parse: integer('TESSERA_AUDIT_CHECKPOINT_INTERVAL', 3600, 0, 31_536_000),
  },
  auditRetentionDays: {
    name: 'TESSERA_AUDIT_RETENTION_DAYS',
    doc: 'Days of audit entries the store keeps: once a day older ones are archived to DATA_DIR/audit-archive-*.jsonl and removed; unset keeps them all.',
    defaultText: '(keep all)',
    parse: optionalInteger('TESSERA_AUDIT_RETENTION_DAYS', 1, 36_500),
  },
} satisfies { [K in keyof Config]: Setting<Config[K]> };

/** Where the signed audit checkpoints are appended: TESSERA_AUDIT_CHECKPOINTS, or the data folder's file. */
export function auditCheckpointsFile(config: Pick<Config, 'auditCheckpoints' | 'dataDir'>): string {
  return config.auditCheckpoints ?? path.join(config.dataDir, 'audit-checkpoints.jsonl');
}

/**
 * The interval quota in force, in milliseconds: TESSERA_QUOTA_INTERVAL under the `quota` policy, none (0)
 * under `rate`. The one reading of it: the token endpoint's claim and refusal, and the clients' views.
 */
export function quotaIntervalMs(config: Pick<Config, 'tokenPolicy' | 'quotaIntervalSeconds'>): number {
  return config.tokenPolicy === 'rate' ? 0 : config.quotaIntervalSeconds * 1000;
}

/** Reads and validates the configuration; throws {@link ConfigError} naming the first bad setting. */
export function loadConfig(env: Env = process.env): Config {
  const config = Object.fromEntries(
    Object.entries(SETTINGS).map(([key, setting]) => [key, (setting as Setting<unknown>).parse(env[setting.name], env)]),
  ) as unknown as Config;
  if (!config.audience) config.audience = config.publicUrl + RAAS_PREFIX;
  return config;
}

/**
 * A warning when the public URL is plain `http://` on a host other than loopback: tokens, secrets and
 * passwords would cross the network in clear (RFC 6749 §1.6, §10.9 require TLS). Tessera speaks plain
 * HTTP; TLS terminates at a proxy in front of it (docs/deploy.md), whose URL is the public one.
 */
export function insecurePublicUrlWarning(publicUrl: string): string | undefined {
  const { protocol, hostname } = new URL(publicUrl);
  if (protocol !== 'http:') return undefined;
  const host = hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  if (loopback) return undefined;
  return `TESSERA_PUBLIC_URL is ${publicUrl}: plain http on a host other than loopback sends credentials and tokens in clear. Terminate TLS at a proxy and set TESSERA_PUBLIC_URL to its https:// URL (docs/deploy.md).`;
}

/** A configuration for tests and embedding: defaults with overrides, no environment read. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  const config = { ...loadConfig({}), ...overrides };
  if (!overrides.audience) config.audience = config.publicUrl + RAAS_PREFIX;
  return config;
}
