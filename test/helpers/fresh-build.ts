import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The tests that run the built CLI (dist/cli.js, dist/index.mjs) must not test an older build than
 * the checkout's code: `npm test` builds first, but `npx vitest run <file>` after an edit of src/
 * would test yesterday's dist/ and pass or fail for the wrong reason. {@link assertFreshBuild}
 * (called by `startCli`, so by every test that starts the CLI) fails such a test with the reason;
 * tests that import src/ themselves need no build and are not held up by one that is out of date.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What `npm run build` makes dist/ from besides src/ (scripts/build.mjs). */
const BUILD_INPUTS = ['scripts/build.mjs', 'package.json', 'package-lock.json', 'tsconfig.types.json'];

/** Why dist/ may not be this checkout's code (missing, or older than one of its sources); undefined when it is up to date. */
export function staleBuildProblem(root = ROOT): string | undefined {
  const built = statSync(path.join(root, 'dist', 'cli.js'), { throwIfNoEntry: false });
  if (!built) return 'dist/cli.js is missing — run npm run build';
  const newest = newestInput(root);
  if (newest !== undefined && newest.mtimeMs > built.mtimeMs) {
    return `dist/ is older than src/ — run npm run build (${newest.file} changed after dist/cli.js was built)`;
  }
  return undefined;
}

let checked: { problem: string | undefined } | undefined;

/** Throw the reason when dist/ is missing or out of date (checked once per test file). */
export function assertFreshBuild(): void {
  checked ??= { problem: staleBuildProblem() };
  if (checked.problem !== undefined) throw new Error(checked.problem);
}

/** vitest's global setup: says once, before any test, that the tests of the built CLI will fail. */
export default function setup(): void {
  const problem = staleBuildProblem();
  if (problem !== undefined) console.warn(`\n${problem}: every test that runs the built CLI fails until then.\n`);
}

// The most recently changed source of the build, relative to `root`.
function newestInput(root: string): { file: string; mtimeMs: number } | undefined {
  let newest: { file: string; mtimeMs: number } | undefined;
  const consider = (file: string) => {
    const stats = statSync(path.join(root, file), { throwIfNoEntry: false });
    if (stats?.isFile() && (newest === undefined || stats.mtimeMs > newest.mtimeMs)) newest = { file, mtimeMs: stats.mtimeMs };
  };
  for (const file of readdirSync(path.join(root, 'src'), { recursive: true, encoding: 'utf8' })) consider(path.join('src', file));
  for (const file of BUILD_INPUTS) consider(file);
  return newest;
}
