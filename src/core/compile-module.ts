import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Sucrase from 'sucrase';
import { RunnerError } from '../shared/errors.js';

/** A task source file turned into JavaScript, with where its imports are, ready to be linked. */
export interface TranspiledModule {
  /** `commonjs` for `.cts` files (TypeScript's CommonJS), `module` for everything else. */
  format: 'module' | 'commonjs';
  code: string;
  /** Every string-literal import (static, re-export, dynamic), located by its quoted literal. */
  imports: { specifier: string; start: number; end: number }[];
  /** Offsets of each `import.meta` in `code`. */
  importMetas: number[];
  /**
   * True when the module means the same as CommonJS: static imports only, no `import.meta`, no
   * top-level await. Such a graph is loaded with require(), which on Node 20 does not start the
   * ES module loader (a few milliseconds of every run).
   */
  fitsCommonJs: boolean;
}

const IMPORT_META = 'import.meta';

/**
 * Strip TypeScript (sucrase, ESM kept as is, modern syntax untouched) and locate the imports
 * (es-module-lexer). Both are loaded only here, so a run whose modules are cached never loads them.
 */
export async function transpileModule(source: string, file: string): Promise<TranspiledModule> {
  if (path.extname(file) === '.cts') {
    // Its require() calls are resolved by Node from the original file (see linkModule), not here.
    // Left to the ES module path: an ES importer's `import x from './h.cts'` is its whole module.exports,
    // which a require() through sucrase's interop would not give when the file sets `__esModule`.
    return { format: 'commonjs', code: await stripTypes(source, file, true), imports: [], importMetas: [], fitsCommonJs: false };
  }
  const code = isTypeScript(file) ? await stripTypes(source, file) : source;
  const lexer = await import('es-module-lexer');
  await lexer.init;
  let found: ReturnType<typeof lexer.parse>[0];
  try {
    [found] = lexer.parse(code, file);
  } catch (error) {
    const index = (error as { idx?: number }).idx;
    const where = index === undefined ? '' : ` at ${positionOf(code, index)}`;
    throw loadError(file, `syntax error${where}`, error);
  }
  const imports: TranspiledModule['imports'] = [];
  const importMetas: number[] = [];
  let dynamicImports = 0;
  for (const entry of found) {
    if (entry.d >= 0) dynamicImports++;
    if (entry.d === -2) importMetas.push(entry.s);
    else if (entry.n !== undefined && entry.d === -1) imports.push({ specifier: entry.n, start: entry.s - 1, end: entry.e + 1 });
    else if (entry.n !== undefined && entry.d >= 0 && isStringLiteral(code.slice(entry.s, entry.e))) {
      imports.push({ specifier: entry.n, start: entry.s, end: entry.e });
    }
  }
  const fitsCommonJs = dynamicImports === 0 && importMetas.length === 0 && (await compilesAsCommonJs(code));
  return { format: 'module', code, imports, importMetas, fitsCommonJs };
}

/** Top-level await is the one thing left that CommonJS cannot say: try compiling it as a function body. */
async function compilesAsCommonJs(code: string): Promise<boolean> {
  try {
    new Function('exports', 'require', 'module', '__filename', '__dirname', await toCommonJs(code, '<check>'));
    return true;
  } catch {
    return false;
  }
}

/** ES module syntax to CommonJS (sucrase's imports transform); nothing else changes, line numbers stay. */
async function toCommonJs(code: string, file: string): Promise<string> {
  const transform = await loadSucrase();
  return transform(code, { transforms: ['imports'], disableESTransforms: true, filePath: file }).code;
}

function isTypeScript(file: string): boolean {
  const ext = path.extname(file);
  return ext === '.ts' || ext === '.mts';
}

async function stripTypes(source: string, file: string, commonjs = false): Promise<string> {
  const transform = await loadSucrase();
  try {
    return transform(source, {
      transforms: commonjs ? ['typescript', 'imports'] : ['typescript'],
      disableESTransforms: true,
      // `import x = require('y')` needs a require in an ES module.
      injectCreateRequireForImportRequire: true,
      filePath: file,
    }).code;
  } catch (error) {
    throw loadError(file, withoutFilePrefix(error instanceof Error ? error.message : String(error), file), error);
  }
}

/**
 * sucrase starts its messages with `Error transforming <file>: `; the load error names the file
 * already (`cannot load <file>: …`), so it is said once.
 */
