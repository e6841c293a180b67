import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src/services.js';
import type { AuditEntry } from '../../src/store/audit-log.js';
import { FLEET_DEPLOYMENTS, startFleet } from '../support/bootstrap.js';
import { requestToken, tokenAnswerWithin } from '../support/oauth.js';
import { tesseraInProcess, tesseraJsonInProcess } from '../support/cli-in-process.js';
import { cliEnvOf, tessera } from '../support/processes.js';
import type { TestEnvironment } from '../support/services.js';
import { createTestClient } from '../support/tenants.js';

const SLOW = 120_000;

/**
 * `tessera client limits …` against the store (and Redis) of running instances: the text answers in
 * their own processes, as a person runs them; the JSON answers and the refusals by the same program in
 * this process (support/cli-in-process.ts), which spares a Node start-up per check.
 */
describe.each(FLEET_DEPLOYMENTS)('tessera client limits ($name)', (deployment) => {
  let env: TestEnvironment;
  let apps: FastifyInstance[];
  let services: Services[];
  let cliEnv: Record<string, string>;
  let location: string;

  beforeAll(async () => {
    if (deployment.skip) return;
    // The rate policy (a token on every request) and a default of 100 tokens a day, observed.
    ({ env, apps, services } = await startFleet(deployment, { tokenPolicy: 'rate', clientTokensPerDay: 100, clientTokenLimitMode: 'observe' }));
    const { config } = env;
    cliEnv = cliEnvOf(config, { TESSERA_TOKEN_POLICY: 'rate', TESSERA_CLIENT_TOKENS_PER_DAY: '100', TESSERA_CLIENT_TOKEN_LIMIT_MODE: 'observe' });
    location = config.databaseUrl ? services[0]!.database.location : path.join(config.dataDir, 'tessera.db');
  });
  afterAll(async () => env?.close());

  it.skipIf(deployment.skip)('shows the default, sets the client’s own limits (which running instances apply), clears them, each change audited', { timeout: SLOW }, async () => {
    const client = await createTestClient(services[0]!, 'cli-limits', 'Limited');
    // Known to every instance before the change (its row remembered), with the default's standing.
    for (const app of apps) expect((await requestToken(app, client)).headers['ratelimit-policy']).toBe('"rate";q=100;w=1, "day";q=100;w=86400');

    const shown = await tessera(['client', 'limits', client.client_id], cliEnv);
    expect(shown, shown.stderr).toMatchObject({
      code: 0,
      stdout: [`Client ${client.client_id}: the default (TESSERA_CLIENT_TOKENS_PER_HOUR, TESSERA_CLIENT_TOKENS_PER_DAY)`, 'per hour: none', 'per day:  100', 'mode:     observe', ''].join('\n'),
    });

    expect(await tesseraJsonInProcess(['client', 'limits', client.client_id, '--per-hour', '1', '--enforce'], cliEnv)).toStrictEqual({
      code: 0,
      json: { client_id: client.client_id, per_hour: 1, per_day: null, mode: 'enforce', source: 'client' },
    });
    // Every running instance applies them: one more token this hour at most (the tokens before were not counted by an hour limit).
    for (const app of apps) {
      const refused = await tokenAnswerWithin(app, client, (r) => r.statusCode === 429);
      expect(refused.json().error_description).toBe(`Client Limited ${client.client_id} has exceeded its limit of 1 tokens per hour`);
      expect(refused.headers['ratelimit-policy']).toBe('"rate";q=100;w=1, "hour";q=1;w=3600');
    }
    expect(await tesseraJsonInProcess(['client', 'limits', client.client_id], cliEnv)).toStrictEqual({
      code: 0,
      json: { client_id: client.client_id, per_hour: 1, per_day: null, mode: 'enforce', source: 'client' },
    });

    const observed = await tessera(['client', 'limits', client.client_id, '--per-hour', '1', '--per-day', '10', '--observe'], cliEnv);
    expect(observed, observed.stderr).toMatchObject({
      code: 0,
      stdout: [`Client ${client.client_id}: its own`, 'per hour: 1', 'per day:  10', 'mode:     observe', ''].join('\n'),
    });
    for (const app of apps) await tokenAnswerWithin(app, client, (r) => r.statusCode === 200);

    expect(await tesseraJsonInProcess(['client', 'limits', client.client_id, '--clear'], cliEnv)).toStrictEqual({
      code: 0,
      json: { client_id: client.client_id, per_hour: null, per_day: 100, mode: 'observe', source: 'default' },
    });
    for (const app of apps) await tokenAnswerWithin(app, client, (r) => r.statusCode === 200 && r.headers['ratelimit-policy'] === '"rate";q=100;w=1, "day";q=100;w=86400');

    // Each change in the client's platform audit log, by the CLI.
    const platform = await services[0]!.platforms.findByName('cli-limits');
    const changes = ((await services[0]!.auditLog.chain(platform!.id)) as AuditEntry[]).filter((entry) => entry.action === 'client_limits_changed');
    expect(changes.map(({ actor, target_id, outcome }) => ({ actor, target_id, outcome }))).toEqual(
      Array.from({ length: 3 }, () => ({ actor: 'cli', target_id: client.client_id, outcome: 'success' })),
    );
  });

  it.skipIf(deployment.skip)('says clearly what it refuses', { timeout: SLOW }, async () => {
    const client = await createTestClient(services[0]!, 'cli-limits-refusals', 'Refused');
    const id = client.client_id;
    const refusals: Array<[string[], { code: string; message: string }]> = [
      [[id, '--observe', '--enforce', '--per-hour', '5'], { code: 'invalid_input', message: 'Give --observe or --enforce, not both' }],
      [[id, '--clear', '--per-hour', '5'], { code: 'invalid_input', message: '--clear takes no other option: clear the limits, or set them' }],
      [[id, '--observe'], { code: 'invalid_input', message: 'Give --per-hour or --per-day (a number of tokens, or none) with the mode' }],
      [[id, '--per-hour', '0'], { code: 'invalid_input', message: 'Invalid limit per hour: use a whole number of tokens from 1 to 1000000000' }],
      [[id, '--per-day', 'ten'], { code: 'invalid_input', message: 'Invalid limit per day: use a whole number of tokens from 1 to 1000000000' }],
      [[id, '--per-day', '1000000001'], { code: 'invalid_input', message: 'Invalid limit per day: use a whole number of tokens from 1 to 1000000000' }],
      [['cli_nosuchclient0000000000', '--per-hour', '5'], { code: 'not_found', message: `Client cli_nosuchclient0000000000 does not exist in ${location}` }],
      [['cli_nosuchclient0000000000'], { code: 'not_found', message: `Client cli_nosuchclient0000000000 does not exist in ${location}` }],
    ];
    for (const [args, error] of refusals) {
      expect(await tesseraJsonInProcess(['client', 'limits', ...args], cliEnv), args.join(' ')).toStrictEqual({ code: 1, json: { error } });
    }
    // Without --json: the message on stderr. `none` is no limit in that window.
    const plain = await tesseraInProcess(['client', 'limits', id, '--per-hour', '-3'], cliEnv);
    expect(plain).toMatchObject({ code: 1, stdout: '' });
    expect(await tesseraJsonInProcess(['client', 'limits', id, '--per-hour', 'none', '--per-day', 'none'], cliEnv)).toStrictEqual({
      code: 0,
      json: { client_id: id, per_hour: null, per_day: null, mode: 'enforce', source: 'client' },
    });
    // Nothing refused was recorded as a change; the exemption was.
    const platform = await services[0]!.platforms.findByName('cli-limits-refusals');
    expect(((await services[0]!.auditLog.chain(platform!.id)) as AuditEntry[]).map((entry) => entry.action)).toEqual(['generate', 'client_limits_changed']);
  });
});
