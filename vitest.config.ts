import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.spec.ts'],
    // One broker and one PostgreSQL server for the whole run (test/setup/globalSetup.ts);
    // every file gets its own database and topic prefix, so files run in parallel.
    globalSetup: ['test/setup/globalSetup.ts'],
    pool: 'forks',
    maxWorkers: 3,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
