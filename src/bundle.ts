/**
 * The entry of dist/runner.cjs, the one bundle of taskrunner's own code (see src/cli/launcher.ts):
 * the CLI, the library surface and the built-in tasks, so all of them share one copy of each
 * module. What only some commands need is imported lazily inside it.
 */
import type * as Library from './index.js';

export { main } from './cli/main.js';
export { loadBuiltinTask } from './core/builtin-tasks.js';

/**
 * The library surface (src/index.ts, what dist/index.mjs exports). Evaluated on first use, not when
 * the bundle loads: `runner alerts` needs none of the run machinery it brings in.
 */
export function loadLibrary(): Promise<typeof Library> {
  return import('./index.js');
}

/**
 * The library surface, evaluated now: for a user task's `require('taskrunner')` (dist/library.cjs),
 * which cannot wait for a promise. esbuild turns this require() into the same lazy
 * module as loadLibrary's import(), so both give one copy of the library.
 */
export function librarySync(): typeof Library {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- resolved by esbuild at build time
  return require('./index.js') as typeof Library;
}
