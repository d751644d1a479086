/**
 * dist/launch.cjs: loads dist/runner.cjs, the one bundle holding all of taskrunner's own code, once
 * per process, and hands it to whoever asks: the `runner` bin (dist/cli.js), the library entry
 * (dist/index.mjs) a user task imports, the built-in task files. They all reach this file through
 * `require`, whose cache makes it one module per process, so the CLI and a task's
 * `import { Task } from 'taskrunner'` share one copy of the core: one unfinished-runs registry, one
 * logger, one `RunnerError` class.
 *
 * Why a CommonJS bundle and not ES modules: evaluating an ES module graph (dozens of chunks) cost
 * most of the start-up; one CommonJS script run through a V8 code cache (code-cache.ts) starts in
 * a fraction of it on Node 20. On Node >= 22.1 `module.enableCompileCache()` also caches what is
 * loaded later (user task files, their stripped TypeScript included, and the library entry).
 */
import Module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import path from 'node:path';
import { runWithCodeCache } from '../core/code-cache.js';
import type * as Bundle from '../bundle.js';

/** What dist/runner.cjs exports (src/bundle.ts). */
export type Runtime = typeof Bundle;

/** The global the bundle's code finds its importer under (see src/loader/import-module.ts). */
const IMPORTER = Symbol.for('taskrunner.importer');

let runtime: Runtime | undefined;

/** The bundle, loaded on first use. */
export function loadRuntime(): Runtime {
  runtime ??= load();
  return runtime;
}

/** The `runner` bin. */
export function runCli(): Promise<void> {
  return loadRuntime().main();
}

function load(): Runtime {
  // Code run by vm.Script has no import() of its own on Node 20: the bundle borrows this one.
  (globalThis as Record<symbol, unknown>)[IMPORTER] ??= (specifier: string) => import(specifier);
  const bundle = path.join(__dirname, 'runner.cjs');
  const dir = cacheDir();
  const loaded = runWithCodeCache(bundle, { dir, require: createRequire(bundle) });
  if (loaded.state !== 'hit') {
    // Saved once the run is over, so the cache also holds the functions the run compiled.
    process.once('exit', () => loaded.save());
  }
  // Node's compile cache gets a folder per bundle and path, pruned with the bundle's own entries.
  if (dir !== undefined && loaded.entryPrefix !== undefined) enableNodeCompileCache(path.join(dir, `${loaded.entryPrefix}-node`));
  return loaded.exports as Runtime;
}

/**
 * `$XDG_CACHE_HOME/taskrunner/v8` (else `~/.cache/taskrunner/v8`); undefined (no cache) when
 * `TASKRUNNER_CODE_CACHE=0`.
 */
function cacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.TASKRUNNER_CODE_CACHE === '0') return undefined;
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME || homedir(), '.cache');
  return path.join(base, 'taskrunner', 'v8');
}

/** Node >= 22.1: cache the compiled code of every module loaded from now on, in our private folder. */
function enableNodeCompileCache(dir: string): void {
  const enable = (Module as unknown as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  enable?.(dir);
}
