import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readTrustedFile } from '../security/trusted-file.js';
import { RunnerError } from '../shared/errors.js';
import { contentHash } from './content-hash.js';
import { runCommonJsGraph } from './commonjs-graph.js';
import { linkCommonJs, linkModule, RESOLVE_GLOBAL, transpileModule, type TranspiledModule } from './compile-module.js';
import { assertTrustedPath, mustCheck, packageScopeFile } from './load-trust.js';
import { ensureModuleCacheDir, moduleCacheDir, readCacheFile, useCacheFile, writeCacheFile } from './module-cache.js';
import { packagePaths } from './package-paths.js';
import { importModule } from './import-module.js';
import { guardRequiresUnder } from './require-guard.js';
import { isPathSpecifier, loadResolver, resolveImport, type ResolvedImport } from './resolve-import.js';
import { settleOrFail } from './settle-guard.js';

/** Bumped whenever the compiled form changes, so old cache entries are never used. */
const CACHE_FORMAT = 'taskrunner-module-3';

/** Task files and helpers are source code; anything bigger than this is not what it claims to be. */
const MAX_SOURCE_BYTES = 16 * 1024 * 1024;

/** A loaded task file: its exports and every local source file it brought in. */
export interface LoadedModule {
  exports: Record<string, unknown>;
  /** The file itself and the local files it imports, directly or not (absolute paths). */
  files: string[];
  /** How it was loaded: require() when the whole graph fits CommonJS, else import(). */
  format: 'commonjs' | 'module';
}

export interface LoadModuleOptions {
  /** The compiled-module cache folder; `$XDG_CACHE_HOME/taskrunner` (or `~/.cache/taskrunner`) by default. */
  cacheDir?: string;
  /**
   * The runner home the file belongs to (default: the folder above the file's folder). Package files
   * in its node_modules that a task imports are checked like its own files; see load-trust.ts.
   */
  home?: string;
}

/** One local source file of a module graph. */
interface GraphNode {
  file: string;
  /** Hash of how the file is transpiled: its contents and kind. */
  sourceKey: string;
  module: TranspiledModule;
  /** Each import specifier of the file and where it leads. */
  resolved: Map<string, ResolvedImport>;
}

/**
 * Import a user task file (`.ts`, `.mts`, `.js`, `.mjs`) without a build step and without loader
 * hooks (which cost a worker thread on Node 20): the file and the home's files it imports are
 * transpiled in-process, their imports resolved by Node's own algorithm from the original file's
 * location (`taskrunner` to this package's library) and rewritten to absolute URLs, and the result
 * kept in a private cache keyed by content, so a run whose files have not changed loads no compiler.
 *
 * Every file of the home it loads, whatever its extension, is refused with the reason when another
 * user owns it or others can write it (load-trust.ts). A file whose top-level code never settles
 * fails instead of ending the process.
 */
export async function loadTaskModule(file: string, options: LoadModuleOptions = {}): Promise<LoadedModule> {
  const entryFile = path.resolve(file);
  const cacheDir = options.cacheDir ?? moduleCacheDir();
  const home = path.resolve(options.home ?? path.dirname(path.dirname(entryFile)));
  await ensureModuleCacheDir(cacheDir);
  guardRequiresUnder(home);
  const graph = await readGraph(entryFile, home, cacheDir);
  const format = fitsCommonJs(graph) ? 'commonjs' : 'module';
  const outputs = await writeOutputs(graph, cacheDir, format);
  if ([...graph.values()].some((node) => node.module.importMetas.length > 0)) await installMetaResolve();
  let exports: Record<string, unknown>;
  try {
    exports =
      format === 'commonjs'
        ? namespaceOf(runCommonJsGraph(entryFile, new Set(graph.keys()), (source) => readFileSync(outputs.get(source)!, 'utf8')))
        : await settleOrFail(importModule(pathToFileURL(outputs.get(entryFile)!).href));
  } catch (error) {
    if (error instanceof RunnerError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new RunnerError('runner.taskLoad', `cannot load ${file}: ${message}`, { file, cause: error });
  }
  return { exports, files: [...graph.keys()], format };
}

/**
 * Whether every module of the graph fits CommonJS and imports only its own graph, built-ins and
 * `taskrunner` (when the library has a CommonJS entry, that is, once built): then require() loads it.
 */
function fitsCommonJs(graph: Map<string, GraphNode>): boolean {
  const { libraryFile } = packagePaths();
  return [...graph.values()].every(
    (node) =>
      node.module.fitsCommonJs &&
      [...node.resolved].every(([specifier, target]) =>
        specifier === 'taskrunner' ? libraryFile !== undefined : target.kind === 'compile' || (target.kind === 'keep' && isBuiltin(specifier)),
      ),
  );
}

/** A compiled CommonJS module's exports, as an ES namespace would list them (no `__esModule` marker). */
function namespaceOf(moduleExports: unknown): Record<string, unknown> {
  const { __esModule: _marker, ...exports } = moduleExports as Record<string, unknown>;
  return exports;
}

/** Read the file and, transitively, the home's source files it imports. */
async function readGraph(entry: string, home: string, cacheDir: string): Promise<Map<string, GraphNode>> {
  const { libraryUrl } = packagePaths();
  const graph = new Map<string, GraphNode>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (graph.has(file)) continue;
    const source = readSource(file, file === entry ? 'task file' : 'helper');
    const sourceKey = hash(CACHE_FORMAT, path.extname(file), source);
    const module = await transpiled(source, file, sourceKey, cacheDir);
    const resolved = new Map<string, ResolvedImport>();
    for (const { specifier } of module.imports) {
      if (resolved.has(specifier)) continue;
      const target = await resolveChecked(specifier, file, home, libraryUrl);
      resolved.set(specifier, target);
      if (target.kind === 'compile') pending.push(target.file);
    }
    graph.set(file, { file, sourceKey, module, resolved });
  }
  return graph;
}

