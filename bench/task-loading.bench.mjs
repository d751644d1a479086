// Task loading: `runner run hello`, a no-op TypeScript task importing one TypeScript helper (as
// `./lib/greet.js`), against a bare `node -e 0`, on Node 20 (this node) and on Node 24 when its
// binary is there (`$NODE24`, or where CI installs it). Warm: the second and later runs, caches
// filled. Cold: the first run, each with a fresh, empty XDG_CACHE_HOME (code cache and Node's
// compile cache empty). With `TASKRUNNER_BENCH_VS=<other checkout>/dist/cli.js` the other build runs
// interleaved with this one, for a before/after table of a change. Run on its own with
// `node bench/task-loading.bench.mjs` after `npm run build`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI, interleave, median, node24Binary, printTable } from './lib.mjs';

const RUNS = 20;
const COLD_RUNS = 10;

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

/** The rows of one Node binary: the baseline, this build and (with TASKRUNNER_BENCH_VS) the other. */
function measure(label, node) {
  const builds = [['this build', CLI], ...(other ? [['other build', other]] : [])];
  const warmEnv = { ...env, XDG_CACHE_HOME: freshCache() };
  const cases = [
    { name: 'node -e 0 (baseline)', command: node, args: ['-e', '0'], env: warmEnv },
    ...builds.map(([name, cli]) => ({ name: `runner run hello, ${name}`, command: node, args: runHello(cli), env: warmEnv })),
  ];
  // Fills the warm caches: every timed warm run is a second run or later.
  for (const { command, args } of cases) spawnSync(command, args, { env: warmEnv, stdio: 'ignore' });
  const warm = interleave(cases, RUNS).map(median);
  const cold = interleave(cases, COLD_RUNS, { before: () => ({ ...env, XDG_CACHE_HOME: freshCache() }) }).map(median);
  return cases.map(({ name }, i) => [`${label}: ${name}`, warm[i], warm[i] - warm[0], cold[i], cold[i] - cold[0]]);
}

try {
  const rows = measure(`Node ${process.versions.node}`, process.execPath);
  const node24 = node24Binary();
  if (node24) rows.push(...measure(`Node ${spawnSync(node24, ['-p', 'process.versions.node']).stdout.toString().trim()}`, node24));
  printTable(
    `task loading, medians of interleaved runs (ms): warm ${RUNS} runs, cold ${COLD_RUNS} runs (empty caches)`,
    ['case', 'warm ms', 'warm −node', 'cold ms', 'cold −node'],
    rows,
    1,
  );
  if (!node24) console.log('Node 24: skipped: no Node 24 (set $NODE24, or run `npm run test:node24` once to install it)');
} finally {
  for (const dir of [home, ...caches]) rmSync(dir, { recursive: true, force: true });
}
