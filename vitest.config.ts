import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Vitest's summary for people, then the one line CI counts (test/support/count-reporter.ts).
    reporters: ['default', './test/support/count-reporter.ts'],
  },
});
