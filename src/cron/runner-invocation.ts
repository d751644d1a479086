import { realpathSync } from 'node:fs';
import path from 'node:path';
import { assertOneLine, shellLine, shellQuote } from '../shared/shell-quote.js';

/**
 * What a scheduler has to start: `runner <task>` with absolute paths only, because neither cron
 * nor OpenClaw's gateway runs with the operator's shell, PATH, current folder or RUNNER_HOME.
 */
export interface RunnerInvocation {
  /** Absolute path of the Node.js binary (cron's PATH may have another node, or none). */
  node: string;
  /** Absolute path of the runner's `dist/cli.js`. */
  cli: string;
  task: string;
  /** The task's own arguments and options, passed on as given. */
  taskArgs?: readonly string[];
  /** Absolute runner home; also the folder the command runs in. */
  home: string;
  /** Passed on when the operator chose them explicitly (a flag or the environment). */
  workspace?: string;
  config?: string;
  /** The run's own `--timeout`, as given. */
  timeout?: string;
}

/** The log file a scheduled run's output is appended to. */
export function cronLogFile(home: string): string {
  return path.join(home, 'logs', 'cron.log');
}

/**
 * The runner's own CLI file, resolved through symbolic links (`node_modules/.bin/runner` is one),
 * so the line keeps working whatever folder or PATH the scheduler uses.
 */
export function currentRunnerCli(argv1: string | undefined = process.argv[1]): string {
  if (!argv1) throw new Error('cannot tell where the runner CLI is (no process.argv[1])');
  return realpathSync(path.resolve(argv1));
}

/**
 * The argument list of the scheduled run. `--skip-if-running`: an overlapping run is not a failure.
 * Every line `runner cron` prints or installs is built from this list, so this is where a word
 * with a line break is refused (`runner.invalidArgument`, naming the argument or flag).
 */
export function runnerArgv(invocation: RunnerInvocation): string[] {
  for (const [what, word] of labelledWords(invocation)) if (word !== undefined) assertOneLine(word, what);
  const argv = [invocation.node, invocation.cli, 'run', invocation.task, ...(invocation.taskArgs ?? []), '--home', invocation.home];
  if (invocation.workspace) argv.push('--workspace', invocation.workspace);
  if (invocation.config) argv.push('--config', invocation.config);
  if (invocation.timeout) argv.push('--timeout', invocation.timeout);
  argv.push('--skip-if-running');
  return argv;
}

/** Each word of the invocation, with the argument or flag an operator knows it by. */
function labelledWords(invocation: RunnerInvocation): [what: string, word: string | undefined][] {
  return [
    ['the Node.js path', invocation.node],
    ['the runner CLI path', invocation.cli],
    ['<task>', invocation.task],
    ...(invocation.taskArgs ?? []).map((arg, i): [string, string] => [`argument ${i + 1} of the task`, arg]),
    ['--home', invocation.home],
    ['--workspace', invocation.workspace],
    ['--config', invocation.config],
    ['--timeout', invocation.timeout],
  ];
}

/**
 * The crontab's shell line:
 * `cd <home> && mkdir -p logs && PATH=… <node> <cli> run <task> … >> <home>/logs/cron.log 2>&1`.
 * `run <task>` rather than `<task>` so a task named like a command (`list`) still means the task;
 * `mkdir -p` because the redirection fails, and the runner never starts, without the folder. `env`
 * (the PATH every scheduled run gets, see src/openclaw/job-environment.ts) is set for that one
 * command, as assignments before it, so it does not leak to the operator's other lines.
 */
export function runnerShellLine(invocation: RunnerInvocation, env: Record<string, string> = {}): string {
  const argv = runnerArgv(invocation);
  const log = cronLogFile(invocation.home);
  const assignments = Object.entries(env).map(([key, value]) => {
    assertOneLine(value, `$${key}`);
    return `${key}=${shellQuote(value)} `;
  });
  return `cd ${shellQuote(invocation.home)} && mkdir -p logs && ${assignments.join('')}${shellLine(argv)} >> ${shellQuote(log)} 2>&1`;
}
