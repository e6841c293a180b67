import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/listen.js';
import { startServer, tesseraJson } from '../support/processes.js';
import { createPostgresDatabase, skipReason } from '../support/services.js';

describe.skipIf(skipReason('postgres'))('the quota across server processes on one PostgreSQL', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('gives exactly one 200 to 50 concurrent requests spread over two processes', async () => {
    const database = await createPostgresDatabase();
    cleanups.push(database.drop);
    const dataDir = await mkdtemp(path.join(tmpdir(), 'tessera-fleet-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const shared = {
      DATABASE_URL: database.url,
      TESSERA_DATA_DIR: dataDir,
      TESSERA_MASTER_KEY: randomBytes(32).toString('base64'),
      TESSERA_PUBLIC_URL: 'http://tessera.test',
      REDIS_URL: '',
    };
    const ports = [await freePort(), await freePort()];
    // Both start at once on the empty database: migrations must not collide.
    const servers = await Promise.all(ports.map((port) => startServer({ ...shared, PORT: String(port) })));
    for (const server of servers) cleanups.push(server.stop);

    await tesseraJson(['platform', 'create', 'fleet'], shared);
    const { json: client } = await tesseraJson(['client', 'create', '--platform', 'fleet', '--name', 'Fleet'], shared);
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: client.client_id as string, client_secret: client.client_secret as string });

    const responses = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const response = await fetch(`${servers[i % 2]!.url}/oauth/token`, { method: 'POST', body });
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      }),
    );
    const granted = responses.filter((r) => r.status === 200);
    expect(granted).toHaveLength(1);
    const refused = responses.filter((r) => r.status !== 200);
    expect(refused).toHaveLength(49);
    for (const response of refused) {
      expect(response).toEqual({
        status: 400,
        body: { error: 'rate_limit_exceeded', error_description: `Client Fleet ${client.client_id} has exceeded the daily rate limit` },
      });
    }
  });
});
