import type { Command } from 'commander';
import type { BatchListItem } from '../batch/list.js';
import type { QueueStore } from '../batch/queue-store.js';
import { escapeControl } from '../batch/printable.js';
import { assertWorkspaceExists } from '../config/workspace.js';
import { queueConfigured } from '../config/queue.js';
import { RunnerError } from '../shared/errors.js';
import { settingsOf, taskLookupOf } from './global-options.js';
import { addGlobalOptions, type GlobalOptions } from '../core/task-args.js';
import { printJson, printTable } from './output.js';
import { runTaskCommand } from './run.js';

/**
 * `runner batch [N]`, `runner batch add ...` and `runner batch list`. Executing runs the `batch`
 * task through the runner core (its lock, record and exit code); adding and listing only touch the
 * queue file, so they never wait for a running executor. Heavy modules load inside the actions:
 * every `runner` start imports this file. With `queue.url` configured, all three work on the shared
 * batch queue in the queue server instead (src/distributed/shared-batch-*.ts, loaded only then).
 */
export function registerBatchCommands(program: Command): void {
  const batch = addGlobalOptions(program.command('batch'))
    .description('execute up to N tasks from the batch queue (default 5); see `batch add` and `batch list`')
    .argument('[count]', 'how many tasks to execute')
    .option('--dry-run', 'show what would run; change nothing')
    .option('--retries <n>', 'retries of the whole batch run (default: none; entries retry on later batches)')
    .option('--timeout <duration>', 'stop the batch after this long (e.g. 10m); a command it stops counts as a failed attempt')
    .option('--command-timeout <duration>', 'stop each command entry after this long (default 10m); counts as a failed attempt')
    .action(async (count: string | undefined, options: Record<string, unknown>, command: Command) => {
      if (count !== undefined && !/^[1-9]\d*$/.test(count)) {
        throw new RunnerError('runner.invalidArgument', `batch: N must be a positive integer, got ${JSON.stringify(count)} (did you mean \`runner batch add\`?)`);
      }
      await runTaskCommand('batch', [...(count === undefined ? [] : [count]), ...runFlags(options)], command.optsWithGlobals());
    });

  addGlobalOptions(batch.command('add'))
    .description('add a task to the batch queue (prompts for missing fields on a terminal)')
    .argument('[task]', 'what to do')
    .argument('[result]', 'the expected result')
    .argument('[insight]', 'an insight to log with it')
    .argument('[next_step]', 'the next step')
    .option('--priority <level>', 'high, medium or low (default medium)')
    .option('--depends-on <ids...>', 'ids of queued tasks that must complete first')
    .option('--command <shell>', 'a shell command to run in the workspace (at least once: again if the executor is killed mid-command)')
    .option('--run <task>', 'a runner task to run')
    .option('--max-attempts <n>', 'attempts before the task is kept as failed (default 3)')
    .option('--dry-run', 'validate and show the entry; change nothing')
    .action(async (task?: string, result?: string, insight?: string, nextStep?: string, _o?: unknown, command?: Command) => {
      await addAction([task, result, insight, nextStep], command!.optsWithGlobals());
    });

  addGlobalOptions(batch.command('list'))
    .description('pending and failed tasks in execution order')
    .action(async (_options: unknown, command: Command) => {
      await listAction(command.optsWithGlobals());
    });
}

// The runner core parses the run flags itself, from the task's arguments.
function runFlags(options: Record<string, unknown>): string[] {
  const flags: string[] = [];
  if (options.dryRun) flags.push('--dry-run');
  if (options.retries !== undefined) flags.push('--retries', String(options.retries));
  if (options.timeout !== undefined) flags.push('--timeout', String(options.timeout));
  if (options.commandTimeout !== undefined) flags.push('--command-timeout', String(options.commandTimeout));
  return flags;
}

// `batch add` and `batch list` touch the queue directly, not through a run: a mistyped
// --workspace must be an error here too, not a new folder.
function workspaceOf(options: GlobalOptions): string {
  const { workspace, workspaceSource } = settingsOf(options);
  assertWorkspaceExists(workspace, workspaceSource);
  return workspace;
}

/**
 * The queue `batch add` and `batch list` work on: the shared one when a queue is configured (no
 * workspace needed: the queue is not in it), else the workspace's file. Closed after `work`.
 */
async function withQueue<T>(options: GlobalOptions, work: (store: QueueStore, workspace: string) => Promise<T>): Promise<T> {
  const settings = settingsOf(options);
  if (!queueConfigured(settings)) {
    const { fileQueueStore } = await import('../batch/queue-store.js');
    const workspace = workspaceOf(options);
    return work(fileQueueStore(workspace), workspace);
  }
  const { openBatchQueue } = await import('../distributed/shared-batch-queue.js');
  const store = await openBatchQueue(settings);
  try {
    return await work(store, settings.workspace);
  } finally {
    await store.close();
  }
}