/**
 * Resolve one import, checking what Node will read for it that the loader does not read itself:
 * the importer's package.json (its `imports` map, or its name and `exports` for a self-reference),
 * and a file imported where it is (CommonJS, JSON).
 */
async function resolveChecked(specifier: string, fromFile: string, home: string, libraryUrl: string): Promise<ResolvedImport> {
  if (specifier !== 'taskrunner' && !isPathSpecifier(specifier) && !isBuiltin(specifier)) {
    const scope = packageScopeFile(fromFile);
    if (scope && mustCheck(scope, home)) assertTrustedPath(scope, 'package.json');
  }
  const target = await resolveImport(specifier, fromFile, libraryUrl);
  if (target.kind === 'url' && target.file && mustCheck(target.file, home)) assertTrustedPath(target.file, 'helper');
  return target;
}

/**
 * The file's text, read through the same descriptor its ownership and mode were checked on, so it
 * cannot be swapped in between.
 */
function readSource(file: string, what: string): string {
  try {
    return readTrustedFile(file, what, MAX_SOURCE_BYTES).toString('utf8');
  } catch (error) {
    if (error instanceof RunnerError) throw error;
    throw new RunnerError('runner.taskLoad', `cannot read ${file}: ${(error as Error).message}`, { file, cause: error });
  }
}

/** Give compiled modules' `import.meta.resolve` Node's resolution from their original file. */
async function installMetaResolve(): Promise<void> {
  const resolve = await loadResolver();
  const { libraryUrl } = packagePaths();
  (globalThis as Record<symbol, unknown>)[Symbol.for(RESOLVE_GLOBAL)] ??= (specifier: string, parentUrl: string) =>
    specifier === 'taskrunner' ? libraryUrl : resolve(specifier, parentUrl);
}

/** The transpiled form of a source, from the cache when it is there. */
async function transpiled(source: string, file: string, sourceKey: string, cacheDir: string): Promise<TranspiledModule> {
  const cacheFile = path.join(cacheDir, `${sourceKey}.json`);
  const cachedText = await readCacheFile(cacheFile);
  if (cachedText !== undefined) {
    try {
      return JSON.parse(cachedText) as TranspiledModule;
    } catch {
      // A damaged cache entry is rebuilt below.
    }
  }
  const module = await transpileModule(source, file);
  await writeCacheFile(cacheFile, JSON.stringify(module));
  return module;
}

/**
 * Write the linked module of every graph node that is not cached yet; resolves to each file's
 * compiled path. A node's output is named by a hash of everything it can reach (files, contents,
 * resolutions), so changing a helper gives its importers new names too, and cycles are fine.
 */
async function writeOutputs(graph: Map<string, GraphNode>, cacheDir: string, format: LoadedModule['format']): Promise<Map<string, string>> {
  const outputs = new Map<string, string>();
  for (const node of graph.values()) {
    const ext = format === 'commonjs' || node.module.format === 'commonjs' ? '.cjs' : '.mjs';
    outputs.set(node.file, path.join(cacheDir, `${outputKey(node, graph, format)}${ext}`));
  }
  await Promise.all(
    [...graph.values()].map(async (node) => {
      const output = outputs.get(node.file)!;
      if (await useCacheFile(output)) return;
      await writeCacheFile(output, format === 'commonjs' ? await linkCommonJs(node.module, paths(node), node.file) : linkModule(node.module, urls(node, outputs), node.file));
    }),
  );
  return outputs;
}

/** Where each import of an ES module output leads: a URL. */
function urls(node: GraphNode, outputs: Map<string, string>): Map<string, string> {
  const urls = new Map<string, string>();
  for (const [specifier, target] of node.resolved) {
    if (target.kind === 'compile') urls.set(specifier, pathToFileURL(outputs.get(target.file)!).href);
    else if (target.kind === 'url') urls.set(specifier, target.url);
  }
  return urls;
}

/**
 * What each require() of a CommonJS output asks for: a module of the graph by its original path
 * (commonjs-graph.ts answers it), the library's CommonJS entry; built-ins stay as written.
 */
function paths(node: GraphNode): Map<string, string> {
  const paths = new Map<string, string>();
  for (const [specifier, target] of node.resolved) {
    if (specifier === 'taskrunner') paths.set(specifier, packagePaths().libraryFile!);
    else if (target.kind === 'compile') paths.set(specifier, target.file);
  }
  return paths;
}

function outputKey(node: GraphNode, graph: Map<string, GraphNode>, format: LoadedModule['format']): string {
  const reachable = reachableFrom(node, graph);
  const parts = [...reachable]
    .sort()
    .map((file) => {
      const each = graph.get(file)!;
      const targets = [...each.resolved].map(([specifier, target]) => `${specifier}=${describe(target)}`);
      return [file, each.sourceKey, ...targets].join('\n');
    });
  return hash(CACHE_FORMAT, format, node.file, ...parts);
}

function reachableFrom(start: GraphNode, graph: Map<string, GraphNode>): Set<string> {
  const seen = new Set<string>([start.file]);
  const pending = [start];
  while (pending.length > 0) {
    for (const target of pending.pop()!.resolved.values()) {
      if (target.kind !== 'compile' || seen.has(target.file)) continue;
      seen.add(target.file);
      pending.push(graph.get(target.file)!);
    }
  }
  return seen;
}

function describe(target: ResolvedImport): string {
  if (target.kind === 'compile') return `compile:${target.file}`;
  return target.kind === 'url' ? `url:${target.url}` : 'keep';
}

function hash(...parts: string[]): string {
  return contentHash(parts.join('\0'));
}
