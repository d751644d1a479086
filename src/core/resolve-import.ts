import { readFileSync, statSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RunnerError } from '../errors.js';

/** Extensions of files that go through the task compiler (TypeScript stripped, imports rewritten). */
export const COMPILED_EXTENSIONS: readonly string[] = ['.ts', '.mts', '.js', '.mjs'];

/** Where an import in a task file leads. */
export type ResolvedImport =
  /** A local source file: compiled too, and imported from the cache. */
  | { kind: 'compile'; file: string }
  /** A file imported as it is (a package's file, JSON, CommonJS, the taskrunner library). */
  | { kind: 'url'; url: string }
  /** Left untouched: Node built-ins and URLs Node resolves by itself. */
  | { kind: 'keep' };

/** Conditions of Node's ESM resolver, in the sense of package.json `exports`. */
const CONDITIONS = new Set(['node', 'import', 'default']);

/**
 * Resolve an import specifier found in `fromFile` as Node would from the file's own location (the
 * compiled copy lives elsewhere, so everything relative or bare is made absolute), with two
 * differences that make TypeScript without a build step work: `taskrunner` is this package's
 * library, and a relative `./x.js` may name `./x.ts` (TypeScript's NodeNext convention).
 */
export function resolveImport(specifier: string, fromFile: string, libraryUrl: string): ResolvedImport {
  if (specifier === 'taskrunner') return { kind: 'url', url: libraryUrl };
  if (isBuiltin(specifier) || (/^[a-z][a-z0-9+.-]*:/i.test(specifier) && !specifier.startsWith('file:'))) {
    return { kind: 'keep' };
  }
  if (specifier.startsWith('#')) return { kind: 'keep' };
  if (specifier.startsWith('file:')) return localTarget(fileURLToPath(specifier), specifier, fromFile);
  if (specifier.startsWith('.') || path.isAbsolute(specifier)) {
    return localTarget(path.resolve(path.dirname(fromFile), specifier), specifier, fromFile);
  }
  return { kind: 'url', url: pathToFileURL(resolvePackage(specifier, fromFile)).href };
}

function localTarget(target: string, specifier: string, fromFile: string): ResolvedImport {
  const file = probeLocalFile(target);
  if (!file) throw cannotResolve(specifier, fromFile);
  return COMPILED_EXTENSIONS.includes(path.extname(file))
    ? { kind: 'compile', file }
    : { kind: 'url', url: pathToFileURL(file).href };
}

/** The file a relative specifier means: as written, `.js` → `.ts`, or without its extension. */
function probeLocalFile(target: string): string | undefined {
  const ext = path.extname(target);
  const candidates = [target];
  if (ext === '.js') candidates.push(`${target.slice(0, -3)}.ts`);
  if (ext === '.mjs') candidates.push(`${target.slice(0, -4)}.mts`);
  if (!COMPILED_EXTENSIONS.includes(ext) && ext !== '.json') {
    candidates.push(...COMPILED_EXTENSIONS.map((extension) => `${target}${extension}`));
    candidates.push(...COMPILED_EXTENSIONS.map((extension) => path.join(target, `index${extension}`)));
  }
  return candidates.find(isFile);
}

function isFile(file: string): boolean {
  return statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
}

/** Resolve `name[/subpath]` from the node_modules folders above `fromFile`. */
function resolvePackage(specifier: string, fromFile: string): string {
  const { name, subpath } = splitPackageSpecifier(specifier);
  const packageDir = findPackageDir(name, path.dirname(fromFile));
  if (!packageDir) throw cannotResolve(specifier, fromFile);
  const manifest = readManifest(path.join(packageDir, 'package.json'));
  if (manifest.exports === undefined) {
    // No exports map: Node's legacy main/extension lookup, which require.resolve implements.
    try {
      return createRequire(fromFile).resolve(specifier);
    } catch (error) {
      throw cannotResolve(specifier, fromFile, error);
    }
  }
  const target = resolveExports(manifest.exports, subpath);
  if (target === undefined || !target.startsWith('./')) {
    throw new RunnerError(
      'runner.taskLoad',
      `cannot import "${specifier}" in ${fromFile}: package ${name} does not export "${subpath}" for import`,
      { file: fromFile },
    );
  }
  return path.join(packageDir, target);
}

function splitPackageSpecifier(specifier: string): { name: string; subpath: string } {
  const parts = specifier.split('/');
  const nameLength = specifier.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, nameLength).join('/');
  const rest = parts.slice(nameLength).join('/');
  return { name, subpath: rest === '' ? '.' : `./${rest}` };
}

function findPackageDir(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (isFile(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

function readManifest(file: string): { exports?: unknown } {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { exports?: unknown };
  } catch {
    return {};
  }
}

/** package.json `exports` resolution (Node's PACKAGE_EXPORTS_RESOLVE) for the import conditions. */
export function resolveExports(exports: unknown, subpath: string): string | undefined {
  const map = isSubpathMap(exports) ? (exports as Record<string, unknown>) : { '.': exports };
  if (Object.hasOwn(map, subpath) && !subpath.includes('*')) return resolveTarget(map[subpath], undefined);
  let best: { key: string; match: string } | undefined;
  for (const key of Object.keys(map)) {
    const star = key.indexOf('*');
    if (star < 0 || key.indexOf('*', star + 1) >= 0) continue;
    const prefix = key.slice(0, star);
    const suffix = key.slice(star + 1);
    if (subpath.length < key.length || !subpath.startsWith(prefix) || !subpath.endsWith(suffix)) continue;
    if (!best || prefix.length > best.key.indexOf('*')) {
      best = { key, match: subpath.slice(prefix.length, subpath.length - suffix.length) };
    }
  }
  return best ? resolveTarget(map[best.key], best.match) : undefined;
}

function isSubpathMap(exports: unknown): boolean {
  return (
    typeof exports === 'object' &&
    exports !== null &&
    !Array.isArray(exports) &&
    Object.keys(exports).some((key) => key.startsWith('.'))
  );
}

function resolveTarget(target: unknown, match: string | undefined): string | undefined {
  if (typeof target === 'string') return match === undefined ? target : target.replaceAll('*', match);
  if (Array.isArray(target)) {
    for (const alternative of target) {
      const resolved = resolveTarget(alternative, match);
      if (resolved !== undefined) return resolved;
    }
    return undefined;
  }
  if (typeof target === 'object' && target !== null) {
    for (const [condition, value] of Object.entries(target)) {
      if (!CONDITIONS.has(condition)) continue;
      const resolved = resolveTarget(value, match);
      if (resolved !== undefined) return resolved;
    }
  }
  return undefined;
}

function cannotResolve(specifier: string, fromFile: string, cause?: unknown): RunnerError {
  return new RunnerError('runner.taskLoad', `cannot find "${specifier}" imported by ${fromFile}`, {
    file: fromFile,
    cause,
  });
}
