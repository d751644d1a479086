/**
 * The entry of dist/runner.cjs, the one bundle of taskrunner's own code (see src/cli/launcher.ts):
 * the CLI, the library surface and the built-in tasks, so all of them share one copy of each
 * module. What only some commands need is imported lazily inside it.
 */
import type * as Library from './index.js';

import { loadBuiltinTask, provideBuiltinTasks } from './core/builtin-task-modules.js';
import { BUILTIN_TASKS } from './tasks/_registry.js';

// Discovery (and so runTask by name, here and in a task's nested runs) finds the built-ins in the
// one copy of the runtime, not by importing their files again.
provideBuiltinTasks(BUILTIN_TASKS);

export { main } from './cli/main.js';
/** For dist/tasks/<name>.js: the built-in task module of the runtime. */
export { loadBuiltinTask };

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
