import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/ first when a source is newer than it (npm test's pretest has already built).
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each file starts real server processes; two files at a time suits a 2-core machine.
    maxWorkers: 2,
    fileParallelism: true,
    reporters: ['default', './test/plain-summary-reporter.ts'],
  },
});
