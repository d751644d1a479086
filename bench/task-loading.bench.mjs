// Task loading: `runner run hello`, a no-op TypeScript task importing one TypeScript helper (as
// `./lib/greet.js`), against a bare `node -e 0`, on Node 20 (this node) and on Node 24 when its
// binary is there (`$NODE24`, or where CI installs it). Warm: the second and later runs, caches
// filled. Cold: the first run, each with a fresh, empty XDG_CACHE_HOME (code cache and Node's
// compile cache empty). With `TASKRUNNER_BENCH_VS=<other checkout>/dist/cli.js` the other build runs
// interleaved with this one, for a before/after table of a change (TASKRUNNER_BENCH_RUNS sets the
// number of warm runs, 20; cold runs are half as many). Besides wall time, each run's CPU
// time (user + system, as the kernel counts it for a finished child: /proc/self/stat) is averaged:
// on a busy machine the wall time of a 100 ms process swings by tens of ms, its CPU time much less.
// Run on its own with `node bench/task-loading.bench.mjs` after `npm run build`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI, median, node24Binary, printTable, ROOT } from './lib.mjs';

const RUNS = Number(process.env.TASKRUNNER_BENCH_RUNS ?? 20);
const COLD_RUNS = Math.max(1, Math.round(RUNS / 2));

if (!existsSync(CLI)) {
  console.error('dist/cli.js is missing: run `npm run build` first');
  process.exit(1);
}
const other = process.env.TASKRUNNER_BENCH_VS;
if (other !== undefined && !existsSync(other)) {
  console.error(`TASKRUNNER_BENCH_VS names ${other}, which does not exist`);
  process.exit(1);
}

const GREET = `export function greet(who: string): string {\n  return \`hello \${who}\`;\n}\n`;
const HELLO = `import { Task, type TaskContext } from 'taskrunner';
import { greet } from './lib/greet.js';

export default class Hello extends Task {
  name = 'hello';
  description = 'says hello through a helper';
  async run(_ctx: TaskContext) {
    return { success: true, message: greet('world') };
  }
}
`;

const home = mkdtempSync(path.join(tmpdir(), 'taskrunner-bench-loading-'));
mkdirSync(path.join(home, 'tasks', 'lib'), { recursive: true });
mkdirSync(path.join(home, 'workspace'));
writeFileSync(path.join(home, 'tasks', 'hello.ts'), HELLO, { mode: 0o644 });
writeFileSync(path.join(home, 'tasks', 'lib', 'greet.ts'), GREET, { mode: 0o644 });

const env = { ...process.env, RUNNER_HOME: '', OPENCLAW_WORKSPACE: '', NO_COLOR: '1' };
const caches = [];
/** A new, empty cache folder: a cold start. */
function freshCache() {
  const dir = mkdtempSync(path.join(tmpdir(), 'taskrunner-bench-cold-'));
  caches.push(dir);
  return dir;
}
const runHello = (cli) => [cli, 'run', 'hello', '--home', home, '--workspace', path.join(home, 'workspace'), '--quiet'];

/**
 * The CPU time (ms) of this process's finished children so far: the cutime and cstime fields of
 * /proc/self/stat, in clock ticks of 10 ms (a mean over runs is finer than that). Undefined where
 * there is no /proc.
 */
function childrenCpuMs() {
  if (!existsSync('/proc/self/stat')) return undefined;
  const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /s, '').split(' ');
  // After "(comm) ": state is field 3, so cutime (16) and cstime (17) are at 13 and 14.
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;

/**
 * Each case `runs` times, the cases in turn within each round (A B C A B C …), `env(i)` giving each
 * run's environment: the median wall time (ms) and mean CPU time (ms) of each case.
 */
function interleaveWithCpu(cases, runs, env) {
  const wall = cases.map(() => []);
  const cpu = cases.map(() => []);
  for (let round = 0; round < runs; round++) {
    cases.forEach(({ command, args }, i) => {
      const runEnv = env(i);
      const cpuBefore = childrenCpuMs();
      const start = performance.now();
      const result = spawnSync(command, args, { env: runEnv, cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
      wall[i].push(performance.now() - start);
      if (cpuBefore !== undefined) cpu[i].push(childrenCpuMs() - cpuBefore);
      if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    });
  }
  return cases.map((_, i) => ({ wall: median(wall[i]), cpu: cpu[i].length > 0 ? mean(cpu[i]) : NaN }));
}

/** The rows of one Node binary: the baseline, this build and (with TASKRUNNER_BENCH_VS) the other. */
function measure(label, node) {
  const builds = [['this build', CLI], ...(other ? [['other build', other]] : [])];
  const warmEnv = { ...env, XDG_CACHE_HOME: freshCache() };
  const cases = [
    { name: 'node -e 0 (baseline)', command: node, args: ['-e', '0'] },
    ...builds.map(([name, cli]) => ({ name: `runner run hello, ${name}`, command: node, args: runHello(cli) })),
  ];
  // Fills the warm caches: every timed warm run is a second run or later.
  for (const { command, args } of cases) spawnSync(command, args, { env: warmEnv, stdio: 'ignore' });
  const warm = interleaveWithCpu(cases, RUNS, () => warmEnv);
  const cold = interleaveWithCpu(cases, COLD_RUNS, () => ({ ...env, XDG_CACHE_HOME: freshCache() }));
  return cases.map(({ name }, i) => [`${label}: ${name}`, warm[i].wall, warm[i].cpu, cold[i].wall, cold[i].cpu]);
}

try {
  const rows = measure(`Node ${process.versions.node}`, process.execPath);
  const node24 = node24Binary();
  if (node24) rows.push(...measure(`Node ${spawnSync(node24, ['-p', 'process.versions.node']).stdout.toString().trim()}`, node24));
  printTable(
    `task loading, interleaved runs: wall ms (median), CPU ms (user + system, mean); warm ${RUNS} runs, cold ${COLD_RUNS} runs (empty caches)`,
    ['case', 'warm wall', 'warm CPU', 'cold wall', 'cold CPU'],
    rows,
    1,
  );
  if (!node24) console.log('Node 24: skipped: no Node 24 (set $NODE24, or run `npm run test:node24` once to install it)');
} finally {
  for (const dir of [home, ...caches]) rmSync(dir, { recursive: true, force: true });
}
