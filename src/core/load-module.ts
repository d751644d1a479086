import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { untrustedReason } from '../security/trusted-file.js';
import { RunnerError } from '../errors.js';
import { linkModule, transpileModule, type TranspiledModule } from './compile-module.js';
import { cacheFileExists, ensureModuleCacheDir, moduleCacheDir, readCacheFile, writeCacheFile } from './module-cache.js';
import { packagePaths } from './package-paths.js';
import { resolveImport, type ResolvedImport } from './resolve-import.js';

/** Bumped whenever the compiled form changes, so old cache entries are never used. */
const CACHE_FORMAT = 'taskrunner-module-1';

/** A loaded task file: its exports and every local source file it brought in. */
export interface LoadedModule {
  exports: Record<string, unknown>;
  /** The file itself and the local files it imports, directly or not (absolute paths). */
  files: string[];
}

export interface LoadModuleOptions {
  /** The compiled-module cache folder; `$XDG_CACHE_HOME/taskrunner` (or `~/.cache/taskrunner`) by default. */
  cacheDir?: string;
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
 * hooks: the file and the local files it imports are transpiled in-process, their imports rewritten
 * to absolute URLs (`taskrunner` to this package's library), and the result kept in a private
 * cache keyed by content, so a run whose files have not changed loads no compiler at all.
 *
 * Every local file is refused, with the reason, when another user owns it or others can write it.
 */
export async function loadTaskModule(file: string, options: LoadModuleOptions = {}): Promise<LoadedModule> {
  const cacheDir = options.cacheDir ?? moduleCacheDir();
  await ensureModuleCacheDir(cacheDir);
  const graph = await readGraph(path.resolve(file), cacheDir);
  const outputs = await writeOutputs(graph, cacheDir);
  const entry = outputs.get(path.resolve(file))!;
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new RunnerError('runner.taskLoad', `cannot load ${file}: ${message}`, { file, cause: error });
  }
  return { exports, files: [...graph.keys()] };
}

/** Read the file and, transitively, the local files it imports. */
async function readGraph(entry: string, cacheDir: string): Promise<Map<string, GraphNode>> {
  const { libraryUrl } = packagePaths();
  const graph = new Map<string, GraphNode>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (graph.has(file)) continue;
    const source = await readTrustedSource(file);
    const sourceKey = hash(CACHE_FORMAT, path.extname(file), source);
    const module = await transpiled(source, file, sourceKey, cacheDir);
    const resolved = new Map<string, ResolvedImport>();
    for (const { specifier } of module.imports) {
      if (resolved.has(specifier)) continue;
      const target = resolveImport(specifier, file, libraryUrl);
      resolved.set(specifier, target);
      if (target.kind === 'compile') pending.push(target.file);
    }
    graph.set(file, { file, sourceKey, module, resolved });
  }
  return graph;
}

/**
 * The file's text, read through the same descriptor its ownership and mode were checked on, so it
 * cannot be swapped in between.
 */
async function readTrustedSource(file: string): Promise<string> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw new RunnerError('runner.taskLoad', `cannot read ${file}: ${(error as Error).message}`, { file, cause: error });
  }
  try {
    const reason = untrustedReason(await handle.stat());
    if (reason) throw new RunnerError('runner.unsafeFile', `refusing to load task file ${file}: ${reason}`, { file });
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
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
    outputs.set(node.file, path.join(cacheDir, `${outputKey(node, graph)}.mjs`));
  }
  await Promise.all(
    [...graph.values()].map(async (node) => {
      const output = outputs.get(node.file)!;
      if (await cacheFileExists(output)) return;
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
