import { createHash } from 'node:crypto';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readTrustedFile } from '../security/trusted-file.js';
import { RunnerError } from '../errors.js';
import { linkModule, RESOLVE_GLOBAL, transpileModule, type TranspiledModule } from './compile-module.js';
import { assertTrustedPath, mustCheck, packageScopeFile } from './load-trust.js';
import { ensureModuleCacheDir, moduleCacheDir, readCacheFile, useCacheFile, writeCacheFile } from './module-cache.js';
import { packagePaths } from './package-paths.js';
import { importModule } from './import-module.js';
import { guardRequiresUnder } from './require-guard.js';
import { isPathSpecifier, loadResolver, resolveImport, type ResolvedImport } from './resolve-import.js';
import { settleOrFail } from './settle-guard.js';

/** Bumped whenever the compiled form changes, so old cache entries are never used. */
const CACHE_FORMAT = 'taskrunner-module-2';

/** Task files and helpers are source code; anything bigger than this is not what it claims to be. */
const MAX_SOURCE_BYTES = 16 * 1024 * 1024;

/** A loaded task file: its exports and every local source file it brought in. */
export interface LoadedModule {
  exports: Record<string, unknown>;
  /** The file itself and the local files it imports, directly or not (absolute paths). */
  files: string[];
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
  const outputs = await writeOutputs(graph, cacheDir);
  if ([...graph.values()].some((node) => node.module.importMetas.length > 0)) await installMetaResolve();
  let exports: Record<string, unknown>;
  try {
    exports = (await settleOrFail(importModule(pathToFileURL(outputs.get(entryFile)!).href))) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof RunnerError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new RunnerError('runner.taskLoad', `cannot load ${file}: ${message}`, { file, cause: error });
  }
  return { exports, files: [...graph.keys()] };
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
async function writeOutputs(graph: Map<string, GraphNode>, cacheDir: string): Promise<Map<string, string>> {
  const outputs = new Map<string, string>();
  for (const node of graph.values()) {
    const ext = node.module.format === 'commonjs' ? '.cjs' : '.mjs';
    outputs.set(node.file, path.join(cacheDir, `${outputKey(node, graph)}${ext}`));
  }
  await Promise.all(
    [...graph.values()].map(async (node) => {
      const output = outputs.get(node.file)!;
      if (await useCacheFile(output)) return;
      const urls = new Map<string, string>();
      for (const [specifier, target] of node.resolved) {
        if (target.kind === 'compile') urls.set(specifier, pathToFileURL(outputs.get(target.file)!).href);
        else if (target.kind === 'url') urls.set(specifier, target.url);
      }
      await writeCacheFile(output, linkModule(node.module, urls, node.file));
    }),
  );
  return outputs;
}

function outputKey(node: GraphNode, graph: Map<string, GraphNode>): string {
  const reachable = reachableFrom(node, graph);
  const parts = [...reachable]
    .sort()
    .map((file) => {
      const each = graph.get(file)!;
      const targets = [...each.resolved].map(([specifier, target]) => `${specifier}=${describe(target)}`);
      return [file, each.sourceKey, ...targets].join('\n');
    });
  return hash(CACHE_FORMAT, node.file, ...parts);
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
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 40);
}
