// Start-up cost, the price of every cron tick and heartbeat: `runner noop` (a no-op TypeScript task
// in a temporary home), `runner help` (the CLI alone: no task loaded) and `runner alerts --json`
// against a bare `node -e 0`, on Node 20 (this node) and on Node 24 when its binary is there
// (`$NODE24`, or where CI installs it). Warm: code cache and Node's compile cache filled. Cold: the
// first run after an install or upgrade, each run with a fresh, empty XDG_CACHE_HOME. Then, on this
// node, `runner hello` (a TypeScript task whose TypeScript helper is imported as `./lib/greet.js`)
// and `runner noop` with 300 other task files in tasks/,
// which must not cost more because only the task's own file is loaded; `runner list` over the 300
// files shows what full discovery costs. Run on its own with `node bench/startup.bench.mjs` after
// `npm run build`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI, GREET_SOURCE, HELLO_SOURCE, interleave, median, node24Binary, printTable, timeCommand } from './lib.mjs';

const RUNS = 20;
const COLD_RUNS = 10;
const OTHER_TASKS = 300;

if (!existsSync(CLI)) {
  console.error('dist/cli.js is missing: run `npm run build` first');
  process.exit(1);
}

const taskSource = (name) => `import { Task, type TaskContext } from 'taskrunner';

export default class Task_${name} extends Task {
  name = '${name}';
  description = 'does nothing (${name})';
  async run(_ctx: TaskContext) {
    return { success: true, message: 'nothing done' };
  }
}
`;

function makeHome(otherTasks) {
  const home = mkdtempSync(path.join(tmpdir(), 'taskrunner-bench-startup-'));
  mkdirSync(path.join(home, 'tasks'));
  mkdirSync(path.join(home, 'workspace'));
  writeFileSync(path.join(home, 'tasks', 'noop.ts'), taskSource('noop'), { mode: 0o644 });
  mkdirSync(path.join(home, 'tasks', 'lib'));
  writeFileSync(path.join(home, 'tasks', 'lib', 'greet.ts'), GREET_SOURCE, { mode: 0o644 });
  writeFileSync(path.join(home, 'tasks', 'hello.ts'), HELLO_SOURCE, { mode: 0o644 });
  for (let i = 0; i < otherTasks; i++) {
    const name = `task_${String(i).padStart(3, '0')}`;
    writeFileSync(path.join(home, 'tasks', `${name}.ts`), taskSource(name), { mode: 0o644 });
  }
  return home;
}

const cacheHome = mkdtempSync(path.join(tmpdir(), 'taskrunner-bench-cache-'));
const env = { ...process.env, XDG_CACHE_HOME: cacheHome, RUNNER_HOME: '', OPENCLAW_WORKSPACE: '', NO_COLOR: '1' };
const small = makeHome(0);
const large = makeHome(OTHER_TASKS);
const runTask = (name, home) => [CLI, name, '--home', home, '--workspace', path.join(home, 'workspace'), '--quiet'];
const noop = (home) => runTask('noop', home);

const caches = [];
/** A new, empty cache folder: a cold start. */
function freshCache() {
  const dir = mkdtempSync(path.join(tmpdir(), 'taskrunner-bench-cold-'));
  caches.push(dir);
  return dir;
}

/** noop, help and alerts --json against `node -e 0` with `node`, warm and cold: one table row each. */
function compareStartup(label, node) {
  const warmEnv = { ...env, XDG_CACHE_HOME: freshCache() };
  const cases = [
    { name: 'node -e 0 (baseline)', args: ['-e', '0'] },
    { name: 'runner noop', args: noop(small) },
    { name: 'runner help', args: [CLI, 'help'] },
    { name: 'runner alerts --json', args: [CLI, 'alerts', '--json', '--home', small] },
  ].map((each) => ({ ...each, command: node, env: warmEnv }));
  for (const { command, args } of cases) spawnSync(command, args, { env: warmEnv, stdio: 'ignore' });
  const warm = interleave(cases, RUNS).map(median);
  const cold = interleave(cases, COLD_RUNS, { before: (i) => (i === 0 ? warmEnv : { ...env, XDG_CACHE_HOME: freshCache() }) }).map(median);
  return cases.map(({ name }, i) => [`${label}: ${name}`, warm[i], warm[i] / warm[0], cold[i], cold[i] / cold[0]]);
}

/** Wall time (ms) of one run of node with `args`; a failing run aborts the benchmark. */
function runOnce(args) {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const elapsed = performance.now() - started;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return elapsed;
}

try {
  const node24 = node24Binary();
  const rows = compareStartup(`Node ${process.versions.node}`, process.execPath);
  if (node24) rows.push(...compareStartup(`Node ${spawnSync(node24, ['-p', 'process.versions.node']).stdout.toString().trim()}`, node24));
  printTable(
    `start-up, medians of interleaved runs (ms): warm ${RUNS} runs, cold ${COLD_RUNS} runs (empty caches)`,
    ['case', 'warm ms', 'warm ×node', 'cold ms', 'cold ×node'],
    rows,
    2,
  );
  if (!node24) console.log('Node 24: skipped: no Node 24 (set $NODE24, or run `npm run test:node24` once to install it)');

  const cases = [
    ['node -e 0 (baseline)', ['-e', '0']],
    ['runner help (CLI floor: no task loaded)', [CLI, 'help']],
    ['runner noop, 1 task file', noop(small)],
    ['runner hello (TS task + TS helper as ./lib/greet.js)', runTask('hello', small)],
    [`runner noop, ${OTHER_TASKS + 1} task files`, noop(large)],
  ];
  // Warm-up: fills the caches, so every measured run is warm.
  for (const [, args] of cases) runOnce(args);
  // Rounds interleave the cases, so a machine that gets busier mid-run skews none of them alone.
  const times = cases.map(() => []);
  for (let round = 0; round < RUNS; round++) {
    cases.forEach(([, args], i) => times[i].push(runOnce(args)));
  }
  const medians = times.map(median);
  const baseline = medians[0];
  const list = timeCommand(process.execPath, [CLI, 'list', '--home', large, '--workspace', path.join(large, 'workspace')], {
    runs: 5,
    env,
  });
  printTable(
    `Node ${process.versions.node}, median of ${RUNS} interleaved runs (ms); warm caches`,
    ['case', 'ms', 'vs node -e 0'],
    [
      ...cases.map(([label], i) => [label, medians[i], medians[i] / baseline]),
      [`runner list, ${OTHER_TASKS + 1} task files (full discovery, 5 runs)`, list, list / baseline],
    ],
    2,
  );
  const [one, many] = [medians[2], medians[4]];
  console.log(`growth with ${OTHER_TASKS} more task files: ${(many - one).toFixed(1)} ms (${((many / one - 1) * 100).toFixed(1)} %)`);
} finally {
  for (const dir of [cacheHome, small, large, ...caches]) rmSync(dir, { recursive: true, force: true });
}