const FIELDS = ['Task', 'Result', 'Insight', 'Next step'] as const;

async function addAction(given: (string | undefined)[], options: Record<string, unknown>): Promise<void> {
  const fields = process.stdin.isTTY ? await promptMissing(given) : given;
  const [task, result, insight, next_step] = fields;
  if (task === undefined || task.trim() === '') {
    throw new RunnerError('runner.invalidArgument', 'batch add: the task text is required, e.g. runner batch add "Document the API"');
  }
  // The executor runs the entry's task from this home: one it cannot find is refused now, as the
  // dashboard refuses it, not failed on every later batch.
  if (typeof options.run === 'string') {
    const { findTask } = await import('../loader/discover.js');
    await findTask(options.run, taskLookupOf(settingsOf(options)));
  }
  const { addBatchTask } = await import('../batch/add.js');
  const added = await withQueue(options, (store, workspace) => addBatchTask({
    store,
    workspace,
    task,
    result,
    insight,
    next_step,
    priority: options.priority as never,
    depends_on: options.dependsOn as string[] | undefined,
    command: options.command as string | undefined,
    run: options.run as string | undefined,
    max_attempts: parseMaxAttempts(options.maxAttempts),
    dryRun: options.dryRun === true,
  }));
  if (options.json) {
    console.log(JSON.stringify({ id: added.entry.id, pending: added.pending, dry_run: options.dryRun === true, entry: added.entry }));
    return;
  }
  if (options.dryRun) {
    console.log(`Dry run: would add the task to the batch queue (${added.pending} pending after adding); nothing written`);
  } else {
    console.log(`Task added to batch queue (${added.pending} pending)`);
  }
  console.log(`id: ${added.entry.id}`);
}

function parseMaxAttempts(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new RunnerError('runner.invalidArgument', `--max-attempts must be a positive integer, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

// Only on a terminal: a cron job or a pipe must never hang waiting for an answer. Lines are read
// through the interface's iterator, which queues them, so answers typed (or pasted) ahead of
// their question are not lost.
async function promptMissing(given: (string | undefined)[]): Promise<(string | undefined)[]> {
  if (given.every((field) => field !== undefined)) return given;
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const lines = rl[Symbol.asyncIterator]();
  try {
    const answers: (string | undefined)[] = [];
    for (const [index, label] of FIELDS.entries()) {
      if (given[index] !== undefined) {
        answers.push(given[index]);
        continue;
      }
      process.stderr.write(`${label}${index === 0 ? '' : ' (optional)'}: `);
      const line = await lines.next();
      answers.push(line.done ? undefined : line.value.trim() === '' && index > 0 ? undefined : line.value);
    }
    return answers;
  } finally {
    rl.close();
  }
}

async function listAction(options: Record<string, unknown>): Promise<void> {
  const { describeQueue } = await import('../batch/list.js');
  const items = describeQueue(await withQueue(options, (store) => store.read()));
  if (options.json) {
    printJson(items);
    return;
  }
  if (items.length === 0) {
    console.log('No pending batch tasks');
    return;
  }
  const pending = items.filter((item) => item.state !== 'failed' && item.state !== 'running').length;
  const failed = items.length - pending - items.filter((item) => item.state === 'running').length;
  console.log(`Pending batch tasks: ${pending}${failed > 0 ? `, failed: ${failed}` : ''}`);
  const rows = items.map((item) => printableRow([
    item.position === null ? '-' : String(item.position),
    item.id,
    item.priority,
    stateText(item),
    `${item.attempts}/${item.max_attempts}`,
    item.depends_on.length > 0 ? item.depends_on.join(',') : '-',
    truncate(item.task.replace(/\s+/g, ' '), 60),
  ]));
  printTable(['#', 'ID', 'PRIORITY', 'STATUS', 'ATTEMPTS', 'DEPENDS ON', 'TASK'], rows);
}

function stateText(item: BatchListItem): string {
  switch (item.state) {
    case 'waiting':
      return `waiting for ${item.waiting_for!.join(',')}`;
    case 'blocked':
      return `blocked: ${item.blocked_by!.join(',')} failed`;
    case 'running':
      return `running (run ${item.claimed_by ?? '?'})`;
    case 'failed':
      return `failed: ${truncate(item.error ?? 'unknown error', 40)}`;
    default:
      return 'ready';
  }
}

function printableRow(cells: string[]): string[] {
  return cells.map(escapeControl);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
