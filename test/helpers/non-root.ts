import type { TestContext } from 'vitest';

/**
 * Tests of what permissions do (a file that cannot be read, a folder that cannot be written) mean
 * nothing as root, who reads and writes everything. CI runs as root: its root pass sets
 * {@link NON_ROOT_PASS} and skips them, and `.ci/run` then runs every test file that calls
 * {@link needsNonRootUser} again as the user `runner-ci`. Anywhere else a root run skips them,
 * saying why; on CI a root run without that pass to follow is an error, not a silent skip.
 */

/** Set by `.ci/run` for its root pass: the tests that need another user run after it, as runner-ci. */
export const NON_ROOT_PASS = 'TASKRUNNER_NON_ROOT_PASS';

/** Skip the test when this process is root (an error under CI=true unless the non-root pass follows). */
export function needsNonRootUser(context: TestContext): void {
  if (process.getuid?.() !== 0) return;
  const why = 'needs a user other than root, who can read and write any file';
  if (process.env.CI === 'true' && process.env[NON_ROOT_PASS] !== '1') {
    throw new Error(`${why}: on CI, .ci/run runs it as runner-ci (its root pass sets ${NON_ROOT_PASS}=1)`);
  }
  context.skip(`${why} (.ci/run runs it as runner-ci)`);
}
