import { defineConfig } from 'vitest/config';

// The fault tests (test/chaos): each file brings its own broker it may crash, so they run one at a
// time, apart from the main suite. `npm run chaos` (CHAOS_SIZE=full) and `npm run chaos:short` (CI).
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.chaos.spec.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 180_000,
  },
});
