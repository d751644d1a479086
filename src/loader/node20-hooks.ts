/**
 * The task hooks (task-hooks.ts) as `module.register` takes them, for a Node without
 * `module.registerHooks` or without type stripping (Node 20): asynchronous, in Node's hooks thread.
 * The build makes this file dist/task-hooks.cjs, which in-thread code registers (hooks-client.ts).
 *
 * Node 20 cannot run TypeScript: each TypeScript file is compiled here by sucrase (its whole
 * TypeScript transform, so enums and namespaces work here although Node 24 refuses them; line
 * numbers are kept). A `.js` file of home code that Node would run as CommonJS only because no
 * package.json says `"type"` is run as an ES module when it has module syntax, as Node 24 does.
 *
 * Node 20 does not hand the require() calls of a CommonJS module to these hooks (but for a
 * `.cts` file, whose compiled source they give): before a CommonJS file of home code runs, the
 * files under the home's `tasks/` that it could require are checked (checkRequirableFiles).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import type { MessagePort } from 'node:worker_threads';
import type * as Sucrase from 'sucrase';
import { assertTrustedPath, inNodeModules, packageScopeFile } from './load-trust.js';
import { addEntry, beforeResolve, checkedFile, fileOf, filesOf, resolved, resolveFailed, setLibrary, trustedSource, type LibraryUrls, type Resolved } from './task-hooks.js';

/** What the loading thread sends when it registers these hooks. */
export interface HooksData {
  port: MessagePort;
  library: LibraryUrls;
}

/** A request of the loading thread (hooks-client.ts); each is answered with its id. */
export type HooksRequest = { id: number; entry: string; home: string } | { id: number; filesOf: string };

/** The answer to a {@link HooksRequest}. */
export interface HooksAnswer {
  id: number;
  files?: string[];
}

let library: LibraryUrls | undefined;

/** The library's CommonJS entry, as a path. */
function libraryFile(): string {
  return fileURLToPath(library!.commonjs);
}

export function initialize(data: HooksData): void {
  library = data.library;
  setLibrary(data.library);
  data.port.on('message', (request: HooksRequest) => {
    if ('entry' in request) {
      addEntry(request.entry, request.home);
      data.port.postMessage({ id: request.id } satisfies HooksAnswer);
    } else {
      data.port.postMessage({ id: request.id, files: filesOf(request.filesOf) } satisfies HooksAnswer);
    }
  });
  data.port.unref();
}

interface ResolveContext {
  parentURL?: string;
  conditions?: readonly string[];
}

export async function resolve(specifier: string, context: ResolveContext, nextResolve: (specifier: string, context: ResolveContext) => Promise<Resolved>): Promise<Resolved> {
  const importer = beforeResolve(specifier, context.parentURL, context.conditions);
  if (importer !== undefined && 'url' in importer) return importer;
  let result: Resolved;
  try {
    result = await nextResolve(specifier, context);
  } catch (error) {
    result = resolveFailed(specifier, context.parentURL, importer, error);
  }
  return resolved(result, importer);
}

interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | NodeJS.TypedArray | null;
  shortCircuit?: boolean;
}

const TYPESCRIPT_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);

export async function load(url: string, context: object, nextLoad: (url: string, context: object) => Promise<LoadResult>): Promise<LoadResult> {
  const checked = checkedFile(url);
  const file = fileOf(url);
  const ext = file === undefined ? '' : path.extname(file);
  if (file !== undefined && TYPESCRIPT_EXTENSIONS.has(ext) && !file.split(path.sep).includes('node_modules')) {
    const source = (checked ? trustedSource(checked)! : readFileSync(file)).toString('utf8');
    if (ext !== '.cts') return { format: 'module', source: await compileTypeScript(source, file, false), shortCircuit: true };
    if (checked !== undefined) checkRequirableFiles(checked.home);
    return { format: 'commonjs', source: withOwnRequire(await compileTypeScript(source, file, true)), shortCircuit: true };
  }
  if (checked === undefined) return nextLoad(url, context);
  const source = trustedSource(checked);
  const result = await nextLoad(url, context);
  if (source === undefined) return result;
  const format = result.format === 'commonjs' && ext === '.js' && !declaresType(file!) && hasModuleSyntax(source.toString('utf8')) ? 'module' : result.format;
  if (format !== 'commonjs') return { ...result, format, source };
  // Node 20's CommonJS loader runs the file from its path (given its source, it would pass its
  // require() calls to these hooks, but leaks their failures as unhandled rejections that end the
  // process): what it may require from the home's code is checked before, by path.
  assertTrustedPath(checked.file, checked.what);
  if (!inNodeModules(checked.file)) checkRequirableFiles(checked.home);
  return result;
}

