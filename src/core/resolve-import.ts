import { realpathSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RunnerError } from '../shared/errors.js';

/** Extensions of files that go through the task compiler (TypeScript stripped, imports rewritten). */
export const COMPILED_EXTENSIONS: readonly string[] = ['.ts', '.mts', '.cts', '.js', '.mjs'];

/** Where an import in a task file leads. */
export type ResolvedImport =
  /** A source file of the home: compiled too, and imported from the cache. */
  | { kind: 'compile'; file: string }
  /** A file imported where it is (a package's file, JSON, CommonJS, the taskrunner library). */
  | { kind: 'url'; url: string; file?: string }
  /** Left untouched: Node built-ins and URLs Node resolves by itself. */
  | { kind: 'keep' };

/**
 * What TypeScript users write for a file that exists only as TypeScript: `./x.js` for `./x.ts`
 * (the NodeNext convention), `./x.mjs` for `./x.mts`, `./x.cjs` for `./x.cts`.
 */
const TYPESCRIPT_TWINS: Record<string, string> = { '.js': '.ts', '.mjs': '.mts', '.cjs': '.cts' };

/** Extensions tried, in order, for a specifier written without one (TypeScript's "bundler" habit). */
const IMPLIED_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

type Resolver = (specifier: string, parentUrl: string) => string;
let resolver: Resolver | undefined;

/**
 * Load Node's resolution algorithm (import-meta-resolve, a pure-JS copy of Node's ESM resolver:
 * package `exports`, `#imports`, conditions, symlinks). Loaded on first need, so a task importing
 * only `taskrunner` and built-ins never pays for it.
 */
export async function loadResolver(): Promise<Resolver> {
  resolver ??= (await import('import-meta-resolve')).resolve;
  return resolver;
}

/**
 * Resolve an import specifier found in `fromFile` exactly as Node would from the file's own location
 * (the compiled copy runs from the cache, so every specifier is made absolute), with two additions
 * that make TypeScript without a build step work: `taskrunner` is this package's library (the
 * running CLI's copy, so the Task brand and module instances are shared, even where the home has no
 * node_modules), and a file that does not exist may have a TypeScript twin or need an extension.
 */
export async function resolveImport(specifier: string, fromFile: string, libraryUrl: string): Promise<ResolvedImport> {
  if (specifier === 'taskrunner') return { kind: 'url', url: libraryUrl };
  if (isBuiltin(specifier) || (/^[a-z][a-z0-9+.-]*:/i.test(specifier) && !specifier.startsWith('file:'))) {
    return { kind: 'keep' };
  }
  let url = resolveRelative(specifier, fromFile);
  if (url === undefined) {
    const resolve = await loadResolver();
    try {
      // Like import.meta.resolve, this answers the URL of a file that does not exist instead of failing,
      // so that its TypeScript twin can be looked for below.
      url = resolve(specifier, pathToFileURL(fromFile).href);
    } catch (error) {
      throw cannotResolve(specifier, fromFile, error);
    }
  }
  if (!url.startsWith('file:')) return { kind: 'keep' };
  const file = existingFile(fileURLToPath(url), specifier);
  if (!file) throw cannotResolve(specifier, fromFile);
  if (isSourceFile(file)) return { kind: 'compile', file };
  return { kind: 'url', url: pathToFileURL(file).href, file };
}

/**
 * What Node's resolver (and import-meta-resolve, as used above) answers for a plain `./x` or `../x`:
 * the URL against the importing file, made real (symbolic links followed) when it is a file. Done
 * here so that a task importing only its own helpers never loads the resolver (loading it costs
 * a start time; measured: docs/benchmarks.md). Undefined for anything less plain (encoded
 * separators, a query, a hash).
 */
function resolveRelative(specifier: string, fromFile: string): string | undefined {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  if (/%2f|%5c/i.test(specifier)) return undefined;
  const url = new URL(specifier, pathToFileURL(fromFile));
  if (url.search !== '' || url.hash !== '') return undefined;
  const file = fileURLToPath(url);
  return statSync(file, { throwIfNoEntry: false })?.isFile() ? pathToFileURL(realpathSync(file)).href : url.href;
}

/**
 * A file of the home's own code, compiled like the task file. Files of installed packages (under a
 * node_modules folder) are imported where they are: Node decides their module format.
 */
function isSourceFile(file: string): boolean {
  return COMPILED_EXTENSIONS.includes(path.extname(file)) && !file.split(path.sep).includes('node_modules');
}

/** The file `target` means: itself, its TypeScript twin, or (written without extension) with one. */
function existingFile(target: string, specifier: string): string | undefined {
  const candidates = [target];
  const ext = path.extname(target);
  const twin = TYPESCRIPT_TWINS[ext];
  if (twin) candidates.push(target.slice(0, -ext.length) + twin);
  if (isPathSpecifier(specifier) && !COMPILED_EXTENSIONS.includes(ext) && ext !== '.json' && ext !== '.cjs') {
    candidates.push(...IMPLIED_EXTENSIONS.map((extension) => `${target}${extension}`));
    candidates.push(...IMPLIED_EXTENSIONS.map((extension) => path.join(target, `index${extension}`)));
  }
  return candidates.find(isFile);
}

/** True for `./x`, `../x`, `/x` and `file:` specifiers, which name a file rather than a package. */
export function isPathSpecifier(specifier: string): boolean {
  return specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('file:');
}

function isFile(file: string): boolean {
  return statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
}

function cannotResolve(specifier: string, fromFile: string, cause?: unknown): RunnerError {
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return new RunnerError('runner.taskLoad', `cannot find "${specifier}" imported by ${fromFile}${detail}`, {
    file: fromFile,
    cause,
  });
}
