// Builds dist/ (see README "Architecture"):
//
// - dist/runner.cjs: all of taskrunner's own code and its dependencies as ONE CommonJS bundle (CLI,
//   library surface, built-in tasks), so every entry shares one copy of each module. Its first line
//   names the hash of its content, which keys its V8 code cache (src/core/code-cache.ts).
// - dist/launch.cjs: the small loader of that bundle (src/cli/launcher.ts), shared through require's cache.
// - dist/task-hooks.cjs: the module hooks that load user tasks on Node 20 (src/loader/node20-hooks.ts),
//   which Node runs in a thread of their own.
// - dist/cli.js (the `runner` bin), dist/index.mjs (the library, ESM) and dist/tasks/*.js (the
//   built-in task files discovery lists): a few lines each over the loaded bundle.
// - dist/types: declarations for library users.
// - dist/dashboard: the page of `runner dashboard` (src/dashboard/assets) and uPlot, as they are.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const requireHere = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
// dist/ is overwritten in place (not removed first) so that a concurrent test run never sees it missing.
mkdirSync(path.join(dist, 'tasks'), { recursive: true });

const common = { absWorkingDir: root, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' };

// Large libraries used only off the hot path (compiling TypeScript on Node 20, globbing for
// `runner list`, parsing Markdown) are files of their own in dist/vendor/, required on first use,
// so a start does not read or compile them.
const VENDOR = ['sucrase', 'fast-glob', 'mdast-util-from-markdown'];
const vendorFiles = {
  name: 'vendor-files',
  setup(builder) {
    builder.onResolve({ filter: new RegExp(`^(${VENDOR.join('|')})$`) }, (args) => ({ path: `./vendor/${args.path}.cjs`, external: true }));
  },
};
await build({
  ...common,
  entryPoints: Object.fromEntries(VENDOR.map((name) => [name, name])),
  outdir: path.join(dist, 'vendor'),
  outExtension: { '.js': '.cjs' },
});

// Built-in modules that cost milliseconds to load and that most runs never call: commander
// requires child_process at load time (for external subcommands, which the runner has none of),
// stores import crypto for temporary names. In the bundle each is a stand-in that requires the
// real module on first use (a property read); code that uses it sees no difference.
const LAZY_BUILTINS = ['crypto', 'child_process', 'worker_threads', 'readline', 'assert', 'net', 'fs/promises', 'timers/promises'];
// signal-exit (under proper-lockfile) calls assert.equal(typeof cb, 'function') on every lock
// taken, and loading node:assert costs every run time (measured: docs/benchmarks.md): a check
// that passes needs no module; one that fails is the real assert.equal's (which also treats NaN
// as equal to NaN, and throws its own error).
const ASSERT_EQUAL = `const equal = (actual, expected, ...rest) => (actual == expected ? undefined : load().equal(actual, expected, ...rest));`;
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(builder) {
    builder.onResolve({ filter: new RegExp(`^(node:)?(${LAZY_BUILTINS.join('|').replaceAll('/', '\\/')})$`) }, (args) =>
      args.namespace === 'lazy-builtin' ? undefined : { path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtin' },
    );
    builder.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      loader: 'js',
      // esbuild copies an imported module's keys as getters (__toESM): the keys are known here, so
      // listing them loads nothing; a getter loads the module when it is read.
      contents: `let real;
const load = () => (real ??= require('node:${args.path}'));
const keys = ${JSON.stringify(Object.keys(requireHere(`node:${args.path}`)))};
${args.path === 'assert' ? ASSERT_EQUAL : ''}
module.exports = new Proxy({}, {
  get: (_target, key) => (${args.path === 'assert' ? "key === 'equal' ? equal : " : ''}load()[key]),
  has: (_target, key) => key in load(),
  ownKeys: () => keys,
  getOwnPropertyDescriptor: (_target, key) => (keys.includes(key) ? { value: undefined, writable: true, enumerable: true, configurable: true } : undefined),
});`,
    }));
  },
};

