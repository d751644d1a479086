import { isoWithOffset } from '../shared/time.js';
import { RunnerError } from '../shared/errors.js';
import type { AlertLevel } from '../store/alerts.js';
import { claimNext, isExecutable, settle, type Outcome } from './claims.js';
import { Diary, type WorkBlock, type WorkBlockDraft } from './diary.js';
import { repairTornAppend } from './diary-append.js';
import { DEFAULT_COMMAND_TIMEOUT_MS, describeOutcome, executeCommand } from './execute-command.js';
import { executionOrder } from './order.js';
import { countPending, type QueuedEntry } from './queue-file.js';
import { fileQueueStore, type QueueStore } from './queue-store.js';
import { needsRecovery, recoverEntries } from './recovery.js';
import { describeSummary, emptySummary, listed, type BatchItemReport, type BatchSummary } from './summary.js';

export type { BatchItemReport, BatchSummary } from './summary.js';

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

/**
 * Runs a runner task for a `run` entry. The batch module does not know the runner core: whoever
 * calls {@link executeBatch} (the `batch` task) hands this in. It rejects when `signal` stopped it.
 */
export type BatchTaskRunner = (name: string, signal: AbortSignal) => Promise<BatchRunOutcome>;

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
  /**
   * Stops the batch: a running command is killed. Its entry goes back to pending, unless the
   * signal's reason is a timeout (a `runner.timedOut` error): that counts as a failed attempt.
   */
  signal?: AbortSignal;
  /** Raise an alert (an entry that used up its attempts, a refused entry). */
  alert?: (message: string, level: AlertLevel) => Promise<void>;
  /** Runs `run` entries; without it they fail. */
  runTask?: BatchTaskRunner;
  /** Time limit of each command (ms); 10 minutes unless given. */
  commandTimeoutMs?: number;
  onProgress?: (progress: BatchProgress) => void;
  /**
   * The queue: the workspace's `batch-tasks.json` unless given (the shared queue when `queue.url`
   * is configured). The diary is always the workspace's own `diary.md`.
   */
  store?: QueueStore;
}

/**
 * Execute up to `limit` ready entries of the workspace's batch queue, in order (priority, then
 * FIFO, dependencies first), logging each completed one as a numbered work block in `diary.md`.
 * Holds the queue's executor lock throughout (rejecting with `runner.locked` when another executor
 * has it): recovery treats every claim not made by `runId` as left by a dead executor, which only
 * the lock makes true. See `recovery.ts` for the exactly-once argument.
 */
export async function executeBatch(options: ExecuteBatchOptions): Promise<BatchSummary> {
  const limit = options.limit ?? DEFAULT_BATCH_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RunnerError('runner.invalidArgument', `batch: the number of tasks must be a positive integer, got ${limit}`);
  }
  const store = options.store ?? fileQueueStore(options.workspace);
  const diaryFile = Diary.fileOf(options.workspace);
  if (options.dryRun) return planBatch(store, await Diary.open(diaryFile), options.runId, limit);
  const lockLost = new AbortController();
  const lock = await store.acquireExecutorLock((error) => lockLost.abort(error));
  try {
    await repairTornAppend(diaryFile);
    const diary = await Diary.open(diaryFile);
    const signal = options.signal ? AbortSignal.any([options.signal, lockLost.signal]) : lockLost.signal;
    return await new BatchExecution(store, diary, { ...options, signal }, limit).run();
  } finally {
    await lock.release();
  }
}

async function planBatch(store: QueueStore, diary: Diary, runId: string, limit: number): Promise<BatchSummary> {
  const entries = await store.read();
  const recovered = recoverEntries(entries, diary.loggedIds, runId);
  // Entries this store never runs would be failed, not run (see BatchExecution.failForbidden).
  const forbidden = entries.flatMap((entry) => {
    const reason = entry.status === 'pending' ? store.forbids?.(entry) : undefined;
    return reason === undefined ? [] : [{ id: entry.id, task: entry.task, outcome: 'refused' as const, error: reason }];
  });
  const next = executionOrder(entries, new Set(forbidden.map((item) => item.id))).slice(0, limit);
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
    items: [...forbidden, ...items],
    message: `Dry run: would execute ${items.length} of ${countPending(entries)} pending tasks${listed(items)}`,
  };
}

