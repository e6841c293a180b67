import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import type { Services } from '../../src/services.js';
import { registerApp } from './services.js';

/** The app with its log, at trace level, captured in memory: `log()` is every line written so far. */
export async function appWithCapturedLog(services: Services): Promise<{ app: FastifyInstance; log: () => string }> {
  let written = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      written += chunk;
      done();
    },
  });
  const app = await buildApp(services.config, services, { logger: { level: 'trace', stream } });
  registerApp(app, services);
  return { app, log: () => written };
}
