import { defineConfig } from 'vitest/config';

// `npm run screenshots`: refreshes the dashboard images of docs/dashboard.md in docs/screenshots/
// (scripts/screenshots.ts). Not part of `npm test`, which leaves the checkout as it found it.
export default defineConfig({
  test: {
    include: ['scripts/screenshots.ts'],
    testTimeout: 180_000,
    reporters: ['default'],
    // Says at the start when dist/ is older than src/: the pages shot would be an older build's.
    globalSetup: ['test/helpers/fresh-build.ts'],
  },
});
