import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    globalSetup: ['vitest.global-setup.ts'],
    // Suites talk to real SQLite, PostgreSQL, Redis and child processes: give them room on a slow machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: run files in parallel, tests inside a file in order.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
