import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunnerError } from '../shared/errors.js';
import { readTrustedFile } from '../security/trusted-file.js';
import { assertTrustedFolder, assertTrustedPath, inNodeModules, mustCheck, packageScopeFile } from './load-trust.js';
import { isNotFound, isPathSpecifier, markImportedBy, typeScriptAlternative } from './resolve-import.js';

/**
 * The module hooks that load user task files with Node's own loader: what both kinds of hooks do
 * (in-thread `module.registerHooks` on Node 24, see in-thread-hooks.ts; off-thread `module.register`
 * on Node 20, see node20-hooks.ts), as plain functions over what Node's resolver and loader answered.
 *
 * - `taskrunner` is the running runner's own library (its ES module entry for an import, its
 *   CommonJS entry for a require()), so a task shares the runtime's classes and needs no
 *   node_modules of its own;
 * - where Node finds nothing, the TypeScript file meant is tried (`./x.js` for `./x.ts`, see
 *   resolve-import.ts);
 * - every file of a home's own code that a task file reaches, and the package files it imports from
 *   the home's node_modules, is checked before Node runs it (rule in load-trust.ts): refused when
 *   another user owns it or others can write to it or its folder, and read through the descriptor
 *   it was checked on, so what runs is what was checked.
 *
 * A file is "home code" once it is a task file being loaded ({@link addEntry}) or a non-package file
 * home code imports; which home code imports which is kept, for {@link filesOf}.
 */

/** Task files and helpers are source code; anything bigger than this is not what it claims to be. */
const MAX_SOURCE_BYTES = 16 * 1024 * 1024;

/** Where `taskrunner` leads: the library entries of the running copy of taskrunner. */
export interface LibraryUrls {
  /** The ES module entry (dist/index.mjs), for an import. */
  module: string;
  /** The CommonJS entry (dist/library.cjs), for a require(). */
  commonjs: string;
}

/** A resolve hook's answer. */
export interface Resolved {
  url: string;
  format?: string | null | undefined;
  shortCircuit?: boolean;
}

let library: LibraryUrls | undefined;
/** Each file of home code, and the home it belongs to. */
const homeOf = new Map<string, string>();
/** Package files in a home's node_modules that home code imports: checked, but not followed. */
const packageFileHome = new Map<string, string>();
/** The home code each file of home code imports. */
const importsOf = new Map<string, Set<string>>();
/** The files of home code that other home code imports (in an error, a "helper" rather than a "task file"). */
const helpers = new Set<string>();

/** Says where `taskrunner` leads; called once, before the hooks are installed. */
export function setLibrary(urls: LibraryUrls): void {
  library = urls;
}

/** Marks `file` as a task file of `home` about to be loaded: it and the home code it imports are checked. */
export function addEntry(file: string, home: string): void {
  homeOf.set(file, home);
}

/** `file` (a task file) and every file of home code it imports, directly or not. */
export function filesOf(file: string): string[] {
  const seen = new Set([file]);
  const pending = [file];
  while (pending.length > 0) {
    for (const next of importsOf.get(pending.pop()!) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        pending.push(next);
      }
    }
  }
  return [...seen];
}

/** The file of a `file:` URL (without its query), or undefined for any other URL. */
export function fileOf(url: string | undefined): string | undefined {
  if (url === undefined || !url.startsWith('file:')) return undefined;
  const parsed = new URL(url);
  parsed.search = '';
  parsed.hash = '';
  return fileURLToPath(parsed);
}

/** What a resolve needs to know about the importing file: home code (and whose), or not. */
export interface Importer {
  file: string;
  home: string;
  /** The importer's `?reload=` query (see load-module.ts), passed on to the home code it imports. */
  reload: string;
}

/** The query of a URL that names a fresh load of a changed task file (see load-module.ts). */
const RELOAD_QUERY = /^\?reload=\d+$/;

/**
 * Before Node resolves `specifier`: `taskrunner`'s answer (the resolve is then done), and for an
 * import by home code, the check of the package.json Node consults for a package or `#` specifier.
 */
