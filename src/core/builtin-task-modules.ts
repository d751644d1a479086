/**
 * Where discovery gets the built-in task modules from (src/core/discover.ts). The modules themselves
 * live in the tasks layer (src/tasks/_registry.ts), above the core and the loader, so they are
 * handed in from above: the runtime's entry (src/bundle.ts) provides them when it loads. Until then
 * (running from the sources, as the tests do) there are none, and discovery imports a built-in
 * task's file like any other.
 */

/** A built-in task's module, by name; evaluated only when its task is loaded. */
export type BuiltinTaskModules = Readonly<Record<string, () => Promise<Record<string, unknown>>>>;

let provided: BuiltinTaskModules = {};

/** Hand discovery the built-in task modules (once, by the runtime's entry). */
export function provideBuiltinTasks(modules: BuiltinTaskModules): void {
  provided = modules;
}

/** The module of the built-in task `name`, or undefined when none was provided under that name. */
export function loadBuiltinTask(name: string): Promise<Record<string, unknown>> | undefined {
  return Object.hasOwn(provided, name) ? provided[name]!() : undefined;
}
