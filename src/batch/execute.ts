import { stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Settings } from '../config/config.js';
import { untrustedReason } from '../security/trusted-file.js';
import { RunnerError } from '../errors.js';
import type { AlertLevel } from '../store/alerts.js';
import { claimNext, isExecutable, settle, type Outcome } from './claims.js';
import { Diary, type WorkBlockDraft } from './diary.js';
import { describeOutcome, executeCommand } from './execute-command.js';
import { executionOrder } from './order.js';
import { countPending, queueFileOf, readQueue, updateQueue, type QueuedEntry } from './queue-file.js';
import { needsRecovery, recoverEntries, type Recovery } from './recovery.js';

/** How many entries one `runner batch` executes unless told otherwise. */
export const DEFAULT_BATCH_LIMIT = 5;

// Planned entries are claimed and logged in groups of at most this many: one queue write and one
// diary write per group instead of per entry.
const MAX_GROUP = 100;

/** The outcome of a `run` entry's task. */
export interface BatchRunOutcome {
  success: boolean;
  message?: string;
}

/** One line of progress: `[3/10] task...`. */
export interface BatchProgress {
  index: number;
  total: number;
  entry: QueuedEntry;
}

export interface ExecuteBatchOptions {
  /** The workspace holding `batch-tasks.json` and `diary.md`. */
  workspace: string;
  /** The run's id, written into claims and diary markers. */
  runId: string;
  /** Execute at most this many entries (default 5). */
  limit?: number;
  /** Show what would run; change nothing, execute nothing. */
  dryRun?: boolean;
  /** Stops the batch: a running command is killed and its entry goes back to pending. */
  signal?: AbortSignal;
  /** Raise an alert (an entry that used up its attempts, a refused entry). */
  alert?: (message: string, level: AlertLevel) => Promise<void>;
  /**
   * Run a runner task for a `run` entry. Unless given, such entries run through the runner core
   * with `settings`; with neither they fail.
   */
  runTask?: (name: string, signal: AbortSignal) => Promise<BatchRunOutcome>;
  /** Home, workspace and config, for `run` entries. */
  settings?: Settings;
  /** Logger handed to tasks of `run` entries. */
  log?: Logger;
  onProgress?: (progress: BatchProgress) => void;
}

/** What happened to one entry in this batch. */
export interface BatchItemReport {
  id: string;
  task: string;
  outcome: 'complete' | 'retrying' | 'failed' | 'refused' | 'would-run';
  work_block?: number;
  result?: string;
  error?: string;
}

/** The batch task's result (also what `--json` prints). */
export interface BatchSummary {
  success: boolean;
  message: string;
  executed: number;
  completed: number;
  failed: number;
  retrying: number;
  refused: number;
  /** Numbers of the work blocks written, in order. */
  work_blocks: number[];
  /** Pending entries left in the queue. */
  pending: number;
  recovered: Recovery;
  /** Per entry; capped at 100 so that the run record stays small. */
  items: BatchItemReport[];
  [key: string]: unknown;
}

/**
 * Execute up to `limit` ready entries of the workspace's batch queue, in order (priority, then
 * FIFO, dependencies first), logging each completed one as a numbered work block in `diary.md`.
 * The caller must hold the `batch` task lock (the `batch` task does): recovery treats every claim
 * not made by `runId` as left by a dead executor. See `recovery.ts` for the exactly-once argument.
 */
export async function executeBatch(options: ExecuteBatchOptions): Promise<BatchSummary> {
  const limit = options.limit ?? DEFAULT_BATCH_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RunnerError('runner.invalidArgument', `batch: the number of tasks must be a positive integer, got ${limit}`);
  }
  const file = queueFileOf(options.workspace);
  const diary = await Diary.open(Diary.fileOf(options.workspace));
  if (options.dryRun) return planBatch(file, diary, options.runId, limit);
  return new BatchExecution(file, diary, options, limit).run();
}

async function planBatch(file: string, diary: Diary, runId: string, limit: number): Promise<BatchSummary> {
  const entries = await readQueue(file);
  const recovered = recoverEntries(entries, diary.loggedIds, runId);
  const next = executionOrder(entries).slice(0, limit);
  const numbers = diary.nextNumbers(next.filter((entry) => !isExecutable(entry)).length);
  let planned = 0;
  const items = next.map((entry): BatchItemReport => {
    // An executed entry's number depends on whether it succeeds, so only planned ones get theirs.
    const work_block = isExecutable(entry) ? undefined : numbers[planned++];
    return { id: entry.id, task: entry.task, outcome: 'would-run', ...(work_block ? { work_block } : {}) };
  });
  const summary = emptySummary(countPending(entries), recovered);
  return {
    ...summary,
    dry_run: true,
    would_run: items.length,
    items,
    message: `Dry run: would execute ${items.length} of ${countPending(entries)} pending tasks${listed(items)}`,
  };
}

function listed(items: readonly BatchItemReport[]): string {
  if (items.length === 0) return '';
  const shown = items.slice(0, 10).map((item) => (item.work_block ? `${item.task} (Work Block ${item.work_block})` : item.task));
  return `: ${shown.join('; ')}${items.length > 10 ? `; … ${items.length - 10} more` : ''}`;
}