/** How one entry went: done with a result, or failed (one attempt used), maybe stopping the batch. */
type EntryResult = { success: true; text: string } | { success: false; text: string; stopBatch?: unknown };

/** One executor run over the queue; see `recovery.ts` for the durable steps and why they suffice. */
class BatchExecution {
  private readonly signal: AbortSignal;
  private readonly tried = new Set<string>();
  private readonly summary = emptySummary(0, { completed: [], released: [], cleared: [] });
  /** Why the queue file last read was refused for command/run entries. */
  private refuseReason: string | undefined;
  private total = 0;

  private readonly store: QueueStore;
  private readonly diary: Diary;
  private readonly options: ExecuteBatchOptions & { signal: AbortSignal };
  private readonly limit: number;
  constructor(
    store: QueueStore,
    diary: Diary,
    options: ExecuteBatchOptions & { signal: AbortSignal },
    limit: number,
  ) {
    this.store = store;
    this.diary = diary;
    this.options = options;
    this.limit = limit;
    this.signal = options.signal;
  }

  async run(): Promise<BatchSummary> {
    const entries = await this.recover();
    this.total = Math.min(this.limit, executionOrder(entries).length);
    while (this.summary.executed < this.limit) {
      this.signal.throwIfAborted();
      const group = await this.claim();
      if (group.length === 0) break;
      await this.executeGroup(group);
    }
    return this.finish();
  }

  private async recover(): Promise<QueuedEntry[]> {
    const current = await this.store.read();
    if (!needsRecovery(current, this.options.runId)) return current;
    return this.store.update((entries) => {
      this.summary.recovered = recoverEntries(entries, this.diary.loggedIds, this.options.runId);
      return entries;
    });
  }

  // The file is judged at every claim, on the descriptor the claim read: a queue file swapped in
  // by someone else since the last claim must not make us run its commands (SPEC §6).
  private async claim(): Promise<QueuedEntry[]> {
    const { forbidden, ...claim } = await this.store.update((entries, source) => {
      if (source.untrusted) this.refuseReason = source.untrusted;
      const forbidden = this.failForbidden(entries);
      return {
        forbidden,
        ...claimNext(entries, {
          runId: this.options.runId,
          exclude: this.tried,
          max: Math.min(MAX_GROUP, this.limit - this.summary.executed),
          refuse: () => source.untrusted,
        }),
      };
    });
    for (const entry of forbidden) {
      this.tried.add(entry.id);
      this.summary.failed++;
      this.report({ id: entry.id, task: entry.task, outcome: 'failed', error: entry.error });
      await this.options.alert?.(`batch task ${entry.id} "${entry.task}" not run: ${entry.error ?? 'forbidden'}`, 'error');
    }
    for (const { entry, reason } of claim.refused) {
      this.tried.add(entry.id);
      this.summary.refused++;
      this.report({ id: entry.id, task: entry.task, outcome: 'refused', error: reason });
    }
    for (const entry of claim.claimed) this.tried.add(entry.id);
    return claim.claimed;
  }

  // Entries this store never runs (a command in the shared queue) are failed where they stand, in
  // the same write as the claim: not run, not retried, kept with the reason for `batch list`.
  private failForbidden(entries: QueuedEntry[]): QueuedEntry[] {
    const forbids = this.store.forbids?.bind(this.store);
    if (!forbids) return [];
    const failed: QueuedEntry[] = [];
    for (const entry of entries) {
      const reason = entry.status === 'pending' ? forbids(entry) : undefined;
      if (reason === undefined) continue;
      entry.status = 'failed';
      entry.error = reason;
      entry.failed_at = isoWithOffset();
      failed.push(entry);
    }
    return failed;
  }

