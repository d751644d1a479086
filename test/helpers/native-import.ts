import { createRequire } from 'node:module';

// The sources import user task files through src/loader/import-module.ts, which uses this importer
// when one is defined (the launcher defines it in dist/): here, Node's own, so the tests load tasks
// as the CLI does, with Node's loader and the task hooks.
(globalThis as Record<symbol, unknown>)[Symbol.for('taskrunner.importer')] ??= createRequire(import.meta.url)('./native-import.cjs');
