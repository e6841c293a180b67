import { pino } from 'pino';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
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
  services.keys.startRefresh((error) => app.log.error({ err: error }, 'could not refresh signing keys'));

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await closeServices(services);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  await app.listen({ host: config.host, port: config.port });
  app.log.info(
    { store: services.database.location, cache: services.cache.kind, issuer: config.publicUrl, audience: config.audience },
    'Tessera is ready',
  );
}
