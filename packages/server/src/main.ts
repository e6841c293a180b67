import { pino } from 'pino';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { type MetricsServer, startMetricsServer } from './metrics/metrics-server.js';
import { closeServices, openServices } from './services.js';

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
  const log = pino({ level: config.logLevel });
  let services;
  try {
    services = await openServices(config, { log });
  } catch (error) {
    // A store that cannot be reached or opened: say what, without a stack.
    log.fatal({ err: { message: (error as Error).message } }, 'Tessera could not start');
    process.exit(1);
  }
  const app = await buildApp(config, services, { logger: undefined });
  services.signingKeys.startRefresh((error) => app.log.error({ err: error }, 'could not refresh signing keys'));

  let metricsServer: MetricsServer | undefined;
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    await metricsServer?.close();
    await app.close();
    await closeServices(services);
    process.exit(0);
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
  app.log.info(
    { store: services.database.location, cache: services.cache.kind, issuer: config.publicUrl, audience: config.audience },
    'Tessera is ready',
  );
}
