/**
 * `import()` for code that may run inside dist/runner.cjs: the bundle runs through `vm.Script` (for
 * its code cache), and such code has no `import()` of its own on Node 20. The launcher defines an
 * importer outside it; from the sources (tests), the plain `import()` is used.
 */
export function importModule(url: string): Promise<Record<string, unknown>> {
  const importer = (globalThis as Record<symbol, unknown>)[Symbol.for('taskrunner.importer')] as
    | ((url: string) => Promise<Record<string, unknown>>)
    | undefined;
  return importer ? importer(url) : (import(url) as Promise<Record<string, unknown>>);
}
