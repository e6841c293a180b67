import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config/config.js';
import { consolePage } from './console-page.js';
import { openApiDocument } from './openapi-document.js';

/**
 * The OpenAPI document (always) and the console (unless TESSERA_CONSOLE=false). Not encapsulated, and
 * registered before the other routes: @fastify/swagger learns the routes as they are added, app-wide.
 */
export const consoleRoutes = fp(
  async (app: FastifyInstance, { config }: { config: Pick<Config, 'publicUrl' | 'quotaIntervalSeconds' | 'tokenPolicy' | 'tokenRate' | 'tokenTtlSeconds' | 'console' | 'clientTokensPerHour' | 'clientTokensPerDay' | 'clientTokenLimitMode'> }) => {
    await openApiDocument(app, { config });
    // Encapsulated: the console's CSP applies to its own responses only.
    if (config.console) await app.register(consolePage, { config });
  },
  { name: 'tessera-console' },
);
