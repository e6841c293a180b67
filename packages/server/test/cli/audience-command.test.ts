import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLEET_DEPLOYMENTS, startFleet } from '../support/bootstrap.js';
import { requestToken } from '../support/oauth.js';
import { tesseraInProcess, tesseraJsonInProcess } from '../support/cli-in-process.js';
import { cliEnvOf, tessera } from '../support/processes.js';
import type { TestEnvironment } from '../support/services.js';
import { createTestClient, type TestClient } from '../support/tenants.js';
import type { Services } from '../../src/services.js';

const SHORT = 'https://short.example/api';
const SLOW = 120_000;

/** Asks `app` for a token for `audience` until `settled` says the answer is the one expected: Redis delivers an announcement a moment later. */
async function answerWithin(
  app: FastifyInstance,
  client: () => Promise<TestClient>,
  audience: string,
  settled: (response: LightMyRequestResponse) => boolean,
): Promise<LightMyRequestResponse> {
  const started = Date.now();
  for (;;) {
    const response = await requestToken(app, await client(), { audience });
    if (settled(response)) return response;
    if (Date.now() - started > 2_000) throw new Error(`still ${response.statusCode} ${response.body} after 2 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const granted = (response: LightMyRequestResponse) => response.statusCode === 200;
const unknownTarget = (response: LightMyRequestResponse) => response.statusCode === 400 && response.json().error === 'invalid_target';

/**
 * `tessera audience …` against the store (and Redis) of running instances: add, list and remove in their
 * own processes, as a person runs them; the other answers by the same program in this process
 * (support/cli-in-process.ts), which spares a Node start-up per check.
 */
describe.each(FLEET_DEPLOYMENTS)('tessera audience ($name)', (deployment) => {
  let env: TestEnvironment;
  let apps: FastifyInstance[];
  let services: Services[];
  let cliEnv: Record<string, string>;
  let location: string;

  beforeAll(async () => {
    if (deployment.skip) return;
    ({ env, apps, services } = await startFleet(deployment));
    const { config } = env;
    cliEnv = cliEnvOf(config, { TESSERA_AUDIENCE: config.audience });
    location = config.databaseUrl ? services[0]!.database.location : path.join(config.dataDir, 'tessera.db');
  });
  afterAll(async () => env?.close());

  const client = () => createTestClient(services[0]!);

  it.skipIf(deployment.skip)('adds, lists and removes audiences, which running instances use at once, the clock frozen', { timeout: SLOW }, async () => {
    for (const app of apps) expect(unknownTarget(await requestToken(app, await client(), { audience: SHORT }))).toBe(true);

    const added = await tessera(['audience', 'add', SHORT, '--ttl', '300'], cliEnv);
    expect(added, added.stderr).toMatchObject({ code: 0, stdout: `Audience ${SHORT}: tokens live 300 seconds\n` });
    for (const app of apps) {
      const response = await answerWithin(app, client, SHORT, granted);
      expect(response.json().expires_in).toBe(300);
      expect(decodeJwt(response.json().access_token)).toMatchObject({ aud: SHORT, exp: Math.floor(env.clock.now() / 1000) + 300 });
    }

    const listed = await tessera(['audience', 'list'], cliEnv);
    expect(listed.code, listed.stderr).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^audience\s+ttl_seconds\s+default\s+created_at$/);
    expect(lines[1]).toMatch(new RegExp(`^${env.config.audience}\\s+86400\\s+yes\\s+\\(TESSERA_AUDIENCE\\)$`));
    expect(lines[2]).toMatch(new RegExp(`^${SHORT}\\s+300\\s+\\d{4}-\\d\\d-\\d\\dT`));
    expect(lines).toHaveLength(3);

    expect(await tesseraJsonInProcess(['audience', 'add', SHORT, '--ttl', '600'], cliEnv)).toStrictEqual({
      code: 1,
      json: { error: { code: 'conflict', message: `Audience ${SHORT} already exists with a TTL of 300 seconds: add --update to change its TTL` } },
    });
    expect(await tesseraJsonInProcess(['audience', 'add', SHORT, '--ttl', '600', '--update'], cliEnv)).toStrictEqual({
      code: 0,
      json: { audience: SHORT, ttl_seconds: 600, default: false, created_at: expect.stringMatching(/^\d{4}-/) },
    });
    for (const app of apps) expect((await answerWithin(app, client, SHORT, (r) => r.statusCode === 200 && r.json().expires_in === 600)).statusCode).toBe(200);

    expect(await tesseraJsonInProcess(['audience', 'list'], cliEnv)).toStrictEqual({
      code: 0,
      json: {
        audiences: [
          { audience: env.config.audience, ttl_seconds: 86_400, default: true, created_at: null },
          { audience: SHORT, ttl_seconds: 600, default: false, created_at: expect.stringMatching(/^\d{4}-/) },
        ],
      },
    });

    const removed = await tessera(['audience', 'remove', SHORT], cliEnv);
    expect(removed, removed.stderr).toMatchObject({ code: 0, stdout: `Removed audience ${SHORT}\n` });
    for (const app of apps) await answerWithin(app, client, SHORT, unknownTarget);
  });

  it.skipIf(deployment.skip)('says clearly what it refuses', { timeout: SLOW }, async () => {
    const refusals: Array<[string[], { code: string; message: string }]> = [
      [['add', 'https://api.example.com/#part', '--ttl', '300'], { code: 'invalid_input', message: 'Invalid audience "https://api.example.com/#part": an audience has no fragment (RFC 8707 §2)' }],
      [['add', 'api.example.com', '--ttl', '300'], { code: 'invalid_input', message: 'Invalid audience "api.example.com": use an absolute http:// or https:// URI, e.g. https://api.example.com/' }],
      [['add', 'urn:example:api', '--ttl', '300'], { code: 'invalid_input', message: 'Invalid audience "urn:example:api": use an absolute http:// or https:// URI' }],
      [['add', 'https://api.example.com/', '--ttl', '59'], { code: 'invalid_input', message: 'Invalid TTL: use a whole number of seconds from 60 to 31536000, like TESSERA_TOKEN_TTL' }],
      [['add', 'https://api.example.com/', '--ttl', '5m'], { code: 'invalid_input', message: 'Invalid TTL: use a whole number of seconds from 60 to 31536000, like TESSERA_TOKEN_TTL' }],
      [
        ['add', env.config.audience, '--ttl', '300'],
        { code: 'conflict', message: `Audience ${env.config.audience} is the default audience: its tokens live TESSERA_TOKEN_TTL (86400 seconds), set in the environment` },
      ],
      [['remove', env.config.audience], { code: 'conflict', message: `Audience ${env.config.audience} is the default audience (TESSERA_AUDIENCE): it cannot be removed` }],
      [['remove', 'https://never.example/'], { code: 'not_found', message: `Audience https://never.example/ is not registered in ${location}` }],
    ];
    for (const [args, error] of refusals) {
      expect(await tesseraJsonInProcess(['audience', ...args], cliEnv), args.join(' ')).toStrictEqual({ code: 1, json: { error } });
    }
    // Without --json: the message on stderr.
    const plain = await tesseraInProcess(['audience', 'remove', 'https://never.example/'], cliEnv);
    expect(plain).toMatchObject({ code: 1, stdout: '', stderr: expect.stringContaining(`Error: Audience https://never.example/ is not registered in ${location}\n`) });
  });
});
