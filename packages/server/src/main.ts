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
  services.signingKeys.startRefresh((error) => app.log.error({ err: error }, 'could not refresh signing keys'));

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
    await app.close();
    await closeServices(services);
    process.exit(1);
  }
  app.log.info(
    { store: services.database.location, cache: services.cache.kind, issuer: config.publicUrl, audience: config.audience },
    'Tessera is ready',
  );
}
