import { DEFAULT_BATCH_LIMIT, executeBatch, type BatchProgress, type BatchRunOutcome, type ExecuteBatchOptions } from '../batch/execute.js';
import type { QueueStore } from '../batch/queue-store.js';
import { parseDuration } from '../shared/duration.js';
import { queueConfigured } from '../config/queue.js';
import { nestedRunOptions } from '../core/context.js';
import { findTask } from '../loader/discover.js';
import { runTask } from '../core/run-task.js';
import { Task, type TaskContext, type TaskResult } from '../core/task.js';
import { RunnerError } from '../shared/errors.js';

interface BatchOptions {
  commandTimeout?: string;
}

/**
 * `runner batch [N]`: execute up to N ready entries of the workspace's `batch-tasks.json`, logging
 * each as a numbered work block in `diary.md` (SPEC §6). This is where the batch module meets the
 * runner core: `run` entries run through the core's `runTask`, handed in as a function.
 */
export default class BatchTask extends Task<BatchOptions> {
  name = 'batch';
  description = 'Execute up to N tasks from the batch queue (batch-tasks.json), logging each to diary.md';
  override arguments = [{ name: 'count', description: `how many tasks to execute (default ${DEFAULT_BATCH_LIMIT})` }];
  override options = [{ flags: '--command-timeout <duration>', description: 'stop a command entry after this long (default batch.commandTimeout in the config, else 10m)' }];
  // Entries carry their own attempts (max_attempts): a failed batch is not re-run as a whole.
  override defaults = { attempts: 1 };

  async run(ctx: TaskContext<BatchOptions>): Promise<TaskResult> {
    const store = await sharedQueueOf(ctx);
    try {
      return await this.execute(ctx, store);
    } finally {
      await store?.close();
    }
  }

  private execute(ctx: TaskContext<BatchOptions>, store: QueueStore | undefined): Promise<TaskResult> {
    return executeBatch({
      store,
      workspace: ctx.paths.workspace,
      runId: ctx.runId,
      limit: parseLimit(ctx.args[0]),
      dryRun: ctx.dryRun,
      signal: ctx.signal,
      // The same alert (a refused queue file, say) would otherwise come back with every cron run.
      alert: (message, level) => ctx.alert(message, level, { unlessPending: true }),
      runTask: taskRunner(ctx),
      commandTimeoutMs: commandTimeoutOf(ctx),
      onProgress: progressPrinter(ctx),
    });
  }
}

/**
 * With `queue.url` configured, the batch runs the shared queue (the diary stays the workspace's);
 * its modules and client load only then. Undefined: the workspace's batch-tasks.json.
 */
async function sharedQueueOf(ctx: TaskContext): Promise<QueueStore | undefined> {
  const settings = { config: ctx.config, configFile: undefined, home: ctx.paths.home, workspace: ctx.paths.workspace };
  if (!queueConfigured(settings)) return undefined;
  const { openBatchQueue } = await import('../distributed/shared-batch-queue.js');
  return openBatchQueue(settings);
}

// The flag wins over `batch.commandTimeout` in the config; executeBatch has the default.
function commandTimeoutOf(ctx: TaskContext<BatchOptions>): number | undefined {
  const flag = ctx.options.commandTimeout;
  if (flag !== undefined) return parseDuration(flag, '--command-timeout');
  const configured = ctx.config.batch?.commandTimeout;
  return configured === undefined ? undefined : parseDuration(configured, 'batch.commandTimeout');
}

function parseLimit(arg: string | undefined): number {
  if (arg === undefined) return DEFAULT_BATCH_LIMIT;
  const n = Number(arg);
  if (!/^\d+$/.test(arg) || n < 1) {
    throw new RunnerError('runner.invalidArgument', `batch: N must be a positive integer, got ${JSON.stringify(arg)}`, { exitCode: 1 });
  }
  return n;
}

/**
 * Run the runner task a `run` entry names, in this process, through the runner core: under that
 * task's own lock, with its retries and its own run record (and, when the batch is scheduled, its
 * `run-failed` alert).
 */
function taskRunner(ctx: TaskContext): NonNullable<ExecuteBatchOptions['runTask']> {
  const settings = { config: ctx.config, configFile: undefined, home: ctx.paths.home, workspace: ctx.paths.workspace };
  // The entry's run uses the batch's stores, as the composition chose them for the batch's own run
  // (src/compose/stores.ts): it raises its alerts where the batch does (the shared inbox with a
  // queue configured), records into the same shared history, and is scheduled when the batch is.
  const inherited = nestedRunOptions(ctx);
  return async (name, signal): Promise<BatchRunOutcome> => {
    const { task } = await findTask(name, { home: settings.home });
    const outcome = await runTask(task, { settings, signal, log: ctx.log, ...inherited });
    const notShared = await outcome.historyAppended;
    if (notShared !== undefined) {
      ctx.log.warn({ err: notShared }, `the run record of ${name} is not in the shared run history (it is in this home's logs/tasks.jsonl)`);
    }
    signal.throwIfAborted();
    if (outcome.status === 'success') {
      return { success: true, message: outcome.result?.message ?? `task ${name} succeeded` };
    }
    const error = typeof outcome.record.error === 'string' ? outcome.record.error : outcome.result?.message;
    return { success: false, message: `task ${name} ${outcome.status.replace('_', ' ')}${error ? `: ${error}` : ''}` };
  };
}

// `[3/10] task...` on stderr, only for a person watching (a TTY), and not with --quiet.
function progressPrinter(ctx: TaskContext): ((progress: BatchProgress) => void) | undefined {
  if (!process.stderr.isTTY || !ctx.log.isLevelEnabled('info')) return undefined;
  return ({ index, total, entry }) => {
    const task = entry.task.replace(/\s+/g, ' ');
    process.stderr.write(`[${index}/${total}] ${task.length > 70 ? `${task.slice(0, 69)}…` : task}...\n`);
  };
}