/**
 * A compiled `.cts` file with a require() of Node's CommonJS loader (a module given with its source
 * otherwise gets one that passes through these hooks, see above) that leads `taskrunner` to the
 * running runner's library, as on Node 24. One line before the code, after the "use strict" that
 * must stay first: line numbers are kept.
 */
function withOwnRequire(code: string): string {
  const prologue = /^(["'])use strict\1;/.exec(code)?.[0] ?? '';
  const shim =
    `var require = ((base) => Object.assign((id) => base(id === 'taskrunner' ? ${JSON.stringify(libraryFile())} : id), base))` +
    `(require('node:module').createRequire(__filename));`;
  return prologue + shim + code.slice(prologue.length);
}

/** Extensions of the files a require() loads. */
const REQUIRABLE = new Set(['.js', '.cjs', '.json', '.node']);
const requirableChecked = new Set<string>();

/**
 * Every file under `<home>/tasks` (but in node_modules) that a require() could load: checked by
 * path, with its folder, once per home and process.
 */
function checkRequirableFiles(home: string): void {
  if (requirableChecked.has(home)) return;
  const tasks = path.join(home, 'tasks');
  for (const entry of readdirSync(tasks, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (entry.isFile() && REQUIRABLE.has(path.extname(entry.name)) && !inNodeModules(path.relative(tasks, file))) assertTrustedPath(file, 'helper');
  }
  requirableChecked.add(home);
}

/** Whether the package.json governing `file` says `"type"` (then Node's answer stands). */
function declaresType(file: string): boolean {
  const scope = packageScopeFile(file);
  if (scope === undefined) return false;
  try {
    return (JSON.parse(readFileSync(scope, 'utf8')) as { type?: unknown }).type !== undefined;
  } catch {
    return false;
  }
}

/**
 * Whether code that CommonJS cannot compile is an ES module: the errors V8 gives for `import`,
 * `export`, `import.meta` and top-level await outside a module (Node 22's own module detection
 * asks the same).
 */
function hasModuleSyntax(code: string): boolean {
  try {
    vm.compileFunction(code, ['exports', 'require', 'module', '__filename', '__dirname']);
    return false;
  } catch (error) {
    const message = (error as Error).message;
    return /Cannot use import statement outside a module|Unexpected token 'export'|Cannot use 'import\.meta' outside a module|await is only valid in async functions/.test(message);
  }
}

/** TypeScript to JavaScript with sucrase, line numbers kept; `.cts` to CommonJS. */
async function compileTypeScript(source: string, file: string, commonjs: boolean): Promise<string> {
  const sucrase = (await import('sucrase')) as typeof Sucrase & { default?: typeof Sucrase };
  const transform = sucrase.transform ?? sucrase.default!.transform;
  try {
    return transform(source, {
      transforms: commonjs ? ['typescript', 'imports'] : ['typescript'],
      disableESTransforms: true,
      // `import x = require('y')` needs a require in an ES module.
      injectCreateRequireForImportRequire: !commonjs,
      filePath: file,
    }).code;
  } catch (error) {
    throw syntaxError(error, file);
  }
}

/**
 * sucrase's error (`Error transforming <file>: Unexpected token (3:7)`) as Node 24 reports invalid
 * TypeScript: the code ERR_INVALID_TYPESCRIPT_SYNTAX, the file and line (load-error.ts says them).
 */
function syntaxError(error: unknown, file: string): Error {
  const message = (error instanceof Error ? error.message : String(error)).replace(`Error transforming ${file}: `, '');
  const position = /\((\d+):(\d+)\)$/.exec(message);
  return Object.assign(new SyntaxError(message.replace(/\s*\(\d+:\d+\)$/, '')), {
    code: 'ERR_INVALID_TYPESCRIPT_SYNTAX',
    file,
    line: position ? Number(position[1]) : undefined,
  });
}
