import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Where this copy of taskrunner lives, and the files user and built-in tasks are wired to. */
export interface PackagePaths {
  /** The folder holding taskrunner's package.json. */
  root: string;
  /** True when running from `src/` (tests), false when running from the built `dist/`. */
  fromSource: boolean;
  /**
   * URL of the library entry that `import ... from 'taskrunner'` in a user task leads to
   * (dist/index.mjs). The built one even when running from source (tests): Node loads user tasks,
   * and cannot load the sources, so the tests of task loading need `npm run build` first.
   */
  libraryUrl: string;
  /** The library's CommonJS entry (dist/library.cjs), for a `require('taskrunner')` in a user task. */
  libraryFile: string;
  /** URL of the module hooks that load user tasks on Node 20 (dist/task-hooks.cjs, built from src/loader/node20-hooks.ts). */
  hooksUrl: string;
  /** The folder of built-in task files, one task per file named after it. */
  builtinDir: string;
  /** The extension of built-in task files in {@link builtinDir}. */
  builtinExt: '.ts' | '.js';
}

let cached: PackagePaths | undefined;

/**
 * Locate the package from this module's own URL: `src/loader/` in the sources, `dist/runner.cjs` once
 * built (beside dist/package.json, which only says `commonjs`), so walk up to taskrunner's own
 * package.json rather than assuming a depth.
 */
export function packagePaths(): PackagePaths {
  if (cached) return cached;
  const here = fileURLToPath(import.meta.url);
  const root = findPackageRoot(path.dirname(here));
  const fromSource = here.endsWith('.ts');
  cached = {
    root,
    fromSource,
    libraryUrl: pathToFileURL(path.join(root, 'dist/index.mjs')).href,
    libraryFile: path.join(root, 'dist/library.cjs'),
    hooksUrl: pathToFileURL(path.join(root, 'dist/task-hooks.cjs')).href,
    builtinDir: path.join(root, fromSource ? 'src/tasks' : 'dist/tasks'),
    builtinExt: fromSource ? '.ts' : '.js',
  };
  return cached;
}

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (isTaskrunnerPackage(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) {
      throw new Error(`cannot find taskrunner's package.json above ${start}`);
    }
  }
}

function isTaskrunnerPackage(file: string): boolean {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'taskrunner';
  } catch {
    return false;
  }
}
