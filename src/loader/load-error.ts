import { RunnerError, type RunnerErrorCode } from '../shared/errors.js';

/**
 * What a failed import of a task file becomes: a {@link RunnerError} naming the task file, and for
 * a syntax error the file and line it is at (Node 24 says it in the first line of the error's
 * stack, the hooks of Node 20 in the error's `file` and `line`). An error of the runner's own, such
 * as a refused file, is kept as it is (from Node 20's hooks thread it arrives as a plain error with
 * its code and file), and so is an import that leads nowhere (resolve-import.ts names the
 * importing file in it).
 */
export function loadError(error: unknown, entry: string): RunnerError {
  if (error instanceof RunnerError) return error;
  const { code, file, message, importedBy } = (error ?? {}) as { code?: unknown; file?: unknown; message?: unknown; importedBy?: unknown };
  if (typeof code === 'string' && code.startsWith('runner.') && typeof message === 'string') {
    return new RunnerError(code as RunnerErrorCode, message, { file: typeof file === 'string' ? file : entry, cause: error });
  }
  // An import that leads nowhere: the message names the importing file and what it imported.
  if (typeof importedBy === 'string' && typeof message === 'string') return new RunnerError('runner.taskLoad', message, { file: importedBy, cause: error });
  const text = error instanceof Error ? error.message : String(error);
  const where = syntaxLocation(error);
  const at = where === undefined ? '' : where.file === entry ? ` (line ${where.line})` : ` (${where.file}:${where.line})`;
  const hint = code === 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX' ? `; ${NOT_ERASABLE}` : '';
  return new RunnerError('runner.taskLoad', `cannot load ${entry}: ${text}${at}${hint}`, { file: entry, cause: error });
}

/** Why Node 24 refuses an enum and the like, and where to read more. */
const NOT_ERASABLE =
  'Node runs TypeScript by erasing its types, which leaves TypeScript-only code (enum, namespace, parameter properties, import = require, export =) ' +
  'that it cannot run: see "TypeScript support" in docs/writing-tasks.md';

/** Where a syntax error is: the hooks' `file` and `line`, or the `<file>:<line>` Node puts first in the stack. */
function syntaxLocation(error: unknown): { file: string; line: number } | undefined {
  const { file, line, stack } = (error ?? {}) as { file?: unknown; line?: unknown; stack?: unknown };
  if (typeof file === 'string' && typeof line === 'number') return { file, line };
  if (!(error instanceof SyntaxError) && !isTypeScriptError(error)) return undefined;
  const first = typeof stack === 'string' ? /^(file:\/\/\S+|\/\S+):(\d+)\n/.exec(stack) : null;
  if (!first) return undefined;
  const where = first[1]!.startsWith('file:') ? decodeURIComponent(new URL(first[1]!).pathname) : first[1]!;
  return { file: where, line: Number(first[2]) };
}

function isTypeScriptError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX' || code === 'ERR_INVALID_TYPESCRIPT_SYNTAX';
}
