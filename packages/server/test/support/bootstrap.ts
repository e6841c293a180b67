import type { FastifyInstance } from 'fastify';
import type { Config } from '../../src/config/config.js';
import type { Services } from '../../src/services.js';
import { createTestEnvironment, skipReason, type StoreKind, type TestEnvironment } from './services.js';
import { createTenant, type Tenant } from './tenants.js';

/** A suite's deployment: its environment (close it in afterAll), an app on its services, and its tenants. */
export interface TestDeployment<Name extends string> {
  env: TestEnvironment;
  app: FastifyInstance;
  services: Services;
  /** One {@link Tenant} per name asked for, each with a client, an API key and a token. */
  tenants: Record<Name, Tenant>;
}

/**
 * The one bootstrap of the suites: a throwaway environment on `store`, an app, and the tenants named.
 *
 * @example
 * beforeAll(async () => ({ env, app, services, tenants: { acme } } = await startDeployment({ store, tenants: ['acme'] })));
 * afterAll(async () => env?.close());
 */
export async function startDeployment<const Name extends string = never>(
  options: { store?: StoreKind; redis?: boolean; config?: Partial<Config>; tenants?: readonly Name[] } = {},
): Promise<TestDeployment<Name>> {
  const env = await createTestEnvironment(options);
  const { app, services } = await env.app();
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
