import { availableParallelism } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, insecurePublicUrlWarning, loadConfig, SETTINGS } from '../../src/config/config.js';

describe('configuration', () => {
  it('has documented defaults that serve out of the box', () => {
    expect(loadConfig({})).toEqual({
      host: '127.0.0.1',
      port: 8080,
      publicUrl: 'http://127.0.0.1:8080',
      audience: 'http://127.0.0.1:8080/raas/v2',
      dataDir: path.resolve('data'),
      databaseUrl: undefined,
      redisUrl: undefined,
      redisKeyPrefix: 'tessera:',
      masterKey: undefined,
      auditCheckpointIntervalSeconds: 3600,
      tokenTtlSeconds: 86400,
      quotaIntervalSeconds: 72000,
      tokenPolicy: 'quota',
      tokenRate: 100,
      clientTokensPerHour: undefined,
      clientTokensPerDay: undefined,
      clientTokenLimitMode: 'enforce',
      signingAlgorithm: 'RS256',
      signingThreads: Math.max(2, availableParallelism()),
      passwordHashes: Math.max(1, Math.floor(availableParallelism() / 2)),
      authFailureLimit: 100,
      authFailureWindowSeconds: 60,
      bodyLimitBytes: 65536,
      requestTimeoutSeconds: 30,
      headersTimeoutSeconds: 10,
      connectionTimeoutSeconds: 60,
      keepAliveTimeoutSeconds: 72,
      maxRequestsPerSocket: 100000,
      maxConnections: 1000,
      maxConnectionsPerAddress: 100,
      logLevel: 'info',
      trustProxy: false,
      portalSignup: 'verified',
      smtpUrl: undefined,
      mailFrom: 'Tessera <tessera@localhost>',
      signUpLimit: 10,
      sessionIdleMinutes: 30,
      sessionMaxHours: 12,
      console: true,
      shutdownTimeoutSeconds: 10,
      storeConnectTimeoutSeconds: 30,
      metrics: true,
      metricsListen: undefined,
    });
    for (const setting of Object.values(SETTINGS)) {
      expect(setting.doc.length).toBeGreaterThan(10);
      expect(setting.defaultText).not.toBe('');
    }
  });

  it('derives the issuer from HOST and PORT, and the audience from the issuer', () => {
    expect(loadConfig({ HOST: '0.0.0.0', PORT: '9000' })).toMatchObject({ publicUrl: 'http://0.0.0.0:9000', audience: 'http://0.0.0.0:9000/raas/v2' });
    expect(loadConfig({ TESSERA_PUBLIC_URL: 'https://auth.example.com/', TESSERA_AUDIENCE: 'https://api.example.com/' })).toMatchObject({
      publicUrl: 'https://auth.example.com',
      audience: 'https://api.example.com/',
    });
  });

  it('reads TESSERA_PASSWORD_HASHES, a whole number from 1 to 64', () => {
    expect(loadConfig({ TESSERA_PASSWORD_HASHES: '3' }).passwordHashes).toBe(3);
    expect(() => loadConfig({ TESSERA_PASSWORD_HASHES: '0' })).toThrow('Invalid configuration: TESSERA_PASSWORD_HASHES must be between 1 and 64, got 0');
    expect(() => loadConfig({ TESSERA_PASSWORD_HASHES: 'two' })).toThrow('Invalid configuration: TESSERA_PASSWORD_HASHES must be a whole number, got "two"');
  });

  it('reads the token policy, quota or rate, and the rate, a whole number of at least 1 (issue 22)', () => {
    expect(loadConfig({ TESSERA_TOKEN_POLICY: 'rate', TESSERA_TOKEN_RATE: '5' })).toMatchObject({ tokenPolicy: 'rate', tokenRate: 5 });
    expect(loadConfig({ TESSERA_TOKEN_POLICY: '' })).toMatchObject({ tokenPolicy: 'quota', tokenRate: 100 });
    expect(() => loadConfig({ TESSERA_TOKEN_POLICY: 'Rate' })).toThrow(new ConfigError('TESSERA_TOKEN_POLICY', 'must be quota or rate, got "Rate"'));
    expect(() => loadConfig({ TESSERA_TOKEN_POLICY: 'none' })).toThrow('Invalid configuration: TESSERA_TOKEN_POLICY must be quota or rate, got "none"');
    expect(() => loadConfig({ TESSERA_TOKEN_RATE: '0' })).toThrow(new ConfigError('TESSERA_TOKEN_RATE', 'must be between 1 and 1000000, got 0'));
    expect(() => loadConfig({ TESSERA_TOKEN_RATE: '1.5' })).toThrow(new ConfigError('TESSERA_TOKEN_RATE', 'must be a whole number, got "1.5"'));
    expect(() => loadConfig({ TESSERA_TOKEN_RATE: '-3' })).toThrow(new ConfigError('TESSERA_TOKEN_RATE', 'must be a whole number, got "-3"'));
  });

  it('reads the portal settings and names the one that is wrong', () => {
    expect(loadConfig({ TESSERA_PORTAL_SIGNUP: 'closed', TESSERA_SESSION_IDLE_MINUTES: '5', TESSERA_SESSION_MAX_HOURS: '1', TESSERA_SIGNUP_LIMIT: '3' })).toMatchObject({
      portalSignup: 'closed',
      sessionIdleMinutes: 5,
      sessionMaxHours: 1,
      signUpLimit: 3,
    });
    expect(() => loadConfig({ TESSERA_SIGNUP_LIMIT: '0' })).toThrow(new ConfigError('TESSERA_SIGNUP_LIMIT', 'must be between 1 and 1000000, got 0'));
    expect(() => loadConfig({ TESSERA_PORTAL_SIGNUP: 'maybe' })).toThrow(new ConfigError('TESSERA_PORTAL_SIGNUP', 'must be verified, open or closed, got "maybe"'));
    expect(loadConfig({ TESSERA_PORTAL_SIGNUP: 'open' }).portalSignup).toBe('open');
    expect(() => loadConfig({ TESSERA_SESSION_IDLE_MINUTES: '0' })).toThrow(new ConfigError('TESSERA_SESSION_IDLE_MINUTES', 'must be between 1 and 1440, got 0'));
  });

  it('reads the mail settings: an smtp:// or smtps:// URL whose credentials are never repeated, and a From address', () => {
    expect(loadConfig({ TESSERA_SMTP_URL: 'smtps://user:pw@mail.example:465', TESSERA_MAIL_FROM: ' Tessera <no-reply@example.com> ' })).toMatchObject({
      smtpUrl: 'smtps://user:pw@mail.example:465',
      mailFrom: 'Tessera <no-reply@example.com>',
    });
    expect(loadConfig({ TESSERA_MAIL_FROM: 'no-reply@example.com' }).mailFrom).toBe('no-reply@example.com');
    expect(() => loadConfig({ TESSERA_SMTP_URL: 'http://user:pw@mail.example' })).toThrow(new ConfigError('TESSERA_SMTP_URL', 'must be a smtp: or smtps: URL, got "http:"'));
    expect(() => loadConfig({ TESSERA_SMTP_URL: 'smtp://user:pw@mail example' })).toThrow(
      new ConfigError('TESSERA_SMTP_URL', 'must be a URL (the value is not shown: it may hold a password)'),
    );
    expect(() => loadConfig({ TESSERA_MAIL_FROM: 'Tessera <a@example.com>\r\nBcc: b@example.com' })).toThrow(
      new ConfigError('TESSERA_MAIL_FROM', 'must be an address, e.g. Tessera <no-reply@example.com>, got "Tessera <a@example.com>\r\nBcc: b@example.com"'),
    );
    expect(() => loadConfig({ TESSERA_MAIL_FROM: 'Tessera' })).toThrow(new ConfigError('TESSERA_MAIL_FROM', 'must be an address, e.g. Tessera <no-reply@example.com>, got "Tessera"'));
  });

  it('takes trusted proxies as addresses and CIDRs', () => {
    expect(loadConfig({ TESSERA_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1, ::1' }).trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1', '::1']);
  });

  it.each(['http://127.0.0.1:8080', 'http://localhost:8080', 'http://tessera.localhost', 'http://[::1]:8080', 'https://auth.example.com', 'https://10.0.0.5'])(
    'has no warning for the public URL %s (loopback, or https)',
    (publicUrl) => expect(insecurePublicUrlWarning(publicUrl)).toBeUndefined(),
  );

  it.each(['http://auth.example.com', 'http://0.0.0.0:8080', 'http://10.0.0.5:8080', 'http://[2001:db8::1]'])('warns of the plain-http public URL %s', (publicUrl) => {
    expect(insecurePublicUrlWarning(publicUrl)).toBe(
      `TESSERA_PUBLIC_URL is ${publicUrl}: plain http on a host other than loopback sends credentials and tokens in clear. Terminate TLS at a proxy and set TESSERA_PUBLIC_URL to its https:// URL (docs/deploy.md).`,
    );
  });

  it('turns the test console off with TESSERA_CONSOLE=false or 0', () => {
    expect(loadConfig({ TESSERA_CONSOLE: 'false' }).console).toBe(false);
    expect(loadConfig({ TESSERA_CONSOLE: '0' }).console).toBe(false);
    expect(loadConfig({ TESSERA_CONSOLE: 'true' }).console).toBe(true);
  });

  it('reads TESSERA_METRICS and the separate address of TESSERA_METRICS_LISTEN', () => {
    expect(loadConfig({ TESSERA_METRICS: 'false' }).metrics).toBe(false);
    expect(loadConfig({ TESSERA_METRICS: '0' }).metrics).toBe(false);
    expect(loadConfig({ TESSERA_METRICS_LISTEN: '127.0.0.1:9464' }).metricsListen).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(loadConfig({ TESSERA_METRICS_LISTEN: '[::1]:9464' }).metricsListen).toEqual({ host: '::1', port: 9464 });
    expect(loadConfig({ TESSERA_METRICS_LISTEN: 'metrics.internal:9464' }).metricsListen).toEqual({ host: 'metrics.internal', port: 9464 });
    expect(loadConfig({ TESSERA_METRICS_LISTEN: '0.0.0.0:9100' }).metricsListen).toEqual({ host: '0.0.0.0', port: 9100 });
  });

  it.each([
    [{ TESSERA_METRICS: 'yes' }, 'TESSERA_METRICS must be true or false, got "yes"'],
    [{ TESSERA_METRICS_LISTEN: '9464' }, 'TESSERA_METRICS_LISTEN must be HOST:PORT, e.g. 127.0.0.1:9464 or [::1]:9464, got "9464"'],
    [{ TESSERA_METRICS_LISTEN: '::1:9464' }, 'TESSERA_METRICS_LISTEN must be HOST:PORT, e.g. 127.0.0.1:9464 or [::1]:9464, got "::1:9464"'],
    [{ TESSERA_METRICS_LISTEN: '[nope]:9464' }, 'TESSERA_METRICS_LISTEN must be HOST:PORT, e.g. 127.0.0.1:9464 or [::1]:9464, got "[nope]:9464"'],
    [{ TESSERA_METRICS_LISTEN: 'host name:9464' }, 'TESSERA_METRICS_LISTEN must be HOST:PORT, e.g. 127.0.0.1:9464 or [::1]:9464, got "host name:9464"'],
    [{ TESSERA_METRICS_LISTEN: '127.0.0.1:0' }, 'TESSERA_METRICS_LISTEN must have a port between 1 and 65535, got 0'],
    [{ TESSERA_METRICS_LISTEN: '127.0.0.1:70000' }, 'TESSERA_METRICS_LISTEN must have a port between 1 and 65535, got 70000'],
    [{ TESSERA_CONSOLE: 'off' }, 'TESSERA_CONSOLE must be true or false, got "off"'],
    [{ PORT: 'eighty' }, 'PORT must be a whole number, got "eighty"'],
    [{ PORT: '65536' }, 'PORT must be between 1 and 65535, got 65536'],
    [{ TESSERA_PUBLIC_URL: 'not a url' }, 'TESSERA_PUBLIC_URL must be a URL, got "not a url"'],
    [{ TESSERA_PUBLIC_URL: 'ftp://x' }, 'TESSERA_PUBLIC_URL must be a http: or https: URL, got "ftp:"'],
    [{ DATABASE_URL: 'mysql://x/y' }, 'DATABASE_URL must be a postgres: or postgresql: URL, got "mysql:"'],
    [{ DATABASE_URL: 'postgres://app:s3cr3t/pw@db/x' }, 'DATABASE_URL must be a URL (the value is not shown: it may hold a password)'],
    [{ REDIS_URL: 'redis://:pa ss@[x' }, 'REDIS_URL must be a URL (the value is not shown: it may hold a password)'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL must be a redis: or rediss: URL, got "http:"'],
    [{ TESSERA_MASTER_KEY: 'short' }, 'TESSERA_MASTER_KEY must be 32 bytes in base64 (try: openssl rand -base64 32)'],
    [{ TESSERA_TOKEN_TTL: '10' }, 'TESSERA_TOKEN_TTL must be between 60 and 31536000, got 10'],
    [{ TESSERA_QUOTA_INTERVAL: '-1' }, 'TESSERA_QUOTA_INTERVAL must be a whole number, got "-1"'],
    [{ TESSERA_SIGNING_ALG: 'HS256' }, 'TESSERA_SIGNING_ALG must be one of RS256, ES256, EdDSA, got "HS256"'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be a pino level, got "loud"'],
    [{ TESSERA_REQUEST_TIMEOUT: '0' }, 'TESSERA_REQUEST_TIMEOUT must be between 1 and 3600, got 0'],
    [{ TESSERA_MAX_CONNECTIONS: 'many' }, 'TESSERA_MAX_CONNECTIONS must be a whole number, got "many"'],
    [{ TESSERA_MAX_CONNECTIONS_PER_ADDRESS: '-1' }, 'TESSERA_MAX_CONNECTIONS_PER_ADDRESS must be a whole number, got "-1"'],
    [{ TESSERA_HEADERS_TIMEOUT: '0' }, 'TESSERA_HEADERS_TIMEOUT must be between 1 and 3600, got 0'],
    [{ TESSERA_TRUST_PROXY: '1' }, 'TESSERA_TRUST_PROXY must be false or comma-separated proxy addresses or CIDRs, got "1"'],
    [{ TESSERA_TRUST_PROXY: 'true' }, 'TESSERA_TRUST_PROXY must be false or comma-separated proxy addresses or CIDRs, got "true"'],
    [{ TESSERA_SHUTDOWN_TIMEOUT_SECONDS: 'soon' }, 'TESSERA_SHUTDOWN_TIMEOUT_SECONDS must be a whole number, got "soon"'],
    [{ TESSERA_STORE_CONNECT_TIMEOUT_SECONDS: '3601' }, 'TESSERA_STORE_CONNECT_TIMEOUT_SECONDS must be between 0 and 3600, got 3601'],
    [{ TESSERA_TRUST_PROXY: '10.0.0.1,nope' }, 'TESSERA_TRUST_PROXY must be false or comma-separated proxy addresses or CIDRs, got "10.0.0.1,nope"'],
    [{ TESSERA_AUDIT_SIGNING_KEY: 'c2hvcnQ=' }, 'TESSERA_AUDIT_SIGNING_KEY must be 32 bytes in base64 (try: openssl rand -base64 32)'],
    [{ TESSERA_AUDIT_CHECKPOINT_INTERVAL: 'hourly' }, 'TESSERA_AUDIT_CHECKPOINT_INTERVAL must be a whole number, got "hourly"'],
    [{ TESSERA_AUDIT_RETENTION_DAYS: '0' }, 'TESSERA_AUDIT_RETENTION_DAYS must be between 1 and 36500, got 0'],
  ])('refuses %j naming the setting', (env, message) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: 'invalid_config', setting: Object.keys(env)[0], message: `Invalid configuration: ${message}` });
  });
});
