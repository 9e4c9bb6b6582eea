import { defineConfig } from 'vitest/config';

// Browser tests of the web app against a real `qatra start` (built first by `npm run test:e2e`).
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
