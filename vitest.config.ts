import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
    projects: [
      {
        // Pure code: no broker, no database. `npx vitest run --project unit` runs in seconds.
        test: { name: 'unit', include: ['test/**/*.unit.spec.ts'], sequence: { groupOrder: 0 }, testTimeout: 30_000 },
      },
      {
        // Real Kafka and PostgreSQL: one broker and one database server for the whole run
        // (testkit/globalSetup.ts); every file gets its own database and topic prefix, so files
        // run in parallel without seeing each other's data.
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['test/**/*.int.spec.ts', 'test/**/*.e2e.spec.ts'],
          globalSetup: ['testkit/globalSetup.ts'],
          pool: 'forks',
          maxWorkers: 3,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
