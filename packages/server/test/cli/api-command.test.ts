import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProtectedApi } from '../../src/credentials/audience-registry.js';
import { createPlatform } from '../../src/credentials/platforms.js';
import type { Services } from '../../src/services.js';
import { FLEET_DEPLOYMENTS, startFleet } from '../support/bootstrap.js';
import { tesseraInProcess, tesseraJsonInProcess } from '../support/cli-in-process.js';
import { cliEnvOf, tessera } from '../support/processes.js';
import type { TestEnvironment } from '../support/services.js';

const API = 'https://orders.example/';
const SLOW = 120_000;

/** What `apiFor(host, path)` answers on every instance, once it settles: Redis delivers an announcement a moment later. */
async function everyInstanceRoutes(services: Services[], host: string, path: string, expected: ProtectedApi | undefined): Promise<void> {
  for (const instance of services) {
    const started = Date.now();
    for (;;) {
      const api = await instance.audienceRegistry.apiFor(host, path);
      if (JSON.stringify(api) === JSON.stringify(expected)) break;
      if (Date.now() - started > 2_000) throw new Error(`still ${JSON.stringify(api)} after 2 s`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/**
 * `tessera api …` against the store (and Redis) of running instances: `add` in its own process, as a
 * person runs it (its text, and running instances routing to what it announced before it exited); the
 * other answers by the same program in this process (support/cli-in-process.ts), which spares a Node
 * start-up per check.
 */
describe.each(FLEET_DEPLOYMENTS)('tessera api ($name)', (deployment) => {
  let env: TestEnvironment;
  let services: Services[];
  let cliEnv: Record<string, string>;
  let location: string;

  beforeAll(async () => {
    if (deployment.skip) return;
    ({ env, services } = await startFleet(deployment));
    const { config } = env;
    cliEnv = cliEnvOf(config, { TESSERA_AUDIENCE: config.audience, TESSERA_TOKEN_TTL: String(config.tokenTtlSeconds) });
    location = config.databaseUrl ? services[0]!.database.location : path.join(config.dataDir, 'tessera.db');
    await createPlatform(services[0]!, 'acme');
  });
  afterAll(async () => env?.close());

  it.skipIf(deployment.skip)('adds, lists, changes and removes an API, which running instances route to at once', { timeout: SLOW }, async () => {
    for (const instance of services) expect(await instance.audienceRegistry.apiFor('orders.example.com', '/v1/x')).toBeUndefined();

    const added = await tessera(['api', 'add', API, '--host', 'Orders.Example.com', '--path-prefix', '/v1', '--platform', 'acme', '--kinds', 'api_key', '--ttl', '300'], cliEnv);
    expect(added, added.stderr).toMatchObject({
      code: 0,
      stdout: [`API ${API}: tokens live 300 seconds`, 'host:             orders.example.com', 'path prefix:      /v1', 'platforms:        acme', 'credential kinds: api_key', ''].join('\n'),
    });
    const routed: ProtectedApi = { audience: API, host: 'orders.example.com', pathPrefix: '/v1', platforms: ['acme'], credentialKinds: ['api_key'] };
    await everyInstanceRoutes(services, 'orders.example.com', '/v1/x', routed);

    const listed = await tesseraInProcess(['api', 'list'], cliEnv);
    expect(listed, listed.stderr).toMatchObject({
      code: 0,
      stdout: [
        'audience                 host                path_prefix  platforms  credential_kinds  ttl_seconds',
        `${API}  orders.example.com  /v1          acme       api_key           300`,
        '',
      ].join('\n'),
    });

    expect(await tesseraJsonInProcess(['api', 'add', API, '--update', '--any-host', '--every-platform', '--kinds', 'oauth_client,api_key'], cliEnv)).toStrictEqual({
      code: 0,
      json: { audience: API, ttl_seconds: 300, host: null, path_prefix: '/v1', platforms: null, credential_kinds: null, created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
    });
    await everyInstanceRoutes(services, 'elsewhere.example.com', '/v1', { audience: API, host: null, pathPrefix: '/v1', platforms: null, credentialKinds: null });

    const removed = await tesseraInProcess(['api', 'remove', API], cliEnv);
    expect(removed, removed.stderr).toMatchObject({ code: 0, stdout: `Removed API ${API}\n` });
    await everyInstanceRoutes(services, 'elsewhere.example.com', '/v1', undefined);
    expect(await tesseraJsonInProcess(['api', 'list'], cliEnv)).toStrictEqual({ code: 0, json: { apis: [] } });
  });

  it.skipIf(deployment.skip)('says clearly what it refuses', { timeout: SLOW }, async () => {
    expect(await tesseraJsonInProcess(['api', 'add', API, '--host', 'a.example.com', '--any-host'], cliEnv)).toStrictEqual({
      code: 1,
      json: { error: { code: 'invalid_input', message: 'Give --host or --any-host, not both' } },
    });
    expect(await tesseraJsonInProcess(['api', 'remove', 'https://never.example/'], cliEnv)).toStrictEqual({
      code: 1,
      json: { error: { code: 'not_found', message: `API https://never.example/ is not registered in ${location}` } },
    });
    // Without --json: the message on stderr.
    const plain = await tesseraInProcess(['api', 'add', API, '--kinds', 'token'], cliEnv);
    expect(plain).toMatchObject({
      code: 1,
      stdout: '',
      stderr: expect.stringContaining('Error: Invalid credential kinds (unknown "token"): use oauth_client, api_key, or both separated by a comma\n'),
    });
    expect(await services[0]!.audiences.find(API)).toBeUndefined();
  });
});
