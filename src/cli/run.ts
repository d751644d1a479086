import path from 'node:path';
import type { Command } from 'commander';
import { parseDuration } from '../shared/duration.js';
import { findTask } from '../loader/discover.js';
import { createFileLogger } from '../core/logger.js';
import { runTask, type RunOutcome } from '../core/run-task.js';
import { EXIT, RunnerError } from '../shared/errors.js';
import { type Task } from '../core/task.js';
import { assertTaskName } from '../shared/task-name.js';
import { rendersRecord } from '../core/task-render.js';
import { assertHomeToWriteIn } from '../config/home.js';
import { globalOptionsOf, logLevelOf, scanGlobalOptions, settingsOf, stderrLoggerOf, taskLookupOf } from './global-options.js';
import { addGlobalOptions, type GlobalOptions } from '../core/task-args.js';
import { formatTable, paint, printJson } from './output.js';
import { guardRunUntilRecorded } from './exit-guard.js';
import { openStores } from '../compose/stores.js';
import { abortOnSignals } from './signals.js';
import { parseTaskArgs } from '../core/task-args.js';

/**
 * `runner <task> [args…]` and `runner run <task> [args…]`: find the task, parse its arguments
 * with its own declaration, run it, report, and set the exit code. `commands`: for `runner <word>`,
 * the commands the word may have been meant as, suggested with the tasks when it is neither.
 */
export async function runTaskCommand(taskName: string, rawArgs: readonly string[], inherited: GlobalOptions = {}, commands?: readonly string[]): Promise<void> {
  const globals = { ...inherited, ...definedOnly(scanGlobalOptions(rawArgs)) };
  assertTaskName(taskName);
  const settings = settingsOf(globals);
  const { task } = await findTask(taskName, { ...taskLookupOf(settings), commands });
  assertHomeToWriteIn(settings.home, settings.homeSource);
  const parsed = parseTaskArgs(task, rawArgs, { config: settings.config });
  const retries = parsed.flags.retries === undefined ? undefined : parseRetries(parsed.flags.retries);
  const timeoutMs = parsed.flags.timeout === undefined ? undefined : parseDuration(parsed.flags.timeout, '--timeout');
  // Opened before the run: a log file that cannot be written is the command's error, not a lost log.
  const logFile = parsed.flags.logFile === undefined ? undefined : path.resolve(parsed.flags.logFile);
  const log = logFile === undefined ? stderrLoggerOf(globals) : createFileLogger(logFile, logLevelOf(globals));
  // The composition's stores: with a queue configured, ctx.alert raises into the shared inbox and the
  // record also goes to the shared history (the server is reached before the run, so an unreachable
  // one runs nothing); alerts are pushed to the agent as `alerts.push` says. Runs the task starts
  // itself (batch entries) use the same stores.
  const stores = await openStores(settings, { pushAlerts: true, log });
  const cancellation = abortOnSignals();
  const unguard = guardRunUntilRecorded();
  let outcome: RunOutcome;
  let sharedFailure: string | undefined;
  try {
    outcome = await runTask(task, {
      alerts: stores.alerts,
      history: stores.history,
      settings,
      args: parsed.args,
      options: parsed.options,
      dryRun: parsed.flags.dryRun ?? false,
      retries,
      timeoutMs,
      // Schedulers pass --skip-if-running (the lines `runner cron` prints do): the record says so.
      scheduled: parsed.flags.skipIfRunning === true,
      signal: cancellation.signal,
      log,
    });
    const notShared = await outcome.historyAppended;
    if (notShared !== undefined) {
      const reason = notShared instanceof Error ? notShared.message : String(notShared);
      sharedFailure = `could not add the run record to ${stores.historyAt}: ${reason} (it is in this home's logs/tasks.jsonl)`;
    }
  } finally {
    unguard();
    cancellation.dispose();
    await stores.close().catch(() => undefined);
  }
  const skipped = outcome.status === 'locked' && parsed.flags.skipIfRunning === true;
  report(outcome, globals, task, skipped, logFile !== undefined);
  // A scheduler counts a non-zero exit as a failed run (OpenClaw's cron then backs off), but a run
  // that overlaps the previous one is the lock doing its job: with --skip-if-running it exits 0.
  process.exitCode = skipped ? EXIT.ok : outcome.exitCode;
  if (sharedFailure !== undefined) {
    process.stderr.write(`${paint('✗', 'red', process.stderr)} ${sharedFailure}\n`);
    // The run itself is recorded in this home's log; a record missing from the shared history is
    // still a failure the scheduler should see.
    if (process.exitCode === EXIT.ok) process.exitCode = EXIT.failure;
  }
}

/** Register `runner run <task> [args…]`, for a task whose name is also a command's. */
export function registerRunCommand(program: Command): void {
  addGlobalOptions(program.command('run'))
    .description('run a task (also works for a task named like a command)')
    .argument('<task>', 'task name')
    .argument('[args...]', "the task's arguments and options")
    .allowUnknownOption()
    .passThroughOptions()
    .helpOption(false)
    .action(async (taskName: string, args: string[], _options: unknown, command: Command) => {
      // Help is off so that `runner run <task> --help` reaches the task; `runner run --help` is ours.
      if (taskName === '--help' || taskName === '-h') {
        command.outputHelp();
        return;
      }
      await runTaskCommand(taskName, args, globalOptionsOf(command));
    });
}

/**
 * The run's outcome for a person or a scheduler: `✓ task: message` on stdout, `✗ task failed:
 * error` on stderr. With `--log-file` that line is all (no rendered table), since a scheduler's
 * history keeps the output as the run's summary.
 */
function report(outcome: RunOutcome, globals: GlobalOptions, task: Task, skipped: boolean, summaryOnly: boolean): void {
  if (globals.json) {
    printJson(outcome.record);
    return;
  }
  const { record } = outcome;
  const seconds = typeof record.duration_seconds === 'number' ? ` (${record.duration_seconds}s)` : '';
  const dry = record.dry_run ? ' [dry run]' : '';
  if (outcome.status === 'success') {
    if (!globals.quiet) {
      const message = typeof record.message === 'string' ? `: ${record.message}` : '';
      process.stdout.write(`${paint('✓', 'green')} ${record.task}${message}${seconds}${dry}\n`);
      if (rendersRecord(task) && !summaryOnly) process.stdout.write(task.render(record, { paint, formatTable }));
    }
    return;
  }
  if (skipped) {
    if (!globals.quiet) process.stdout.write(`- ${record.task} skipped: already running${dry}\n`);
    return;
  }
  const label = outcome.status === 'locked' ? 'locked' : outcome.status.replace('_', ' ');
  process.stderr.write(`${paint('✗', 'red', process.stderr)} ${record.task} ${label}: ${String(record.error)}${seconds}${dry}\n`);
}

function parseRetries(value: string): number {
  const retries = Number(value);
  if (!Number.isInteger(retries) || retries < 0) {
    throw new RunnerError('runner.invalidArgument', `--retries: expected a whole number ≥ 0, got ${JSON.stringify(value)}`);
  }
  return retries;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
