import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import type { ScryptCost } from '../../src/accounts/passwords.js';
import { type AppOptions, buildApp } from '../../src/app.js';
import { type Config, testConfig } from '../../src/config/config.js';
import { closeServices, openServices, type Services } from '../../src/services.js';
import { deleteRedisKeys, redisReachable, TEST_REDIS_URL, uniqueRedisPrefix } from '../../../../test-support/redis.js';

export { TEST_REDIS_URL };

/** PostgreSQL for tests: from the environment (CI exports it), else the local default. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function reachable(check: () => Promise<unknown>): Promise<boolean> {
  try {
    await check();
    return true;
  } catch {
    return false;
  }
}

export const postgresUp = await reachable(async () => {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 2000 });
  await client.connect();
  await client.end();
});

export const redisUp = await redisReachable();

/**
 * Outside CI a suite whose service is missing is skipped, and says why; in CI it must run, so a
 * missing service fails loudly instead.
 */
export function skipReason(service: 'postgres' | 'redis'): string | false {
  const up = service === 'postgres' ? postgresUp : redisUp;
  if (up) return false;
  const url = service === 'postgres' ? TEST_DATABASE_URL : TEST_REDIS_URL;
  if (process.env.CI) throw new Error(`CI must run the ${service} suites, but ${url} is unreachable`);
  console.warn(`Skipping ${service} suites: ${url} is unreachable (set TEST_${service === 'postgres' ? 'DATABASE' : 'REDIS'}_URL)`);
  return `${service} unreachable`;
}

export type StoreKind = 'sqlite' | 'postgres';

/** The store kinds to run a contract suite on: SQLite always, PostgreSQL when it is reachable (always in CI). */
export const STORE_KINDS: StoreKind[] = skipReason('postgres') ? ['sqlite'] : ['sqlite', 'postgres'];

/** A clock frozen at a fixed moment that tests move by hand. */
export class TestClock {
  constructor(public current = Date.parse('2026-11-28T12:00:00.000Z')) {}
  readonly now = (): number => this.current;
  advance(ms: number): void {
    this.current += ms;
  }
}

export const HOUR = 3_600_000;

/** A database of its own on the test PostgreSQL, dropped by `drop()`. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `tessera_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export interface TestEnvironment {
  config: Config;
  clock: TestClock;
  /** Opens another set of services on the same store (another instance of the fleet). */
  open(overrides?: Partial<Config>): Promise<Services>;
  /** Builds an app on new services of this environment; closed by `close()`. */
  app(overrides?: Partial<Config>, appOptions?: AppOptions): Promise<{ app: FastifyInstance; services: Services }>;
  close(): Promise<void>;
}

export const silentLog = pino({ level: 'silent' });

/** The services each app of a test environment was built on: the portal helper reads their mail (support/mail.ts). */
const servicesOfApp = new WeakMap<FastifyInstance, Services>();

/** Records the services an app built outside `env.app()` runs on (support/captured-log.ts). */
export function registerApp(app: FastifyInstance, services: Services): void {
  servicesOfApp.set(app, services);
}

/** The services `app` was built on by a test environment's `app()`. */
export function servicesOf(app: FastifyInstance): Services {
  const services = servicesOfApp.get(app);
  if (!services) throw new Error('this app was not built by a test environment: build it with env.app()');
  return services;
}

/**
 * scrypt at 2^10 rather than 2^15: a hash in about a millisecond, so the suites that sign in often stay
 * fast. One test (accounts/passwords.test.ts) keeps the production cost.
 */
export const TEST_PASSWORD_COST: ScryptCost = { logN: 10, r: 8, p: 1 };

/**
 * A throwaway deployment: a temporary data folder, a database of its own for PostgreSQL, a Redis key
 * prefix of its own when `redis` is set, and a frozen clock. `close()` removes all of it.
 */
export async function createTestEnvironment(
  options: { store?: StoreKind; redis?: boolean; config?: Partial<Config> } = {},
): Promise<TestEnvironment> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tessera-test-'));
  const database = options.store === 'postgres' ? await createPostgresDatabase() : undefined;
  const redisKeyPrefix = uniqueRedisPrefix();
  const config = testConfig({
    dataDir,
    databaseUrl: database?.url,
    redisUrl: options.redis ? TEST_REDIS_URL : undefined,
    redisKeyPrefix,
    masterKey: randomBytes(32).toString('base64'),
    logLevel: 'silent',
    // The suites sign up many platforms from one address (inject's 127.0.0.1), as TEST_PASSWORD_COST
    // keeps them fast; the sign-up throttle's own tests (portal/sign-up.test.ts) keep the default.
    signUpLimit: 1_000_000,
    ...options.config,
  });
  const clock = new TestClock();
  const opened: Services[] = [];
  const apps: FastifyInstance[] = [];
  const open = async (overrides: Partial<Config> = {}) => {
    const services = await openServices({ ...config, ...overrides }, { log: silentLog, now: clock.now, passwordCost: TEST_PASSWORD_COST });
    opened.push(services);
    return services;
  };
  return {
    config,
    clock,
    open,
    async app(overrides = {}, appOptions = {}) {
      const services = await open(overrides);
      const app = await buildApp(services.config, services, { logger: false, ...appOptions });
      servicesOfApp.set(app, services);
      apps.push(app);
      return { app, services };
    },
    async close() {
      for (const app of apps) await app.close();
      for (const services of opened) await closeServices(services);
      if (options.redis) await deleteRedisKeys(redisKeyPrefix);
      await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}


/** Every table of the store and all their rows as one JSON text, to search for what must never be stored. */
export async function dumpStore(services: Services): Promise<{ tables: string[]; dump: string }> {
  const db = services.database.db;
  const tables =
    services.database.dialect === 'sqlite'
      ? (await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db)).rows.map((r) => r.name)
      : (await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = 'public'`.execute(db)).rows.map((r) => r.name);
  let dump = '';
  for (const table of tables) dump += JSON.stringify((await sql`select * from ${sql.table(table)}`.execute(db)).rows);
  return { tables, dump };
}