  private async executeGroup(group: QueuedEntry[]): Promise<void> {
    const outcomes: Outcome[] = [];
    const drafts: WorkBlockDraft[] = [];
    const results = new Map<string, string>();
    let stopped: unknown;
    for (const entry of group) {
      this.summary.executed++;
      this.options.onProgress?.({ index: this.summary.executed, total: Math.max(this.total, this.summary.executed), entry });
      const result = await this.executeEntry(entry).catch((error: unknown) => ({ released: error }));
      if ('released' in result) {
        this.summary.executed--;
        stopped = result.released;
        break;
      }
      if (result.success) {
        results.set(entry.id, result.text);
        drafts.push(draftOf(entry, result.text, this.options.runId));
        continue;
      }
      outcomes.push({ id: entry.id, kind: 'failed', error: result.text });
      if (result.stopBatch !== undefined) {
        stopped = result.stopBatch;
        break;
      }
    }
    let blocks: WorkBlock[] = [];
    try {
      blocks = await this.diary.append(drafts);
    } catch (error) {
      // Nothing of the write is left in the diary: these entries go back to pending.
      stopped ??= error;
      drafts.length = 0;
    }
    const logged = new Set(drafts.map((draft) => draft.taskId));
    for (const entry of group) {
      if (logged.has(entry.id)) outcomes.push({ id: entry.id, kind: 'done' });
      else if (!outcomes.some((outcome) => outcome.id === entry.id)) outcomes.push({ id: entry.id, kind: 'released' });
    }
    const settled = await this.store.update((entries) => settle(entries, this.options.runId, outcomes));
    this.reportGroup(group, blocks, results, outcomes, settled);
    for (const entry of settled.exhausted) await this.alertExhausted(entry);
    if (stopped !== undefined) throw stopped;
  }

  /**
   * Run one entry. Rejects only when the run is stopped for a reason other than its time running
   * out (the entry then goes back to pending, no attempt counted). A timeout is the entry's failure.
   */
  private async executeEntry(entry: QueuedEntry): Promise<EntryResult> {
    if (entry.command !== undefined) return this.executeCommandEntry(entry.command);
    if (entry.run !== undefined) return this.executeRunEntry(entry.run);
    // As the old executor did: a planned entry is logged with its planned result.
    return { success: true, text: entry.result || 'Task completed' };
  }

  private async executeCommandEntry(command: string): Promise<EntryResult> {
    const outcome = await executeCommand(command, {
      cwd: this.options.workspace,
      signal: this.signal,
      timeoutMs: this.options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    }).catch((error: unknown) => new Error(`cannot start command: ${messageOf(error)}`));
    if (outcome instanceof Error) return { success: false, text: outcome.message };
    if (outcome.aborted) return this.stoppedDuring(describeOutcome(outcome));
    return { success: outcome.exitCode === 0 && !outcome.timedOut, text: describeOutcome(outcome) };
  }

  private async executeRunEntry(name: string): Promise<EntryResult> {
    const runTask = this.options.runTask;
    if (!runTask) return { success: false, text: `cannot run task ${name}: no task runner given` };
    try {
      const outcome = await runTask(name, this.signal);
      if (this.signal.aborted) return this.stoppedDuring(outcome.message ?? `task ${name} stopped`);
      const text = outcome.message ?? (outcome.success ? `task ${name} succeeded` : `task ${name} failed`);
      return { success: outcome.success, text };
    } catch (error) {
      if (this.signal.aborted) return this.stoppedDuring(`task ${name}: ${messageOf(error)}`);
      return { success: false, text: `task ${name}: ${messageOf(error)}` };
    }
  }

  // The run was stopped while the entry ran. Out of time: the entry had its chance, so that is a
  // failed attempt (else a hung entry would block the queue for ever). Otherwise (Ctrl-C, SIGTERM,
  // a lost lock) it was not its fault: back to pending.
  private stoppedDuring(text: string): EntryResult {
    const reason: unknown = this.signal.reason;
    // By code, not class: the reason may come from another copy of the runner.
    if ((reason as { code?: unknown } | undefined)?.code === 'runner.timedOut') {
      return { success: false, text: `${messageOf(reason)} (${text})`, stopBatch: reason };
    }
    throw reason ?? new Error('batch stopped');
  }

  private reportGroup(
    group: readonly QueuedEntry[],
    blocks: readonly WorkBlock[],
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
    summary.pending = countPending(await this.store.read());
    const refusedBecause = summary.refused > 0 ? this.refuseReason : undefined;
    if (refusedBecause) {
      await this.options.alert?.(refusedBecause, 'warning');
      summary.error = refusedBecause;
    }
    summary.success = summary.failed === 0 && summary.retrying === 0 && summary.refused === 0;
    summary.message = describeSummary(summary, refusedBecause);
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
