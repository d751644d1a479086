// Stands in for graceful-fs in dist/runner.cjs (see build.mjs). proper-lockfile uses graceful-fs
// for its few calls on one lock folder, where graceful-fs's queueing of EMFILE errors never comes
// into play; loading it costs every run time (it patches fs and loads its stream classes;
// measured: docs/benchmarks.md).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- this file is bundled into CommonJS
module.exports = require('node:fs');
