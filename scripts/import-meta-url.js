// Injected into dist/runner.cjs (see build.mjs): the sources' `import.meta.url` is the bundle's URL.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- this file is bundled into CommonJS
export const import_meta_url = require('node:url').pathToFileURL(__filename).href;
