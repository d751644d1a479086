// Builds dist/: one esbuild pass with code splitting, so the CLI, the library entry and the
// built-in tasks share module instances (a user task importing 'taskrunner' re-evaluates nothing),
// plus type declarations for library users.
import { execFileSync } from 'node:child_process';
import { chmodSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
// dist/ is overwritten in place (not removed first) so that a concurrent test run never sees it missing.

const builtinTasks = Object.fromEntries(
  readdirSync(path.join(root, 'src/tasks'))
    .filter((file) => file.endsWith('.ts'))
    .map((file) => [`tasks/${path.basename(file, '.ts')}`, path.join(root, 'src/tasks', file)]),
);

const result = await build({
  absWorkingDir: root,
  entryPoints: { index: 'src/index.ts', cli: 'src/cli/main.ts', ...builtinTasks },
  outdir: dist,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: 'linked',
  logLevel: 'warning',
  metafile: true,
  // Bundled CommonJS dependencies call require(); ESM output has none unless we provide it.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url); import { fileURLToPath as __fileURLToPath } from 'node:url'; const __filename = __fileURLToPath(import.meta.url);" },
});
chmodSync(path.join(dist, 'cli.js'), 0o755);

// Chunks of earlier builds have other hashes; remove those this build did not write.
const written = new Set(Object.keys(result.metafile.outputs).map((file) => path.resolve(root, file)));
for (const file of readdirSync(path.join(dist, 'chunks'))) {
  const full = path.join(dist, 'chunks', file);
  if (!written.has(full)) rmSync(full);
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
