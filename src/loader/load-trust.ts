import { statSync } from 'node:fs';
import path from 'node:path';
import { untrustedFolderReason, untrustedReason, unsafeFileError } from '../security/trusted-file.js';

/**
 * Which files the task loader checks before letting Node load them, and the check itself.
 *
 * The rule: a file of the home's own code (anything outside a node_modules folder: task files,
 * helpers of any extension, JSON they import, the package.json whose `imports` map is consulted)
 * is checked, wherever it is, as is a package file in the home's own node_modules that a task file
 * or helper imports. What an installed package imports in turn, and packages installed elsewhere
 * (a global install, taskrunner's own dependencies), are the package manager's business and are not
 * checked: they are as trusted as the runner itself.
 *
 * The module hooks (task-hooks.ts) hand Node the text of each checked file read through the
 * descriptor it was checked on (`readTrustedFile`), so what runs is what was checked; a binary Node
 * loads itself (a native addon) is checked by path. The folder holding a checked file must be
 * trusted too: whoever can write to it can put another file in its place.
 */

/** True when `file` must be checked before a task file in `home` loads it. */
export function mustCheck(file: string, home: string): boolean {
  return !inNodeModules(file) || isInside(file, home);
}

/** True when `file` is inside a node_modules folder. */
export function inNodeModules(file: string): boolean {
  return file.split(path.sep).includes('node_modules');
}

/** True when `file` is `dir` or inside it. */
export function isInside(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * Throws `runner.unsafeFile` naming the file when it, or the folder holding it, may not be trusted.
 * `what` says what the file is ("helper", "package.json").
 */
export function assertTrustedPath(file: string, what: string): void {
  const reason = untrustedReason(statSync(file)) ?? untrustedFolderReason(statSync(path.dirname(file)));
  if (reason) throw unsafeFileError(file, what, reason);
}

/**
 * The package.json Node consults for a `#` specifier imported by `fromFile`: the nearest one above
 * it, stopping at a node_modules folder as Node does.
 */
export function packageScopeFile(fromFile: string): string | undefined {
  for (let dir = path.dirname(fromFile); ; dir = path.dirname(dir)) {
    if (path.basename(dir) === 'node_modules') return undefined;
    const candidate = path.join(dir, 'package.json');
    if (statSync(candidate, { throwIfNoEntry: false })?.isFile()) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Throws `runner.unsafeFile` naming the file when the folder holding it may not be trusted. */
export function assertTrustedFolder(file: string, what: string): void {
  const reason = untrustedFolderReason(statSync(path.dirname(file)));
  if (reason) throw unsafeFileError(file, what, reason);
}
