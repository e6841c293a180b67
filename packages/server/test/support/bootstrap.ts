import type { FastifyInstance } from 'fastify';
import type { Config } from '../../src/config.js';
import type { Services } from '../../src/services.js';
import { createTestEnvironment, type StoreKind, type TestEnvironment } from './services.js';
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
