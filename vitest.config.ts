import { defineConfig } from 'vitest/config';

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
          include: ['packages/{client,server}/test/**/*.test.ts'],
          // Suites talk to real SQLite, PostgreSQL, Redis and child processes: give them room on a slow machine.
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
