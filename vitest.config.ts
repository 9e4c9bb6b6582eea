import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
    // Fault tests kill processes and stop servers for minutes: `npm run test:faults` (vitest.faults.config.ts);
    // tests that take minutes are `*.slow.test.ts`: `npm run test:slow` (vitest.slow.config.ts).
    exclude: ['test/faults/**', '**/*.slow.test.ts', '**/node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Test files share one PostgreSQL server; each file gets its own database (see test/backends.ts).
    fileParallelism: true,
    globalSetup: ['test/global-setup.ts'],
  },
});
