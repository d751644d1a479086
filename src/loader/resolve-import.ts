import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * What TypeScript users write for a file that exists only as TypeScript: `./x.js` for `./x.ts`
 * (the NodeNext convention), `./x.mjs` for `./x.mts`, `./x.cjs` for `./x.cts`.
 */
const TYPESCRIPT_TWINS: Record<string, string> = { '.js': '.ts', '.mjs': '.mts', '.cjs': '.cts' };

/** Extensions tried, in order, for a specifier written without one (TypeScript's "bundler" habit). */
const IMPLIED_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

/** True for `./x`, `../x`, `/x` and `file:` specifiers, which name a file rather than a package. */
export function isPathSpecifier(specifier: string): boolean {
  return specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('file:');
}

/**
 * Where Node's resolver found nothing (`error` says where it looked: its `url`), the file a
 * TypeScript author meant: the TypeScript twin of a `.js`/`.mjs`/`.cjs` name, or for a path
 * written without an extension, that path with one or its folder's `index` file. Symbolic links
 * are followed, as Node's resolver does. Undefined when there is none.
 */
export function typeScriptAlternative(specifier: string, parentUrl: string | undefined, error: unknown): string | undefined {
  const target = missingTarget(specifier, parentUrl, error);
  if (target === undefined) return undefined;
  const candidates: string[] = [];
  const ext = path.extname(target);
  const twin = TYPESCRIPT_TWINS[ext];
  if (twin) candidates.push(target.slice(0, -ext.length) + twin);
  if (isPathSpecifier(specifier) && !IMPLIED_EXTENSIONS.includes(ext) && !(ext in TYPESCRIPT_TWINS) && ext !== '.json') {
    candidates.push(...IMPLIED_EXTENSIONS.map((extension) => `${target}${extension}`));
    candidates.push(...IMPLIED_EXTENSIONS.map((extension) => path.join(target, `index${extension}`)));
  }
  const found = candidates.find((file) => statSync(file, { throwIfNoEntry: false })?.isFile());
  return found === undefined ? undefined : pathToFileURL(realpathSync(found)).href;
}

/**
 * The file Node looked for: the `url` of its not-found error (an import, `#imports`, a package's
 * `exports`), else, for a path specifier (a require() reports no URL), the path itself.
 */
function missingTarget(specifier: string, parentUrl: string | undefined, error: unknown): string | undefined {
  const url = (error as { url?: unknown } | undefined)?.url;
  if (typeof url === 'string' && url.startsWith('file:')) return fileURLToPath(url);
  if (!isPathSpecifier(specifier) || parentUrl === undefined || !parentUrl.startsWith('file:')) return undefined;
  try {
    const resolved = new URL(specifier, parentUrl);
    return resolved.protocol === 'file:' ? fileURLToPath(resolved) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Says in Node's resolve error which file imported what (`cannot find "./x.js" imported by <file>:
 * …`), with the file as `importedBy` (load-error.ts makes it the error's file). Node's error itself
 * is kept: `import.meta.resolve` answers the URL of a missing file from its code and `url`.
 */
export function markImportedBy(error: unknown, specifier: string, fromFile: string): void {
  if (!(error instanceof Error) || (error as { importedBy?: unknown }).importedBy !== undefined) return;
  error.message = `cannot find "${specifier}" imported by ${fromFile}: ${error.message}`;
  Object.assign(error, { importedBy: fromFile });
}

/** Whether Node's resolver failed because nothing is there (rather than a refused or malformed specifier). */
export function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || code === 'ERR_UNSUPPORTED_DIR_IMPORT';
}
