/**
 * The built-in task modules, by name. Discovery lists `dist/tasks/*.js` (or `src/tasks/*.ts`) for
 * their names and files, but imports them from here once src/bundle.ts provided this list
 * (src/core/builtin-task-modules.ts): in the bundle they are part of the one copy of the runtime,
 * each evaluated only when its task is loaded. The leading `_` keeps this file out of the task
 * list (discovery and the build skip such names); test/tasks/registry.test.ts keeps this list and
 * src/tasks/ the same.
 */
import type { BuiltinTaskModules } from '../core/builtin-task-modules.js';

export const BUILTIN_TASKS: BuiltinTaskModules = {
  batch: () => import('./batch.js'),
  memory_capture: () => import('./memory_capture.js'),
  memory_consolidate: () => import('./memory_consolidate.js'),
  system_health: () => import('./system_health.js'),
};