function withoutFilePrefix(message: string, file: string): string {
  const prefix = `Error transforming ${file}: `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

/** sucrase is CommonJS: bundled, its exports arrive on `default`; run from source, as named exports. */
async function loadSucrase(): Promise<typeof Sucrase.transform> {
  const sucrase = (await import('sucrase')) as typeof Sucrase & { default?: typeof Sucrase };
  return sucrase.transform ?? sucrase.default!.transform;
}

function isStringLiteral(text: string): boolean {
  return /^(['"]).*\1$/s.test(text);
}

function positionOf(code: string, index: number): string {
  const before = code.slice(0, index).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

function loadError(file: string, message: string, cause: unknown): RunnerError {
  return new RunnerError('runner.taskLoad', `cannot load ${file}: ${message}`, { file, cause });
}

/**
 * The module text written to the cache: each import literal replaced by the URL it resolved to
 * (untouched when `urls` has none), `import.meta` answering for the original file rather than the
 * cached copy, and a sourceURL so stack traces name the original file. Line numbers are kept.
 */
export function linkModule(module: TranspiledModule, urls: ReadonlyMap<string, string>, originalFile: string): string {
  const originalUrl = pathToFileURL(originalFile).href;
  if (module.format === 'commonjs') return `${withCommonJsShim(module.code, originalFile)}\n//# sourceURL=${originalUrl}\n`;
  let code = replaceImports(module, urls);
  if (module.importMetas.length > 0) code += `\n${importMetaShim(originalFile)}`;
  return `${code}\n//# sourceURL=${originalUrl}\n`;
}

/** The module's code with each import literal that `targets` names replaced, and `import.meta` by its stand-in. */
function replaceImports(module: TranspiledModule, targets: ReadonlyMap<string, string>): string {
  const edits = [
    ...module.imports.flatMap(({ specifier, start, end }) => {
      const target = targets.get(specifier);
      return target === undefined ? [] : [{ start, end, text: JSON.stringify(target) }];
    }),
    ...module.importMetas.map((start) => ({ start, end: start + IMPORT_META.length, text: `${META_FUNCTION}()` })),
  ].sort((a, b) => a.start - b.start);
  let code = '';
  let at = 0;
  for (const edit of edits) {
    code += module.code.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return code + module.code.slice(at);
}

/**
 * The CommonJS text written to the cache for a module that {@link TranspiledModule.fitsCommonJs}:
 * each import literal replaced by the absolute path it resolved to, then turned into require() calls.
 * It runs under its original file's name (commonjs-graph.ts), which stack traces then show.
 */
export async function linkCommonJs(module: TranspiledModule, paths: ReadonlyMap<string, string>, originalFile: string): Promise<string> {
  return toCommonJs(replaceImports(module, paths), originalFile);
}

/**
 * For a compiled `.cts`: `require`, `__filename` and `__dirname` answer for the original file, so
 * its own require() calls resolve from where it is. One line, so line numbers are kept.
 */
function withCommonJsShim(code: string, originalFile: string): string {
  const file = JSON.stringify(originalFile);
  const shim = `var require = require('node:module').createRequire(${file}), __filename = ${file}, __dirname = ${JSON.stringify(path.dirname(originalFile))};`;
  // After sucrase's "use strict" prologue, which must stay first to count.
  const prologue = /^(["'])use strict\1;/.exec(code)?.[0] ?? '';
  return prologue + shim + code.slice(prologue.length);
}

const META_FUNCTION = '__taskrunnerImportMeta';

/**
 * `import.meta.resolve` of a compiled module asks the loader (which installs this global before it
 * imports a module that uses import.meta), so it resolves from the original file, as Node would.
 */
export const RESOLVE_GLOBAL = 'taskrunner.resolve';

/** A hoisted function standing in for `import.meta`, so it is usable anywhere in the module. */
function importMetaShim(originalFile: string): string {
  const url = JSON.stringify(pathToFileURL(originalFile).href);
  const filename = JSON.stringify(originalFile);
  const dirname = JSON.stringify(path.dirname(originalFile));
  return (
    `function ${META_FUNCTION}() { return ${META_FUNCTION}.value ??= Object.freeze({ ...import.meta, ` +
    `url: ${url}, filename: ${filename}, dirname: ${dirname}, ` +
    `resolve: (specifier) => globalThis[Symbol.for('${RESOLVE_GLOBAL}')](specifier, ${url}) }); }`
  );
}
