import type { FastifyInstance } from 'fastify';
import { type AppOptions, buildApp } from '../../src/app.js';
import type { Config } from '../../src/config/config.js';
import type { Services } from '../../src/services.js';
import { createTestEnvironment, registerApp, skipReason, type StoreKind, type TestEnvironment } from './services.js';
import { createTenant, type Tenant } from './tenants.js';

/** A suite's deployment: its environment (close it in afterAll), an app on its services, and its tenants. */
export interface TestDeployment<Name extends string> {
  env: TestEnvironment;
  app: FastifyInstance;
  services: Services;
  /** One {@link Tenant} per name asked for, each with a client, an API key and a token. */
  tenants: Record<Name, Tenant>;
}

/** What a suite's deployment runs on; every option may be left out (SQLite, the in-process cache, the test config). */
export interface DeploymentOptions<Name extends string = never> {
  store?: StoreKind;
  redis?: boolean;
  /** Laid over the test config (support/services.ts) for every instance of the environment. */
  config?: Partial<Config>;
  tenants?: readonly Name[];
  /** buildApp's options for the app: a logger whose lines the suite reads, the portal's built folder. */
  appOptions?: AppOptions;
  /**
   * false: the environment alone, nothing opened on its store yet, for a suite whose subject is what
   * opens an empty store first (instances racing to make the first signing key, tokens/signing-keys.test.ts).
   */
  open?: boolean;
}

/**
 * The one bootstrap of the suites: a throwaway environment on `store`, an app, and the tenants named.
 * More instances on the same store and cache: `env.app(overrides, appOptions)` (an app on new services)
 * or `env.open(overrides)` (services only); `env.close()` closes them all. A suite whose tests need
 * different configurations calls it once for each.
 *
 * @example
 * beforeAll(async () => ({ env, app, services, tenants: { acme } } = await startDeployment({ store, tenants: ['acme'] })));
 * afterAll(async () => env?.close());
 */
export async function startDeployment(options: DeploymentOptions & { open: false }): Promise<{ env: TestEnvironment }>;
export async function startDeployment<const Name extends string = never>(options?: DeploymentOptions<Name> & { open?: true }): Promise<TestDeployment<Name>>;
export async function startDeployment<const Name extends string = never>(
  options: DeploymentOptions<Name> = {},
): Promise<TestDeployment<Name> | { env: TestEnvironment }> {
  const env = await createTestEnvironment(options);
  if (options.open === false) return { env };
  const { app, services } = await env.app({}, options.appOptions);
  const tenants = {} as Record<Name, Tenant>;
  for (const name of options.tenants ?? []) tenants[name] = await createTenant(app, services, name);
  return { env, app, services, tenants };
}

/** A deployment shape for suites that must hold on one instance and across a fleet sharing its store and cache. */
export interface FleetDeployment {
  name: string;
  store: StoreKind;
  redis: boolean;
  instances: number;
  skip: string | false;
}

/** One SQLite instance with the in-process cache, and two instances on PostgreSQL and Redis (skipped where either is down). */
export const FLEET_DEPLOYMENTS: readonly FleetDeployment[] = [
  { name: 'SQLite and the in-process cache', store: 'sqlite', redis: false, instances: 1, skip: false },
  { name: 'PostgreSQL and Redis, two instances', store: 'postgres', redis: true, instances: 2, skip: skipReason('postgres') || skipReason('redis') },
];

/** A throwaway environment for `deployment` and its `instances` apps, each on its own services (close `env` in afterAll). */
export async function startFleet(
  deployment: FleetDeployment,
  config?: Partial<Config>,
): Promise<{ env: TestEnvironment; apps: FastifyInstance[]; services: Services[] }> {
  const env = await createTestEnvironment({ store: deployment.store, redis: deployment.redis, config });
  const apps: FastifyInstance[] = [];
  const services: Services[] = [];
  for (let i = 0; i < deployment.instances; i++) {
    const opened = await env.app();
    apps.push(opened.app);
    services.push(opened.services);
  }
  return { env, apps, services };
}

/**
 * Another app on services a suite already holds, or on services it changed (a fake readiness, an extra
 * grant): apps on one set of services share one memory (docs/architecture.md). The caller closes it.
 */
export async function appOn(services: Services, appOptions: AppOptions = {}): Promise<FastifyInstance> {
  const app = await buildApp(services.config, services, { logger: false, ...appOptions });
  registerApp(app, services);
  return app;
}
