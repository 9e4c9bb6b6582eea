import { defineConfig } from 'vitest/config';

// `npm run test:slow`: tests that take minutes (10,000 runs over two workers, a 100,000-row import
// in a small heap, the CLI run as child processes through tsx, with 180 s timeouts). One file at a
// time: each loads the whole machine.
export default defineConfig({
  test: {
    include: ['src/**/*.slow.test.ts', 'test/**/*.slow.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    globalSetup: ['test/global-setup.ts'],
  },
});
