import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Process-level tests spawn many CLIs; two cores are easily saturated.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
