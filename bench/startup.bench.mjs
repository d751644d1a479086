// Start-up cost of running one task: `runner noop` (a no-op TypeScript task in a temporary home,
// compiled-module cache warm) against a bare `node -e 0`, and the same with 300 other task files in
// tasks/, which must not cost more because only the task's own file is loaded. `runner list` over
// the 300 files shows what full discovery costs. Run on its own with `node bench/startup.bench.mjs`
// after `npm run build`.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI, median, printTable, timeCommand } from './lib.mjs';

const RUNS = 20;
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
const noop = (home) => [CLI, 'noop', '--home', home, '--workspace', path.join(home, 'workspace'), '--quiet'];
const options = { runs: RUNS, env };

try {
  // timeCommand's warm-up run fills the compiled-module cache, so every measured run is warm.
  const bare = timeCommand(process.execPath, ['-e', '0'], options);
  const version = timeCommand(process.execPath, [CLI, 'help'], options);
  const one = timeCommand(process.execPath, noop(small), options);
  const many = timeCommand(process.execPath, noop(large), options);
  const list = timeCommand(process.execPath, [CLI, 'list', '--home', large, '--workspace', path.join(large, 'workspace')], {
    ...options,
    runs: 5,
  });
  const bareAgain = timeCommand(process.execPath, ['-e', '0'], options);
  const baseline = median([bare, bareAgain]);
  printTable(
    `start-up, median of ${RUNS} runs (ms); warm compiled-module cache`,
    ['case', 'ms', 'vs node -e 0'],
    [
      ['node -e 0 (baseline)', baseline, 1],
      ['runner help (CLI floor: no task loaded)', version, version / baseline],
      ['runner noop, 1 task file', one, one / baseline],
      [`runner noop, ${OTHER_TASKS + 1} task files`, many, many / baseline],
      [`runner list, ${OTHER_TASKS + 1} task files (5 runs)`, list, list / baseline],
    ],
    2,
  );
  console.log(`growth with ${OTHER_TASKS} more task files: ${(many - one).toFixed(1)} ms (${((many / one - 1) * 100).toFixed(1)} %)`);
} finally {
  for (const dir of [cacheHome, small, large]) rmSync(dir, { recursive: true, force: true });
}