export function beforeResolve(specifier: string, parentUrl: string | undefined, conditions: readonly string[] | undefined): Resolved | Importer | undefined {
  if (specifier === 'taskrunner' && library) {
    return { url: conditions?.includes('require') ? library.commonjs : library.module, shortCircuit: true };
  }
  const parentFile = fileOf(parentUrl);
  const home = parentFile === undefined ? undefined : homeOf.get(parentFile);
  if (parentFile === undefined || home === undefined) return undefined;
  if (!isPathSpecifier(specifier) && !isBuiltin(specifier)) {
    const scope = packageScopeFile(parentFile);
    if (scope && mustCheck(scope, home)) assertTrustedPath(scope, 'package.json');
  }
  const reload = new URL(parentUrl!).search;
  return { file: parentFile, home, reload: RELOAD_QUERY.test(reload) ? reload : '' };
}

/**
 * When Node's resolver failed: the TypeScript file meant, if there is one; otherwise the error,
 * for home code saying which file imported what (see resolve-import.ts).
 */
export function resolveFailed(specifier: string, parentUrl: string | undefined, importer: Importer | undefined, error: unknown): Resolved {
  const alternative = isNotFound(error) ? typeScriptAlternative(specifier, parentUrl, error) : undefined;
  if (alternative !== undefined) return { url: alternative, shortCircuit: true };
  if (importer !== undefined && !(error instanceof RunnerError)) markImportedBy(error, specifier, importer.file);
  throw error;
}

/**
 * After a resolve for home code: note where it leads, so that the file is checked when loaded; a
 * fresh load of a changed task file loads its home code afresh too.
 */
export function resolved(result: Resolved, importer: Importer | undefined): Resolved {
  const file = importer === undefined ? undefined : fileOf(result.url);
  if (importer === undefined || file === undefined || !mustCheck(file, importer.home)) return result;
  if (inNodeModules(file)) {
    packageFileHome.set(file, importer.home);
    return result;
  }
  homeOf.set(file, importer.home);
  let imports = importsOf.get(importer.file);
  if (!imports) importsOf.set(importer.file, (imports = new Set()));
  imports.add(file);
  helpers.add(file);
  if (importer.reload === '' || new URL(result.url).search !== '') return result;
  return { ...result, url: `${result.url}${importer.reload}` };
}

/** A file about to be loaded that must be checked first, and what to call it in an error. */
export interface CheckedFile {
  file: string;
  what: string;
  /** The home whose code reached it. */
  home: string;
}

/** The file of `url` when it must be checked before it runs (home code, or a package file it imports). */
export function checkedFile(url: string): CheckedFile | undefined {
  const file = fileOf(url);
  if (file === undefined) return undefined;
  const home = homeOf.get(file);
  if (home !== undefined) return { file, what: helpers.has(file) ? 'helper' : 'task file', home };
  const packageHome = packageFileHome.get(file);
  return packageHome === undefined ? undefined : { file, what: 'helper', home: packageHome };
}

/** Files Node loads as binaries (a native addon, WebAssembly): it reads them itself. */
const BINARY_EXTENSIONS = new Set(['.node', '.wasm']);

/**
 * The checked file's text, read through the descriptor it was checked on (its folder checked
 * too: see load-trust.ts); for a binary Node loads itself (an addon), undefined once the file is
 * checked by path.
 */
export function trustedSource(checked: CheckedFile): Buffer | undefined {
  assertTrustedFolder(checked.file, checked.what);
  if (BINARY_EXTENSIONS.has(path.extname(checked.file))) {
    assertTrustedPath(checked.file, checked.what);
    return undefined;
  }
  try {
    return readTrustedFile(checked.file, checked.what, MAX_SOURCE_BYTES);
  } catch (error) {
    if (error instanceof RunnerError) throw error;
    throw new RunnerError('runner.taskLoad', `cannot read ${checked.file}: ${(error as Error).message}`, { file: checked.file, cause: error });
  }
}
