import { Argument, Command, CommanderError, Option } from 'commander';
import type { LocationOptions, RunnerConfig } from '../config/config.js';
import { resolveAttempts } from './run-policy.js';
import { taskDescription, type Task, type TaskOptionValues } from './task.js';
import { RunnerError } from '../shared/errors.js';

/**
 * The options every `runner` command accepts, before or after its name (the CLI's global options):
 * a task's command line has them too, so they are declared here, where it is parsed.
 */
export interface GlobalOptions extends LocationOptions {
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  color?: boolean;
}

/** Add the global options to a command; each command repeats them so they work anywhere on the line. */
export function addGlobalOptions(command: Command): Command {
  return command
    .addOption(new Option('--home <dir>', 'runner home (tasks/, logs/, alerts/); default $RUNNER_HOME or .'))
    .addOption(new Option('--workspace <dir>', "agent workspace; default $OPENCLAW_WORKSPACE, the config's workspace, then OpenClaw's (its config, $OPENCLAW_WORKSPACE_DIR, ~/.openclaw/workspace)"))
    .addOption(new Option('--config <file>', 'config file; default <home>/runner.config.json'))
    .addOption(new Option('--json', 'machine-readable JSON output'))
    .addOption(new Option('-q, --quiet', 'print only warnings and errors'))
    .addOption(new Option('-v, --verbose', 'print debug logs'))
    .addOption(new Option('--no-color', 'no colours in output'));
}

/** The flags every task run accepts (SPEC §3). */
export interface RunFlags {
  dryRun?: boolean;
  retries?: string;
  timeout?: string;
  /** A run that finds the task already running exits 0 instead of 2 (still writing its `locked` record). */
  skipIfRunning?: boolean;
  /** Append the run's log lines to this file; stdout/stderr carry only the one-line summary. */
  logFile?: string;
}

/**
 * A commander command describing one task: its declared arguments and options, the run flags and
 * the global options. It parses `runner <task> …` and prints `runner help <task>`, so the two never
 * disagree. `config` is the runner config the task runs with: the defaults shown for `--retries`
 * are the ones a run would use (`resolveAttempts`).
 */
export function buildTaskCommand(task: Task, config: RunnerConfig = {}): Command {
  // A task that declares no arguments takes any; one that declares them gets them checked.
  const command = new Command(task.name)
    .description(taskDescription(task))
    .exitOverride()
    .allowExcessArguments(task.arguments === undefined);
  for (const spec of task.arguments ?? []) {
    const name = spec.variadic ? `${spec.name}...` : spec.name;
    const argument = new Argument(spec.required ? `<${name}>` : `[${name}]`, spec.description);
    command.addArgument(argument);
  }
  for (const spec of task.options ?? []) {
    const option = new Option(spec.flags, spec.description);
    if (spec.default !== undefined) option.default(spec.default);
    command.addOption(option);
  }
  command
    .addOption(new Option('--dry-run', 'show what would change; write nothing but the run record'))
    .addOption(new Option('--retries <n>', `retries after the first attempt (${retriesDefault(task, config)})`))
    .addOption(new Option('--timeout <duration>', 'abort the run after this long (e.g. 30s, 10m)'))
    .addOption(new Option('--skip-if-running', 'exit 0, not 2, when the task is already running (for schedulers)'))
    .addOption(new Option('--log-file <file>', "append the run's log lines to this file; print only the one-line summary (for schedulers that keep a run's output)"));
  return addGlobalOptions(command);
}

/** `default: 1, i.e. 2 attempts`, from the setting a run would use. */
function retriesDefault(task: Task, config: RunnerConfig): string {
  const attempts = resolveAttempts(task, config).value;
  return `default: ${attempts - 1}, i.e. ${attempts} attempt${attempts === 1 ? '' : 's'}`;
}

/** A task's parsed command line: positional arguments and its own options (run and global flags removed). */
export interface ParsedTaskArgs {
  args: string[];
  options: TaskOptionValues;
  flags: RunFlags;
}

const NOT_TASK_OPTIONS = new Set(['dryRun', 'retries', 'timeout', 'skipIfRunning', 'logFile', 'home', 'workspace', 'config', 'json', 'quiet', 'verbose', 'color']);

