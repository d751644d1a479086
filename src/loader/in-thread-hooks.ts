import { beforeResolve, checkedFile, resolved, resolveFailed, trustedSource, type Resolved } from './task-hooks.js';

/**
 * The task hooks (task-hooks.ts) as `module.registerHooks` takes them (Node >= 22.15, this
 * product's Node 24): synchronous, in the loading thread, for import() and require() alike. Node
 * strips each TypeScript file's types itself (the format Node's loader answers,
 * `module-typescript` or `commonjs-typescript`, is kept), and its compile cache keeps the result.
 */

/** The context Node hands a resolve hook (the part used here). */
interface ResolveContext {
  parentURL?: string;
  conditions?: readonly string[];
}

/** What Node's next load hook answers (the part used here). */
interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | NodeJS.TypedArray | null;
  shortCircuit?: boolean;
}

export const inThreadHooks = {
  resolve(specifier: string, context: ResolveContext, nextResolve: (specifier: string, context: ResolveContext) => Resolved): Resolved {
    const importer = beforeResolve(specifier, context.parentURL, context.conditions);
    if (importer !== undefined && 'url' in importer) return importer;
    let result: Resolved;
    try {
      result = nextResolve(specifier, context);
    } catch (error) {
      result = resolveFailed(specifier, context.parentURL, importer, error);
    }
    return resolved(result, importer);
  },

  load(url: string, context: object, nextLoad: (url: string, context: object) => LoadResult): LoadResult {
    const checked = checkedFile(url);
    if (checked === undefined) return nextLoad(url, context);
    // Checked before Node reads the file: an unsafe file is refused for that, whatever it holds.
    const source = trustedSource(checked);
    const result = nextLoad(url, context);
    return source === undefined ? result : { ...result, source };
  },
};
