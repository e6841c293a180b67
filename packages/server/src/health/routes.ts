import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Readiness } from './readiness.js';

/**
 * `/healthz` (the process is alive) and `/readyz` (it can serve: a load balancer takes it out on 503).
 * Not encapsulated: from `app.close()` on, every response asks its client to close the connection, so
 * that keep-alive connections do not hold the shutdown.
 */
export const healthRoutes = fp(
  // The readiness check is the services' (services.ts): one check at a time per process, whatever apps it serves.
  async (app: FastifyInstance, { readiness }: { readiness: Pick<Readiness, 'check'> }) => {
    let shuttingDown = false;
    app.addHook('preClose', async () => {
      shuttingDown = true;
    });
    // A callback hook: it runs on every response, and a promise for one flag is waste.
    app.addHook('onSend', (_request, reply, payload, done) => {
      if (shuttingDown) reply.header('connection', 'close');
      done(null, payload);
    });

    app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
    app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
      // A probe must see the state of now, never a cached answer.
      reply.header('cache-control', 'no-store');
      if (shuttingDown) return reply.code(503).send({ status: 'shutting_down' });
      const report = await readiness.check();
      return reply.code(report.statusCode).send(report.body);
    });
  },
  { name: 'tessera-health' },
);
