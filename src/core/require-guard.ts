import Module from 'node:module';
import path from 'node:path';
import { assertTrustedPath, inNodeModules, isInside } from '../loader/load-trust.js';

/**
 * The same file check for what CommonJS code of the home loads with require(): a `.cjs` helper
 * requiring another file never passes through the task loader, and on Node 20 not through module
 * hooks either. Node's CommonJS loader hands every file to `Module._extensions[ext]`, a long-stable
 * (if undocumented) entry point that require hooks such as `pirates` use too; wrapping it lets the
 * check run before Node reads the file. Only files under a guarded home and outside node_modules
 * are checked (see load-trust.ts for why packages are not).
 */

type ExtensionHandler = (module: unknown, filename: string) => void;

const guardedRoots = new Set<string>();
const CHECKED_EXTENSIONS = ['.js', '.cjs', '.json', '.node'];

/** Check every file required under `home` (idempotent; the first call installs the wrappers). */
export function guardRequiresUnder(home: string): void {
  if (guardedRoots.size === 0) installGuard();
  guardedRoots.add(path.resolve(home));
}

function installGuard(): void {
  const extensions = (Module as unknown as { _extensions: Record<string, ExtensionHandler> })._extensions;
  for (const ext of CHECKED_EXTENSIONS) {
    const original = extensions[ext];
    if (!original) continue;
    extensions[ext] = function guardedExtension(this: unknown, module: unknown, filename: string) {
      if (isGuarded(filename)) assertTrustedPath(filename, 'helper');
      original.call(this, module, filename);
    };
  }
}

function isGuarded(file: string): boolean {
  if (inNodeModules(file)) return false;
  for (const root of guardedRoots) if (isInside(file, root)) return true;
  return false;
}
