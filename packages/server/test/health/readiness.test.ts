import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisCache } from '../../src/cache/redis-cache.js';
import { Readiness } from '../../src/health/readiness.js';
import type { Services } from '../../src/services.js';
import { openDatabase } from '../../src/store/database.js';
import { freePort } from '../support/listen.js';
import { appOn, startDeployment } from '../support/bootstrap.js';
import { skipReason, STORE_KINDS, type TestEnvironment } from '../support/services.js';

const environments: TestEnvironment[] = [];
afterAll(async () => {
  for (const env of environments) await env.close();
});

async function readyz(services: Services) {
  const app = await appOn(services);
  try {
    const started = Date.now();
    const response = await app.inject('/readyz');
    return { status: response.statusCode, body: response.json(), cacheControl: response.headers['cache-control'], ms: Date.now() - started };
  } finally {
    await app.close();
  }
}

describe.each(STORE_KINDS)('GET /readyz on %s', (store) => {
  it('answers 200 ready, never cached, without credentials, when the store answers and no Redis is configured', async () => {
    const { env, services } = await startDeployment({ store });
    environments.push(env);
    const { status, body, cacheControl } = await readyz(services);
    expect({ status, body, cacheControl }).toEqual({ status: 200, body: { status: 'ready', store: 'ok', redis: 'not configured' }, cacheControl: 'no-store' });
  });

  it.skipIf(skipReason('redis'))('answers 200 ready when the store answers and Redis answers PING', async () => {
    const { env, services } = await startDeployment({ store, redis: true });
    environments.push(env);
    const { status, body } = await readyz(services);
    expect({ status, body }).toEqual({ status: 200, body: { status: 'ready', store: 'ok', redis: 'ok' } });
  });

  it('stays ready (200) but says Redis is degraded when Redis does not answer: the store decides', async () => {
    const { env, services } = await startDeployment({ store });
    environments.push(env);
    const cache = new RedisCache(`redis://127.0.0.1:${await freePort()}`, 'readyz:');
    try {
      const { status, body } = await readyz({ ...services, readiness: new Readiness(services.database, cache) });
      expect({ status, body }).toEqual({ status: 200, body: { status: 'degraded', store: 'ok', redis: 'unreachable' } });
    } finally {
      await cache.close();
    }
  });
});

describe('GET /readyz with the store away', () => {
  it('answers 503 naming the store when PostgreSQL refuses connections', async () => {
    const { env, services } = await startDeployment();
    environments.push(env);
    const database = openDatabase({ databaseUrl: `postgres://postgres@127.0.0.1:${await freePort()}/test`, dataDir: env.config.dataDir });
    try {
      const { status, body, cacheControl } = await readyz({ ...services, readiness: new Readiness(database, services.cache) });
      expect({ status, body, cacheControl }).toEqual({
        status: 503,
        body: { status: 'degraded', store: 'unreachable', redis: 'not configured' },
        cacheControl: 'no-store',
      });
    } finally {
      await database.db.destroy();
    }
  });

  it('answers 503 within about a second when PostgreSQL accepts connections but never answers', async () => {
    const { env, services } = await startDeployment();
    environments.push(env);
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const database = openDatabase({ databaseUrl: `postgres://postgres@127.0.0.1:${port}/test`, dataDir: env.config.dataDir });
    try {
      const { status, body, ms } = await readyz({ ...services, readiness: new Readiness(database, services.cache) });
      expect({ status, body }).toEqual({ status: 503, body: { status: 'degraded', store: 'unreachable', redis: 'not configured' } });
      expect(ms).toBeGreaterThanOrEqual(900);
      expect(ms).toBeLessThan(3000);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
      await database.db.destroy().catch(() => {});
    }
  });
});