/** Options of {@link parseTaskArgs}. */
export interface ParseTaskArgsOptions {
  /**
   * Print nothing, and refuse `--help` with an error: for arguments that did not come from a
   * terminal (a job's), whose usage error must be the job's failure, not text on the worker's output.
   */
  silent?: boolean;
  /** The runner config the task runs with, for the defaults `--help` shows. */
  config?: RunnerConfig;
}

/**
 * Parse a task's raw arguments with {@link buildTaskCommand}; throws commander's error on bad input
 * (which commander has printed, unless `silent`). Each caller gets its own copy (a run may change
 * its `ctx.args`).
 */
export function parseTaskArgs(task: Task, rawArgs: readonly string[], options: ParseTaskArgsOptions = {}): ParsedTaskArgs {
  // Building and running a commander program costs too much for every job of a worker (measured:
  // docs/benchmarks.md, Worker cost per job). Positional words alone, for a task that takes any, parse to the defaults
  // and themselves.
  if (task.arguments === undefined && !rawArgs.some((arg) => arg.startsWith('-'))) {
    return { ...copyOf(cachedParse(task, [], options)), args: [...rawArgs] };
  }
  return copyOf(cachedParse(task, rawArgs, options));
}

/** Parsed argument lists by task and arguments: a worker sees the same job arguments again and again. */
const PARSED = new WeakMap<Task, Map<string, ParsedTaskArgs>>();
const PARSED_PER_TASK = 1000;

// Only parses that succeeded are kept, and those print nothing: silent or not, they are the same.
function cachedParse(task: Task, rawArgs: readonly string[], options: ParseTaskArgsOptions): ParsedTaskArgs {
  let byArgs = PARSED.get(task);
  if (!byArgs) PARSED.set(task, (byArgs = new Map()));
  const key = rawArgs.join('\0');
  let parsed = byArgs.get(key);
  if (!parsed) {
    parsed = parseWithCommander(task, rawArgs, options);
    if (byArgs.size >= PARSED_PER_TASK) byArgs.clear();
    byArgs.set(key, parsed);
  }
  return parsed;
}

// Option values are strings, booleans and string arrays: a copy of each array makes a deep copy
// (a tenth of what structuredClone costs).
function copyOf(parsed: ParsedTaskArgs): ParsedTaskArgs {
  const options: TaskOptionValues = {};
  for (const [key, value] of Object.entries(parsed.options)) options[key] = Array.isArray(value) ? [...(value as string[])] : value;
  return { args: [...parsed.args], options, flags: { ...parsed.flags } };
}

function parseWithCommander(task: Task, rawArgs: readonly string[], how: ParseTaskArgsOptions): ParsedTaskArgs {
  const command = buildTaskCommand(task, how.config).action(() => undefined);
  if (how.silent) command.configureOutput({ writeOut: () => undefined, writeErr: () => undefined, outputError: () => undefined });
  try {
    command.parse(rawArgs, { from: 'user' });
  } catch (error) {
    if (how.silent && error instanceof CommanderError && error.code === 'commander.helpDisplayed') {
      const flag = rawArgs.find((arg) => arg === '--help' || arg === '-h') ?? '--help';
      throw new RunnerError('runner.invalidArgument', `${flag} asks for the task's usage, which a job cannot show: see \`runner help ${task.name}\``);
    }
    throw error;
  }
  const all = command.opts();
  // The task declares its options in commander's flag syntax, so commander's values are strings,
  // booleans and string arrays.
  const options: TaskOptionValues = {};
  for (const [key, value] of Object.entries(all)) if (!NOT_TASK_OPTIONS.has(key)) options[key] = value as TaskOptionValues[string];
  const args = command.args;
  const flags: RunFlags = {
    dryRun: all.dryRun as boolean | undefined,
    retries: all.retries as string | undefined,
    timeout: all.timeout as string | undefined,
    skipIfRunning: all.skipIfRunning as boolean | undefined,
    logFile: all.logFile as string | undefined,
  };
  return { args, options, flags };
}