function emptySummary(pending: number, recovered: Recovery): BatchSummary {
  return {
    success: true,
    message: '',
    executed: 0,
    completed: 0,
    failed: 0,
    retrying: 0,
    refused: 0,
    work_blocks: [],
    pending,
    recovered,
    items: [],
  };
}

/** One executor run over the queue; see `recovery.ts` for the durable steps and why they suffice. */
class BatchExecution {
  private readonly signal: AbortSignal;
  private readonly tried = new Set<string>();
  private readonly summary = emptySummary(0, { completed: [], released: [], cleared: [] });
  private refuseReason: string | undefined;
  private total = 0;

  constructor(
    private readonly file: string,
    private readonly diary: Diary,
    private readonly options: ExecuteBatchOptions,
    private readonly limit: number,
  ) {
    this.signal = options.signal ?? new AbortController().signal;
  }

  async run(): Promise<BatchSummary> {
    const entries = await this.recover();
    this.total = Math.min(this.limit, executionOrder(entries).length);
    this.refuseReason = await this.unsafeReason();
    while (this.summary.executed < this.limit) {
      this.signal.throwIfAborted();
      const group = await this.claim();
      if (group.length === 0) break;
      crashPoint('after-claim');
      await this.executeGroup(group);
    }
    return this.finish();
  }

  private async recover(): Promise<QueuedEntry[]> {
    const current = await readQueue(this.file);
    if (!needsRecovery(current, this.options.runId)) return current;
    return updateQueue(this.file, (entries) => {
      this.summary.recovered = recoverEntries(entries, this.diary.loggedIds, this.options.runId);
      return entries;
    });
  }

  // A queue file others can write would let them run commands as us (SPEC §6).
  private async unsafeReason(): Promise<string | undefined> {
    const stats = await stat(this.file).catch(() => undefined);
    const reason = stats ? untrustedReason(stats) : undefined;
    return reason && `refusing to run command/run entries from ${this.file}: it is ${reason}`;
  }

  private async claim(): Promise<QueuedEntry[]> {
    const claim = await updateQueue(this.file, (entries) =>
      claimNext(entries, {
        runId: this.options.runId,
        exclude: this.tried,
        max: Math.min(MAX_GROUP, this.limit - this.summary.executed),
        refuse: () => this.refuseReason,
      }),
    );
    for (const { entry, reason } of claim.refused) {
      this.tried.add(entry.id);
      this.summary.refused++;
      this.report({ id: entry.id, task: entry.task, outcome: 'refused', error: reason });
    }
    for (const entry of claim.claimed) this.tried.add(entry.id);
    return claim.claimed;
  }

  private async executeGroup(group: QueuedEntry[]): Promise<void> {
    const outcomes: Outcome[] = [];
    const drafts: WorkBlockDraft[] = [];
    const results = new Map<string, string>();
    let stopped: unknown;
    for (const entry of group) {
      this.summary.executed++;
      this.options.onProgress?.({ index: this.summary.executed, total: Math.max(this.total, this.summary.executed), entry });
      const result = await this.executeEntry(entry).catch((error: unknown) => ({ stopped: error }));
      if ('stopped' in result) {
        this.summary.executed--;
        stopped = result.stopped;
        break;
      }
      if (result.success) {
        results.set(entry.id, result.text);
        drafts.push(draftOf(entry, result.text, this.options.runId));
      } else {
        outcomes.push({ id: entry.id, kind: 'failed', error: result.text });
      }
    }
    crashPoint('after-run');
    let blocks: Awaited<ReturnType<Diary['append']>> = [];
    try {
      blocks = await this.diary.append(drafts);
    } catch (error) {
      stopped ??= error;
      drafts.length = 0;
    }
    crashPoint('after-diary');
    const logged = new Set(drafts.map((draft) => draft.taskId));
    for (const entry of group) {
      if (logged.has(entry.id)) outcomes.push({ id: entry.id, kind: 'done' });
      else if (!outcomes.some((outcome) => outcome.id === entry.id)) outcomes.push({ id: entry.id, kind: 'released' });
    }
    const settled = await updateQueue(this.file, (entries) => settle(entries, this.options.runId, outcomes));
    crashPoint('after-settle');
    this.reportGroup(group, blocks, results, outcomes, settled);
    for (const entry of settled.exhausted) await this.alertExhausted(entry);
    if (stopped !== undefined) throw stopped;
  }

