// Task loading: `runner run hello`, a no-op TypeScript task importing one TypeScript helper (as
// `./lib/greet.js`), against a bare `node -e 0`, on Node 20 (this node) and on Node 24 when its
// binary is there (`$NODE24`, or where CI installs it). Warm: the second and later runs, caches
// filled. Cold: the first run, each with a fresh, empty XDG_CACHE_HOME (code cache and Node's
// compile cache empty). With `TASKRUNNER_BENCH_VS=<other checkout>/dist/cli.js` the other build runs
// interleaved with this one, for a before/after table of a change (TASKRUNNER_BENCH_RUNS sets the
// number of warm runs, 20; cold runs are half as many). Besides the median wall time, the mean CPU
// time of each case (lib.mjs childrenCpuMs): steadier on a busy machine.
// Run on its own with `node bench/task-loading.bench.mjs` after `npm run build`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI, GREET_SOURCE, HELLO_SOURCE, interleave, mean, median, node24Binary, printTable } from './lib.mjs';

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

const home = mkdtempSync(path.join(tmpdir(), 'taskrunner-bench-loading-'));
mkdirSync(path.join(home, 'tasks', 'lib'), { recursive: true });
mkdirSync(path.join(home, 'workspace'));
writeFileSync(path.join(home, 'tasks', 'hello.ts'), HELLO_SOURCE, { mode: 0o644 });
writeFileSync(path.join(home, 'tasks', 'lib', 'greet.ts'), GREET_SOURCE, { mode: 0o644 });

const env = { ...process.env, RUNNER_HOME: '', OPENCLAW_WORKSPACE: '', NO_COLOR: '1' };
const caches = [];
/** A new, empty cache folder: a cold start. */
function freshCache() {
  const dir = mkdtempSync(path.join(tmpdir(), 'taskrunner-bench-cold-'));
  caches.push(dir);
  return dir;
}
const runHello = (cli) => [cli, 'run', 'hello', '--home', home, '--workspace', path.join(home, 'workspace'), '--quiet'];

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
  const warm = interleave(cases, RUNS, { before: () => warmEnv });
  const cold = interleave(cases, COLD_RUNS, { before: () => ({ ...env, XDG_CACHE_HOME: freshCache() }) });
  const cpu = (times, i) => (times.cpu[i].length > 0 ? mean(times.cpu[i]) : NaN);
  return cases.map(({ name }, i) => [`${label}: ${name}`, median(warm[i]), cpu(warm, i), median(cold[i]), cpu(cold, i)]);
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
