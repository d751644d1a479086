import type { Command } from 'commander';
import { parseDuration } from '../shared/duration.js';
import { findTask } from '../loader/discover.js';
import { type Task } from '../core/task.js';
import { assertTaskName } from '../shared/task-name.js';
import { RunnerError } from '../shared/errors.js';
import { globalOptionsOf, settingsOf } from './global-options.js';
import { addGlobalOptions } from '../core/task-args.js';
import { printJson } from './output.js';
import { openConfiguredQueue } from './queue-common.js';
import { parseTaskArgs } from '../core/task-args.js';

/** Register `runner enqueue <task> [args…]`: add a job to the task's queue (SPEC §10). */
export function registerEnqueueCommand(program: Command): void {
  addGlobalOptions(program.command('enqueue'))
    .description('add a job that runs a task on a worker (needs queue.url); prints its id')
    .argument('<task>', 'task name')
    .argument('[args...]', "the task's arguments and options")
    .option('--delay <duration>', 'run no earlier than this from now (e.g. 10m)')
    .option('--priority <n>', 'priority: 1 is the highest; jobs without one come first')
    .option('--dedupe-key <key>', 'add nothing while a job with this key is waiting or running')
    .option('--dry-run', 'run the task in dry-run mode')
    .option('--timeout <duration>', 'abort the run after this long (e.g. 30s, 10m)')
    .option('--wait', "wait for the run and exit with its exit code")
    .allowUnknownOption()
    .action(async (taskName: string, args: string[], options: EnqueueFlags, command: Command) => {
      await enqueueAction(taskName, args, options, command);
    });
}

interface EnqueueFlags {
  delay?: string;
  priority?: string;
  dedupeKey?: string;
  dryRun?: boolean;
  timeout?: string;
  wait?: boolean;
}

async function enqueueAction(taskName: string, args: string[], flags: EnqueueFlags, command: Command): Promise<void> {
  assertTaskName(taskName);
  const globals = globalOptionsOf(command);
  const settings = settingsOf(globals);
  const delayMs = flags.delay === undefined ? undefined : parseDuration(flags.delay, '--delay');
  const priority = flags.priority === undefined ? undefined : parsePriority(flags.priority);
  if (flags.timeout !== undefined) parseDuration(flags.timeout, '--timeout');
  if (flags.dedupeKey !== undefined && (flags.dedupeKey === '' || flags.dedupeKey.length > 256)) {
    throw new RunnerError('runner.invalidArgument', '--dedupe-key: expected 1 to 256 characters');
  }
  const task = await localTask(taskName, settings.home);
  // The arguments are checked here when this host has the task; the worker checks them again.
  if (task) parseTaskArgs(task, args);

  const { jobOptionsFor, enqueueJob, enqueueAndWait } = await import('../distributed/enqueue.js');
  const connection = await openConfiguredQueue(settings);
  try {
    const request = {
      data: { task: taskName, args, ...(flags.dryRun ? { dryRun: true } : {}), ...(flags.timeout === undefined ? {} : { timeout: flags.timeout }) },
      delayMs,
      priority,
      dedupeKey: flags.dedupeKey,
    };
    const base = jobOptionsFor(settings.config, task, taskName);
    if (!flags.wait) {
      const id = await enqueueJob(connection, request, base);
      if (globals.json) printJson({ id, task: taskName });
      else process.stdout.write(`${id}\n`);
      return;
    }
    const outcome = await enqueueAndWait(connection, request, base, (id) => {
      if (!globals.json) process.stdout.write(`${id}\n`);
    });
    if (globals.json) printJson({ id: outcome.id, task: taskName, exit_code: outcome.exitCode, ...(outcome.error === undefined ? {} : { error: outcome.error }) });
    else if (outcome.error !== undefined) process.stderr.write(`✗ ${taskName} job ${outcome.id} failed: ${outcome.error}\n`);
    process.exitCode = outcome.exitCode;
  } finally {
    await connection.close();
  }
}

// The task as this host knows it (for its attempts and to check the arguments); a task only the
// workers have is still enqueued.
async function localTask(name: string, home: string): Promise<Task | undefined> {
  try {
    return (await findTask(name, { home })).task;
  } catch (error) {
    if (error instanceof RunnerError && error.code === 'runner.unknownTask') {
      process.stderr.write(`note: task ${name} is not found in ${home}; enqueued for workers that have it\n`);
      return undefined;
    }
    throw error;
  }
}

function parsePriority(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1 || n > 2_097_152) {
    throw new RunnerError('runner.invalidArgument', `--priority: expected a whole number from 1 (highest) to 2097152, got ${JSON.stringify(value)}`);
  }
  return n;
}