// The bundle. Its sources are ES modules: `import.meta.url` becomes the bundle's own URL, and each
// dynamic import() of our code stays lazy (esbuild evaluates such a module on first import).
const bundle = await build({
  ...common,
  entryPoints: ['src/bundle.ts'],
  outfile: path.join(dist, 'runner.cjs'),
  write: false,
  sourcemap: 'external',
  // p-retry times attempts with performance.now(); reading the `performance` global loads perf_hooks
  // (a cost of every start; measured: docs/benchmarks.md). process.hrtime gives the same
  // monotonic milliseconds.
  define: { 'import.meta.url': 'import_meta_url', 'performance.now': 'monotonic_now' },
  inject: ['scripts/import-meta-url.js', 'scripts/monotonic-now.js'],
  alias: { 'graceful-fs': './scripts/plain-fs.cjs' },
  // The distributed backend's libraries stay in node_modules, required only when a queue is
  // configured: BullMQ's PostgreSQL backend reads its SQL migrations from its own folder.
  external: ['bullmq', 'ioredis', 'pg'],
  plugins: [vendorFiles, lazyBuiltins],
  // Code run by vm.Script has no import() on Node 20: lazy imports of the vendor files become
  // require()s; a real import() goes through src/loader/import-module.ts.
  supported: { 'dynamic-import': false },
});
// esbuild escapes non-ASCII characters in strings but leaves them in the comments it keeps: escape
// those too, so the bundle is pure ASCII and the launcher reads it as Latin-1 (one byte a character,
// no UTF-8 decoding, and V8 scans a one-byte string).
const code = bundle.outputFiles
  .find((file) => file.path.endsWith('.cjs'))
  .text.replace(/[^\0-\x7f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
const map = JSON.parse(bundle.outputFiles.find((file) => file.path.endsWith('.map')).text);
const hash = createHash('sha256').update(code).digest('hex').slice(0, 32);
// One line is put in front of the code: the source map's lines move down by one (`;`).
map.mappings = `;${map.mappings}`;
writeAtomically(path.join(dist, 'runner.cjs.map'), JSON.stringify(map));
writeAtomically(path.join(dist, 'runner.cjs'), `// taskrunner-bundle ${hash}\n${code}\n//# sourceMappingURL=runner.cjs.map\n`);

await build({ ...common, entryPoints: ['src/cli/launcher.ts'], outfile: path.join(dist, 'launch.cjs') });
// CommonJS like the bundle, so that sucrase is require()d: imported as an ES module, its 700 kB would
// first be scanned for export names, which cost Node 20 about 90 ms of every run.
await build({
  ...common,
  entryPoints: ['src/loader/node20-hooks.ts'],
  outfile: path.join(dist, 'task-hooks.cjs'),
  plugins: [vendorFiles],
  supported: { 'dynamic-import': false },
});

// The entries, each a few lines over the bundle. dist/ is CommonJS (its package.json says so), so
// the bin starts without Node's ES module loader; the library entry is an ES module (.mjs) whose
// export names come from the bundle itself.
writeAtomically(path.join(dist, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
writeAtomically(
  path.join(dist, 'cli.js'),
  "#!/usr/bin/env node\n// The `runner` bin: runs the CLI of the shared bundle (src/cli/launcher.ts).\nrequire('./launch.cjs').runCli();\n",
);
chmodSync(path.join(dist, 'cli.js'), 0o755);

const runtime = requireHere(path.join(dist, 'runner.cjs'));
const names = Object.keys(await runtime.loadLibrary()).filter((name) => name !== 'default');
writeAtomically(
  path.join(dist, 'index.mjs'),
  `// taskrunner's library entry: the runtime the CLI loaded (one copy per process), or loaded now.\nimport { createRequire } from 'node:module';\nconst library = await createRequire(import.meta.url)('./launch.cjs').loadRuntime().loadLibrary();\nexport const { ${names.join(', ')} } = library;\n`,
);

writeAtomically(
  path.join(dist, 'library.cjs'),
  "// taskrunner's library for a require('taskrunner') in a user task (src/loader/task-hooks.ts): the runtime's copy.\nmodule.exports = require('./launch.cjs').loadRuntime().librarySync();\n",
);

// Every task file of src/tasks/; `_registry.ts` (leading `_`) is not a task.
const builtins = readdirSync(path.join(root, 'src/tasks'))
  .filter((file) => file.endsWith('.ts') && !file.startsWith('_'))
  .map((file) => path.basename(file, '.ts'));
for (const name of builtins) {
  writeAtomically(
    path.join(dist, 'tasks', `${name}.js`),
    `// The built-in task ${name}. Discovery lists this file for the name and loads the task from the\n// shared runtime (src/tasks/_registry.ts); requiring it gives a promise of that module.\nmodule.exports = require('../launch.cjs').loadRuntime().loadBuiltinTask('${name}');\n`,
  );
}

// The dashboard's page (src/dashboard/assets) and its charting library, served as they are: no
// front-end build step for users.
mkdirSync(path.join(dist, 'dashboard'), { recursive: true });
const dashboardFiles = [
  ...['index.html', 'app.js', 'style.css', 'favicon.svg'].map((name) => [path.join(root, 'src/dashboard/assets', name), name]),
  ...['uPlot.iife.min.js', 'uPlot.min.css'].map((name) => [path.join(path.dirname(requireHere.resolve('uplot/package.json')), 'dist', name), name]),
];
for (const [from, name] of dashboardFiles) writeAtomically(path.join(dist, 'dashboard', name), readFileSync(from));
for (const name of readdirSync(path.join(dist, 'dashboard'))) {
  if (!dashboardFiles.some(([, kept]) => kept === name)) rmSync(path.join(dist, 'dashboard', name), { force: true });
}

// Files of earlier builds (the ESM chunks of older versions, removed built-ins) go.
const keep = new Set(['package.json', 'runner.cjs', 'runner.cjs.map', 'launch.cjs', 'task-hooks.cjs', 'cli.js', 'index.mjs', 'library.cjs', 'tasks', 'types', 'vendor', 'dashboard']);
for (const name of readdirSync(dist)) if (!keep.has(name)) rmSync(path.join(dist, name), { recursive: true, force: true });
for (const name of readdirSync(path.join(dist, 'tasks'))) {
  if (!builtins.includes(path.basename(name, '.js'))) rmSync(path.join(dist, 'tasks', name), { force: true });
}

// Declarations for library users. Type errors do not stop the build (the bundle above does not
// depend on them); `npm test` type-checks and fails on them.
try {
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.types.json'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
} catch {
  console.warn('build: type declarations were emitted with type errors; run `npm run typecheck`');
}

// A concurrent test run may be starting the CLI: it sees the old file or the new one, never half.
function writeAtomically(file, text) {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}
