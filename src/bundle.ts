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
