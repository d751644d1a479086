/**
 * The built-in task modules, by name. Discovery lists `dist/tasks/*.js` (or `src/tasks/*.ts`) for
 * their names and files, but imports them from here: in the bundle they are part of the one copy
 * of the runtime, each evaluated only when its task is loaded. test/core/builtin-tasks.test.ts
 * keeps this list and src/tasks/ the same.
 */
export const BUILTIN_TASKS: Record<string, () => Promise<Record<string, unknown>>> = {
  batch: () => import('../tasks/batch.js'),
  memory_capture: () => import('../tasks/memory_capture.js'),
  memory_consolidate: () => import('../tasks/memory_consolidate.js'),
  system_health: () => import('../tasks/system_health.js'),
};

/** The module of the built-in task `name`, or undefined when there is none of that name. */
export function loadBuiltinTask(name: string): Promise<Record<string, unknown>> | undefined {
  return Object.hasOwn(BUILTIN_TASKS, name) ? BUILTIN_TASKS[name]!() : undefined;
}
