import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../src/services.js';
import { startDeployment } from '../support/bootstrap.js';
import { skipReason, type TestEnvironment } from '../support/services.js';
import { tesseraJsonInProcess } from '../support/cli-in-process.js';
import { cliEnvOf, tessera, tesseraJson } from '../support/processes.js';
import { basic, get } from '../support/tenants.js';

const redisSkip = skipReason('redis');

/**
 * `tessera apikey …` in its own process, on the same SQLite store as a running app (and the same Redis,
 * when there is one, so a deactivation reaches the app at once).
 */
describe('tessera apikey', () => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;
  let cliEnv: Record<string, string>;

  beforeAll(async () => {
    ({ env, app, services } = await startDeployment({ redis: !redisSkip }));
    cliEnv = cliEnvOf(env.config);
  });
  afterAll(async () => env?.close());

  // A command in a process of its own takes about a second, more on a loaded machine: the commands that
  // change what the running app sees, and the text answers, run so; the other JSON answers and the
  // refusals run the same program in this process (support/cli-in-process.ts).
  const SLOW = 90_000;
  let id: string;
  let apiKey: string;

  it('creates at most two active keys, and lists them without the keys', { timeout: SLOW }, async () => {
    expect(await tesseraJson(['platform', 'create', 'acme'], cliEnv)).toStrictEqual({ code: 0, json: { platformName: 'acme' } });

    const first = await tesseraJson(['apikey', 'create', '--platform', 'acme'], cliEnv);
    expect(first.code).toBe(0);
    expect(Object.keys(first.json)).toEqual(['id', 'api_key']);
    expect(first.json.id).toMatch(/^key_[0-9A-Za-z]{22}$/);
    expect(first.json.api_key).toMatch(/^tsk_live_[0-9A-Za-z]{43}$/);
    id = first.json.id as string;
    apiKey = first.json.api_key as string;

    const second = await tessera(['apikey', 'create', '--platform', 'acme'], cliEnv);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^id: {6}key_\w+\napi_key: tsk_live_\w+\n\nUse it as HTTP Basic credentials: acme:<api_key>\. Reveal it again with: tessera apikey reveal key_\w+\n$/);

    expect(await tesseraJsonInProcess(['apikey', 'create', '--platform', 'acme'], cliEnv)).toStrictEqual({
      code: 1,
      json: { error: { code: 'limit_reached', message: 'Platform acme already has 2 active API keys: deactivate one first' } },
    });

    const listed = await tesseraJsonInProcess(['apikey', 'list', '--platform', 'acme'], cliEnv);
    expect(listed.code).toBe(0);
    expect(listed.json.platformName).toBe('acme');
    const keys = listed.json.api_keys as Array<Record<string, unknown>>;
    expect(keys.map((k) => k.status)).toEqual(['active', 'active']);
    expect(keys.map((k) => Object.keys(k).sort())).toEqual([
      ['created_at', 'id', 'last_used_at', 'platform', 'status', 'status_changed_at'],
      ['created_at', 'id', 'last_used_at', 'platform', 'status', 'status_changed_at'],
    ]);
    expect(keys.map((k) => k.last_used_at)).toEqual([null, null]);
    expect(JSON.stringify(listed.json)).not.toContain('tsk_live_');
  });

  it('reveals a key, deactivates it (the running app stops accepting it), activates and deletes it', { timeout: SLOW }, async () => {
    expect(await tesseraJson(['apikey', 'reveal', id], cliEnv)).toStrictEqual({ code: 0, json: { id, api_key: apiKey } });

    // The key works against the running app over HTTP…
    const authorization = basic('acme', apiKey);
    expect((await get(app, '/raas/v2/whoami', authorization)).json()).toStrictEqual({ platformName: 'acme', credentialType: 'api_key', credentialId: id });
    // …which writes its last use (without the request waiting for it), and the list shows it.
    const usedAt = new Date(env.clock.now()).toISOString();
    const writeDeadline = Date.now() + 5_000;
    while ((await services.apiKeys.find(id))?.last_used_at === null) {
      expect(Date.now()).toBeLessThan(writeDeadline);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const listed = await tessera(['apikey', 'list', '--platform', 'acme'], cliEnv);
    expect(listed.stdout.split('\n')[0]).toMatch(/^id +status +created_at +status_changed_at +last_used_at$/);
    expect(listed.stdout).toContain(`${id}  active  `);
    expect(listed.stdout.split('\n').find((line) => line.startsWith(id))).toMatch(new RegExp(` ${usedAt.replaceAll('.', '\\.')}$`));

    expect(await tesseraJsonInProcess(['apikey', 'delete', id], cliEnv)).toStrictEqual({
      code: 1,
      json: { error: { code: 'conflict', message: `API key ${id} is active: deactivate it before deleting it` } },
    });

    const deactivated = await tesseraJson(['apikey', 'deactivate', id], cliEnv);
    expect(deactivated.code).toBe(0);
    expect(deactivated.json).toMatchObject({ id, platform: 'acme', status: 'inactive' });

    // …and stops working: at once through Redis, or when the app re-reads statuses (at most 5 s).
    if (redisSkip) env.clock.advance(5_000);
    const deadline = Date.now() + 1_000;
    while ((await get(app, '/raas/v2/whoami', authorization)).statusCode !== 401) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    expect(await tesseraJsonInProcess(['apikey', 'activate', id], cliEnv)).toMatchObject({ code: 0, json: { id, status: 'active' } });
    expect((await get(app, '/raas/v2/whoami', authorization)).statusCode).toBe(200);
    expect((await tessera(['apikey', 'deactivate', id], cliEnv)).stdout).toBe(`API key ${id} is inactive\n`);
    expect(await tesseraJsonInProcess(['apikey', 'delete', id], cliEnv)).toStrictEqual({ code: 0, json: { id, deleted: true } });
    expect(await tesseraJsonInProcess(['apikey', 'reveal', id], cliEnv)).toStrictEqual({
      code: 1,
      json: { error: { code: 'not_found', message: `API key ${id} does not exist in ${env.config.dataDir}/tessera.db` } },
    });
  });
});