  /** Run one entry; rejects only when the run is stopped (the entry then goes back to pending). */
  private async executeEntry(entry: QueuedEntry): Promise<{ success: boolean; text: string }> {
    if (entry.command !== undefined) {
      const outcome = await executeCommand(entry.command, { cwd: this.options.workspace, signal: this.signal }).catch(
        (error: unknown) => new Error(`cannot start command: ${error instanceof Error ? error.message : String(error)}`),
      );
      if (outcome instanceof Error) return { success: false, text: outcome.message };
      if (outcome.aborted) throw this.signal.reason ?? new Error('batch stopped');
      return { success: outcome.exitCode === 0, text: describeOutcome(outcome) };
    }
    if (entry.run !== undefined) {
      const runTask = this.taskRunner();
      if (!runTask) return { success: false, text: `cannot run task ${entry.run}: no task runner given` };
      try {
        const outcome = await runTask(entry.run, this.signal);
        const text = outcome.message ?? (outcome.success ? `task ${entry.run} succeeded` : `task ${entry.run} failed`);
        return { success: outcome.success, text };
      } catch (error) {
        if (this.signal.aborted) throw this.signal.reason ?? error;
        return { success: false, text: `task ${entry.run}: ${error instanceof Error ? error.message : String(error)}` };
      }
    }
    // As the old executor did: a planned entry is logged with its planned result.
    return { success: true, text: entry.result || 'Task completed' };
  }

  private taskRunner(): ExecuteBatchOptions['runTask'] {
    const { runTask, settings, log } = this.options;
    if (runTask) return runTask;
    if (!settings) return undefined;
    return async (name, signal) => (await import('./run-entry.js')).runEntryTask(settings, name, signal, log);
  }

  private reportGroup(
    group: readonly QueuedEntry[],
    blocks: Awaited<ReturnType<Diary['append']>>,
    results: ReadonlyMap<string, string>,
    outcomes: readonly Outcome[],
    settled: ReturnType<typeof settle>,
  ): void {
    const numbers = new Map(blocks.map((block) => [block.taskId, block.number]));
    const exhausted = new Set(settled.exhausted.map((entry) => entry.id));
    for (const entry of group) {
      const outcome = outcomes.find((candidate) => candidate.id === entry.id);
      if (outcome?.kind === 'done') {
        const work_block = numbers.get(entry.id)!;
        this.summary.completed++;
        this.summary.work_blocks.push(work_block);
        this.report({ id: entry.id, task: entry.task, outcome: 'complete', work_block, result: results.get(entry.id) ?? '' });
      } else if (outcome?.kind === 'failed') {
        const failed = exhausted.has(entry.id);
        if (failed) this.summary.failed++;
        else this.summary.retrying++;
        this.report({ id: entry.id, task: entry.task, outcome: failed ? 'failed' : 'retrying', error: outcome.error });
      }
    }
  }

  private async alertExhausted(entry: QueuedEntry): Promise<void> {
    const message = `batch task ${entry.id} "${entry.task}" failed after ${entry.attempts} attempts: ${entry.error ?? 'unknown error'}`;
    await this.options.alert?.(message, 'error');
  }

  private report(item: BatchItemReport): void {
    if (this.summary.items.length < 100) this.summary.items.push(item);
  }

  private async finish(): Promise<BatchSummary> {
    const summary = this.summary;
    summary.pending = countPending(await readQueue(this.file));
    if (summary.refused > 0 && this.refuseReason) {
      await this.options.alert?.(this.refuseReason, 'warning');
      summary.error = this.refuseReason;
    }
    summary.success = summary.failed === 0 && summary.retrying === 0 && summary.refused === 0;
    summary.message = describeSummary(summary);
    return summary;
  }
}

function draftOf(entry: QueuedEntry, result: string, runId: string): WorkBlockDraft {
  return {
    task: entry.task,
    result,
    insight: entry.insight ?? '',
    next: entry.next_step || 'Continue work blocks',
    taskId: entry.id,
    runId,
  };
}

function describeSummary(summary: BatchSummary): string {
  if (summary.executed === 0 && summary.refused === 0) return `No ready tasks in the batch queue (${summary.pending} pending)`;
  const parts = [`${summary.completed} complete`];
  if (summary.retrying > 0) parts.push(`${summary.retrying} to retry`);
  if (summary.failed > 0) parts.push(`${summary.failed} failed`);
  if (summary.refused > 0) parts.push(`${summary.refused} refused`);
  const blocks = summary.work_blocks;
  const range = blocks.length === 0 ? '' : blocks.length === 1 ? ` (Work Block ${blocks[0]})` : ` (Work Blocks ${blocks[0]}–${blocks[blocks.length - 1]})`;
  return `Batch: ${summary.executed} executed, ${parts.join(', ')}${range}; ${summary.pending} pending`;
}

let crashPlan: { point: string; remaining: number } | null | undefined;

/**
 * For crash tests: `TASKRUNNER_TEST_CRASH_AT=<point>[:<n>]` kills this process with SIGKILL the
 * n-th time (default first) execution reaches `<point>` (`after-claim`, `after-run`,
 * `after-diary`, `after-settle`), exactly as `kill -9` would.
 */
function crashPoint(point: string): void {
  if (crashPlan === undefined) {
    const spec = process.env.TASKRUNNER_TEST_CRASH_AT;
    const [name, count] = (spec ?? '').split(':');
    crashPlan = spec ? { point: name!, remaining: Number(count ?? 1) } : null;
  }
  if (crashPlan && crashPlan.point === point && --crashPlan.remaining <= 0) process.kill(process.pid, 'SIGKILL');
}
