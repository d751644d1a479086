import { defineConfig } from 'vitest/config';

// The real-OpenClaw leg (`npm run test:openclaw`): installs OpenClaw 2026.9.6 and Node 24 into a
// cache folder on first use, starts a gateway per test file (about 1 GB, 8-27 s to get healthy),
// and waits for its scheduler, so it runs one file at a time with generous limits.
export default defineConfig({
  test: {
    include: ['test/openclaw-real/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    maxWorkers: 1,
    fileParallelism: false,
    reporters: ['default'],
    // Fails the run when a test wrote into the checkout (test/helpers/tree-guard.ts); says at the
    // start when dist/ is older than src/, which fails every test of the built CLI (test/helpers/fresh-build.ts).
    globalSetup: ['test/helpers/tree-guard.ts', 'test/helpers/fresh-build.ts'],
  },
});
