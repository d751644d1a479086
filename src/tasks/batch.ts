import { DEFAULT_BATCH_LIMIT, executeBatch, RunnerError, Task, type BatchProgress, type TaskContext, type TaskResult } from '../index.js';

/**
 * `runner batch [N]`: execute up to N ready entries of the workspace's `batch-tasks.json`, logging
 * each as a numbered work block in `diary.md` (SPEC §6).
 */
export default class BatchTask extends Task {
  name = 'batch';
  description = 'Execute up to N tasks from the batch queue (batch-tasks.json), logging each to diary.md';
  override arguments = [{ name: 'count', description: `how many tasks to execute (default ${DEFAULT_BATCH_LIMIT})` }];
  // Entries carry their own attempts (max_attempts): a failed batch is not re-run as a whole.
  override defaults = { attempts: 1 };

  async run(ctx: TaskContext): Promise<TaskResult> {
    return executeBatch({
      workspace: ctx.paths.workspace,
      runId: ctx.runId,
      limit: parseLimit(ctx.args[0]),
      dryRun: ctx.dryRun,
      signal: ctx.signal,
      alert: (message, level) => ctx.alert(message, level),
      settings: { config: ctx.config, configFile: undefined, home: ctx.paths.home, workspace: ctx.paths.workspace },
      log: ctx.log,
      onProgress: progressPrinter(ctx),
    });
  }
}

function parseLimit(arg: string | undefined): number {
  if (arg === undefined) return DEFAULT_BATCH_LIMIT;
  const n = Number(arg);
  if (!/^\d+$/.test(arg) || n < 1) {
    throw new RunnerError('runner.invalidArgument', `batch: N must be a positive integer, got ${JSON.stringify(arg)}`, { exitCode: 1 });
  }
  return n;
}

// `[3/10] task...` on stderr, only for a person watching (a TTY), and not with --quiet.
function progressPrinter(ctx: TaskContext): ((progress: BatchProgress) => void) | undefined {
  if (!process.stderr.isTTY || !ctx.log.isLevelEnabled('info')) return undefined;
  return ({ index, total, entry }) => {
    const task = entry.task.replace(/\s+/g, ' ');
    process.stderr.write(`[${index}/${total}] ${task.length > 70 ? `${task.slice(0, 69)}…` : task}...\n`);
  };
}
