import { RunnerError } from '../shared/errors.js';
import { taskNameProblem } from '../shared/task-name.js';
import { isoWithOffset } from '../shared/time.js';
import {
  countPending,
  newEntryId,
  PRIORITIES,
  type BatchEntry,
  type Priority,
  type QueuedEntry,
} from './queue-file.js';
import { fileQueueStore, type QueueStore } from './queue-store.js';

/** What to add to the batch queue; `task` is required, the rest optional. */
export interface AddBatchTaskOptions {
  /** The workspace holding `batch-tasks.json`. */
  workspace: string;
  task: string;
  result?: string;
  insight?: string;
  next_step?: string;
  priority?: Priority;
  /** Ids of queue entries that must complete first. */
  depends_on?: readonly string[];
  /** A shell command to run (`/bin/sh -c`, in the workspace). */
  command?: string;
  /** A runner task to run. */
  run?: string;
  max_attempts?: number;
  dryRun?: boolean;
  /** The queue to add to; the workspace's `batch-tasks.json` unless given. */
  store?: QueueStore;
}

export interface AddedBatchTask {
  entry: QueuedEntry;
  /** Pending entries in the queue after the add (the new one included). */
  pending: number;
  /** The queue's name: the file's path, or the shared queue's server and prefix. */
  file: string;
}

/**
 * Append a task to the workspace's batch queue. Takes only the queue file's own short lock, so it
 * never waits for a running executor, and concurrent adds from many processes all land, each with
 * its own id.
 */
export async function addBatchTask(options: AddBatchTaskOptions): Promise<AddedBatchTask> {
  const draft = validateAdd(options);
  const store = options.store ?? fileQueueStore(options.workspace);
  const forbidden = store.forbids?.(draft);
  if (forbidden !== undefined) throw new RunnerError('runner.invalidArgument', `batch add: ${forbidden}`);
  const file = store.name;
  return store.update(
    (entries) => {
      const known = new Set(entries.map((entry) => entry.id));
      const missing = (draft.depends_on ?? []).filter((id) => !known.has(id));
      if (missing.length > 0) {
        throw new RunnerError(
          'runner.invalidArgument',
          `--depends-on: no task with id ${missing.join(', ')} in ${file} (see \`runner batch list\`)`,
          { file },
        );
      }
      const entry = { ...draft, id: newEntryId(entries) } as QueuedEntry;
      entries.push(entry);
      return { entry, pending: countPending(entries), file };
    },
    { dryRun: options.dryRun },
  );
}

// The old executor's fields first, in its order, so old and new entries look alike in the file.
function validateAdd(options: AddBatchTaskOptions): BatchEntry {
  const invalid = (message: string): never => {
    throw new RunnerError('runner.invalidArgument', message);
  };
  if (typeof options.task !== 'string' || options.task.trim() === '') invalid('the task text must not be empty');
  if (options.priority !== undefined && !PRIORITIES.includes(options.priority)) {
    invalid(`--priority must be one of ${PRIORITIES.join(', ')}, got ${JSON.stringify(options.priority)}`);
  }
  if (options.max_attempts !== undefined && (!Number.isInteger(options.max_attempts) || options.max_attempts < 1)) {
    invalid(`--max-attempts must be a positive integer, got ${JSON.stringify(options.max_attempts)}`);
  }
  if (options.command !== undefined && options.command.trim() === '') invalid('--command must not be empty');
  if (options.run !== undefined) {
    const problem = taskNameProblem(options.run);
    if (problem) invalid(`--run: ${JSON.stringify(options.run)} is not a task name: ${problem}`);
    if (options.run === 'batch') invalid('--run: a batch entry cannot run the batch task itself');
  }
  if (options.command !== undefined && options.run !== undefined) invalid('give either --command or --run, not both');
  const entry: BatchEntry = {
    task: options.task,
    result: options.result ?? '',
    insight: options.insight ?? '',
    next_step: options.next_step ?? '',
    status: 'pending',
    added: isoWithOffset(),
  };
  if (options.priority !== undefined) entry.priority = options.priority;
  if (options.depends_on !== undefined && options.depends_on.length > 0) entry.depends_on = [...new Set(options.depends_on)];
  if (options.command !== undefined) entry.command = options.command;
  if (options.run !== undefined) entry.run = options.run;
  if (options.max_attempts !== undefined) entry.max_attempts = options.max_attempts;
  return entry;
}
