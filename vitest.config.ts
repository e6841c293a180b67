import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Node test files that need a module registry of their own (project `node-isolated`): they replace a
 * module with vi.mock (every importer must get the stand-in, so nothing may have imported the real one
 * before), or they watch what Node does once per process (its one-time warnings).
 */
const OWN_MODULES = [
  'packages/client/test/redis-token-store-without-ioredis.test.ts',
  'packages/server/test/auth/liveness.test.ts',
  'packages/server/test/oauth/unknown-client.test.ts',
  'packages/server/test/tokens/signing-node-deprecations.test.ts',
];

export default defineConfig({
  test: {
    // Runs once for the whole run (the projects below do not repeat it).
    globalSetup: ['vitest.global-setup.ts'],
    // Two cores: run files in parallel, tests inside a file in order.
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      {
        test: {
          name: 'node',
          include: ['packages/{client,server,verify}/test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...OWN_MODULES],
          // The files of a worker share its modules: the app and its dependencies (fastify, kysely, pg,
          // ioredis…) are imported once per worker, not once per file, which was half of the run's time.
          // Each file still makes its own services, apps and stores; vi.restoreAllMocks runs between files.
          // A file that needs modules of its own goes in OWN_MODULES.
          isolate: false,
          // Suites talk to real SQLite, PostgreSQL, Redis and child processes: give them room on a slow machine.
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'node-isolated',
          include: OWN_MODULES,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The portal's components run in a DOM (happy-dom) against a fake fetch: no server needed.
        oxc: { jsx: { runtime: 'automatic' } },
        test: {
          name: 'portal',
          include: ['packages/portal/test/**/*.test.{ts,tsx}'],
          environment: 'happy-dom',
          setupFiles: ['packages/portal/test/support/setup.ts'],
          testTimeout: 15_000,
        },
      },
    ],
  },
});
