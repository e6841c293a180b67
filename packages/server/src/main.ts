import { pino } from 'pino';
import { buildApp } from './app.js';
import { ConfigError, insecurePublicUrlWarning, loadConfig } from './config/config.js';
import { logOptions } from './log/log-options.js';
import { type MetricsServer, startMetricsServer } from './metrics/metrics-server.js';
import { closeServices, openServices } from './services.js';
import { ServerSettingStore } from './store/server-settings.js';

/** Starts the server: config from the environment, store migrated, listening until SIGINT/SIGTERM. */
export async function serve(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const log = pino(logOptions(config.logLevel));
  const insecure = insecurePublicUrlWarning(config.publicUrl);
  if (insecure) log.warn(insecure);
  let services;
  try {
    services = await openServices(config, { log });
  } catch (error) {
    // A store that cannot be reached or opened: say what, without a stack.
    log.fatal(`Tessera could not start: ${(error as Error).message}`);
    process.exit(1);
  }
  const app = await buildApp(config, services, { logger: undefined });
  services.signingKeys.startRefresh((error) => app.log.error({ err: error }, 'could not refresh signing keys'));
  services.auditUpkeep.start((error) => app.log.error({ err: error }, 'audit upkeep failed: checkpoints or retention (TESSERA_AUDIT_CHECKPOINT_INTERVAL, TESSERA_AUDIT_RETENTION_DAYS)'));

  let metricsServer: MetricsServer | undefined;
  let closing = false;
  // Stop accepting connections (idle keep-alive ones are closed, and every later response says
  // `Connection: close`), let requests in flight finish within the timeout, then close the store and Redis.
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    const started = Date.now();
    app.log.info({ signal }, 'shutting down: refusing new connections, finishing requests in flight');
    let forced = false;
    const timer = setTimeout(() => {
      forced = true;
      app.log.error(`shutdown: requests still in flight after ${config.shutdownTimeoutSeconds} s (TESSERA_SHUTDOWN_TIMEOUT_SECONDS); closing their connections`);
      app.server.closeAllConnections();
    }, config.shutdownTimeoutSeconds * 1000);
    await app.close();
    clearTimeout(timer);
    // Metrics stay scrapeable while the requests drain.
    await metricsServer?.close();
    await closeServices(services);
    app.log.info({ ms: Date.now() - started, forced }, 'shut down');
    process.exit(forced ? 1 : 0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  // Before the public port: an instance whose metrics address is taken never takes traffic.
  if (config.metricsListen && services.exporter) {
    try {
      metricsServer = await startMetricsServer(services.exporter, config.metricsListen);
    } catch (error) {
      const { host, port } = config.metricsListen;
      console.error(`Tessera could not listen on ${host}:${port} for metrics (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). Set TESSERA_METRICS_LISTEN to another address.`);
      await app.close();
      await closeServices(services);
      process.exit(1);
    }
    app.log.info({ url: `${metricsServer.url}/metrics` }, 'metrics served on their own address');
  }
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EADDRNOTAVAIL' && code !== 'EACCES') throw error;
    // One line a person can act on, not a stack trace.
    const reason = {
      EADDRINUSE: 'is already in use (is Tessera or another server running?)',
      EADDRNOTAVAIL: 'is not an address of this machine',
      EACCES: 'needs privileges this user does not have',
    }[code];
    console.error(`Tessera could not listen on ${config.host}:${config.port}: the ${code === 'EADDRNOTAVAIL' ? 'host' : 'port'} ${reason}. Set PORT (or HOST) to another.`);
    await metricsServer?.close();
    await app.close();
    await closeServices(services);
    process.exit(1);
  }
  // Once it serves there: `tessera user create`, run in another terminal often without PORT or
  // TESSERA_PUBLIC_URL, prints invitation links on this URL rather than on its own default.
  try {
    await new ServerSettingStore(services.database.db).recordPublicUrl(config.publicUrl, services.now());
  } catch (error) {
    app.log.warn({ err: error }, 'could not record the public URL in the store: `tessera user create` prints links on its own TESSERA_PUBLIC_URL (or http://HOST:PORT)');
  }
  // libuv's pool as bin/tessera.js sized it: the signing threads and one per password hash (an operator's
  // own UV_THREADPOOL_SIZE wins over the settings).
  const threadPool = Number(process.env.UV_THREADPOOL_SIZE ?? config.signingThreads + config.passwordHashes);
  if (threadPool <= config.passwordHashes) {
    app.log.warn(`UV_THREADPOOL_SIZE=${threadPool} leaves no thread beside TESSERA_PASSWORD_HASHES=${config.passwordHashes}: a burst of sign-ins can hold every thread that signs tokens. Unset UV_THREADPOOL_SIZE, or raise it above TESSERA_PASSWORD_HASHES.`);
  }
  // Once, and never a message: a link in a log line would create a platform for whoever reads the log.
  app.log.info(
    { mail: services.mail.description },
    services.mail.outbox
      ? 'mail: TESSERA_SMTP_URL is not set, so sign-up links are written to this outbox folder: `npx tessera mail` prints the newest'
      : 'mail: sent through this SMTP server (TESSERA_SMTP_URL)',
  );
  app.log.info(
    {
      store: services.database.location,
      cache: services.cache.kind,
      issuer: config.publicUrl,
      audience: config.audience,
      signingThreads: threadPool - config.passwordHashes,
      passwordHashes: config.passwordHashes,
    },
    'Tessera is ready',
  );
}
