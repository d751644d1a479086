import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Type tests (expectTypeOf, @ts-expect-error) in *.test-d.ts, checked by tsc through vitest;
    // `npm run typecheck` checks them too.
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: 'test/tsconfig.type-tests.json' },
    // The real-OpenClaw leg has its own run: npm run test:openclaw (vitest.openclaw.config.ts).
    exclude: ['test/openclaw-real/**', '**/node_modules/**'],
    // Fails the run when a test wrote into the checkout (test/helpers/tree-guard.ts); says at the
    // start when dist/ is older than src/, which fails every test of the built CLI (test/helpers/fresh-build.ts).
    globalSetup: ['test/helpers/tree-guard.ts', 'test/helpers/fresh-build.ts'],
    // User task files are imported with Node's own import() (test/helpers/native-import.ts).
    setupFiles: ['test/helpers/native-import.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Process-level tests spawn many CLIs; two cores are easily saturated.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
