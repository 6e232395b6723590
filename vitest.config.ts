import { defineConfig } from 'vitest/config';

// One runner for every area; each area keeps its tests in its own folder.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'service/test/**/*.test.ts'],
    pool: 'forks',
    isolate: true,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Servers under test bind port 0; files still share 2 cores, so keep parallelism modest.
    maxWorkers: 2,
  },
});
