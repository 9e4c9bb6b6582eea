import { defineConfig } from 'vitest/config';

// `npm run test:faults`: real processes, real signals, real outages (test/faults). One file at a
// time: they kill processes, stop servers and load the machine; see docs/benchmarks.md.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    globalSetup: ['test/global-setup.ts'],
  },
});
