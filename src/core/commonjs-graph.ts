import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

/** The CommonJS wrapper's parameters, as Node gives them to a module. */
const PARAMETERS = ['exports', 'require', 'module', '__filename', '__dirname'];

/**
 * Run a module graph compiled to CommonJS (see load-module.ts) and return the entry's exports. Each
 * module is compiled under its original file's name, so stack traces and `__filename` point at the
 * task's own source, not at the cache copy that Node's require() would name. A require() of another
 * module of the graph (by its original path) is answered from the graph, cycles included, as
 * Node's loader would; anything else (built-ins, the taskrunner library) goes to Node's require.
 *
 * @param codeOf the compiled text of a graph module, by original path
 */
export function runCommonJsGraph(entry: string, files: ReadonlySet<string>, codeOf: (file: string) => string): unknown {
  const modules = new Map<string, { exports: unknown }>();
  const load = (file: string): unknown => {
    const loaded = modules.get(file);
    if (loaded) return loaded.exports;
    const module = { exports: {} as unknown };
    modules.set(file, module);
    const outside = createRequire(file);
    const require = Object.assign((specifier: string) => (files.has(specifier) ? load(specifier) : outside(specifier)), outside);
    const run = vm.compileFunction(codeOf(file), PARAMETERS, { filename: file }) as (...args: unknown[]) => void;
    run.call(module.exports, module.exports, require, module, file, path.dirname(file));
    return module.exports;
  };
  return load(entry);
}
