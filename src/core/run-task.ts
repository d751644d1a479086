import pRetry from 'p-retry';
import type { Logger } from 'pino';
import type { Settings } from '../config/config.js';
import type { AlertInbox, RunHistory } from '../store/ports.js';
import { formatDuration } from '../shared/duration.js';
import { EXIT, RunnerError } from '../shared/errors.js';
import { AlertStore } from '../store/alerts.js';
import { appendRunRecord, type RunRecord } from '../store/run-log.js';
import { AttemptFailure, isRetryable, originalError, TaskReportedFailure } from './attempt-failure.js';
import { logFailedAttempt } from './attempt-log.js';
import { abortedRecord, failureRecord, lockedRecord, successRecord, unfinishedRecord, type RunFacts } from './run-record.js';
import { createTaskContext, taskPaths } from './context.js';
import { reportScheduledRun } from './run-failed-alert.js';
import { onAbort } from './abort-listeners.js';
import { acquireTaskLock, type HeldTaskLock, type TaskLock } from './task-lock.js';
import { newRunId } from './run-id.js';
import { createStderrLogger } from './logger.js';
import { resolveRunPolicy, retryWaitMs, type RunPolicy } from './run-policy.js';
import type { Task, TaskOptionValues, TaskResult } from './task.js';
import { trackUnfinishedRun } from './unfinished-runs.js';

/** How long a task may take to wind down after its signal fired before the run is recorded anyway. */
const ABORT_GRACE_MS = 5_000;

/** How a run ended; `locked` when the task (or its work) was already running elsewhere. */
export type RunStatus = 'success' | 'failed' | 'locked' | 'timed_out' | 'cancelled';

/** Options of {@link runTask}. */
export interface RunTaskOptions {
  /** Home, workspace and config, as `loadSettings()` resolves them. */
  settings: Settings;
  args?: readonly string[];
  /** The task's own parsed options. */
  options?: TaskOptionValues;
  dryRun?: boolean;
  /** Retries after the first attempt; wins over config and task defaults. */
  retries?: number;
  /** Timeout of the whole run (all attempts) in ms; wins over config and task defaults. */
  timeoutMs?: number;
  /**
   * A scheduler started this run (a crontab or OpenClaw line, which pass `--skip-if-running`; a
   * job scheduler's job): its record says `"scheduled": true`, which is what makes a task with a
   * schedule count as scheduled, and so liable to be reported overdue when it stops succeeding.
   * Nobody watches such a run: when it fails for good it raises an `error` alert keyed
   * `run-failed:<task>` in `alerts` (one while pending), and its next scheduled success resolves it.
   */
  scheduled?: boolean;
  /**
   * Cancels the run from outside (the CLI wires SIGINT/SIGTERM here). Abort it with a
   * `RunnerError('runner.cancelled', …, { exitCode })` to choose the exit code.
   */
  signal?: AbortSignal;
  /** Logger for the task (default: pino to stderr at `info`). */
  log?: Logger;
  /** How long a task may take to stop after its signal fired before the run is recorded anyway (default 5 s). */
  abortGraceMs?: number;
  /**
   * Where `ctx.alert` raises alerts (the shared inbox of the distributed backend, or an inbox that
   * also pushes to the agent: src/compose/stores.ts); by default the home's `alerts/pending.json`.
   * Runs the task starts itself (a batch entry naming a task) raise theirs here too.
   */
  alerts?: AlertInbox;
  /**
   * The shared run history (a queue configured): the run's record is appended there too, after the
   * home's logs/tasks.jsonl (see `RunOutcome.historyAppended`). Runs the task starts itself record
   * there too.
   */
  history?: RunHistory;
  /**
   * The task's lock, already held by the caller across runs (a worker running one task's jobs back
   * to back): the run then takes and releases no lock of its own, and is aborted if it is lost.
   */
  heldLock?: HeldTaskLock;
  /**
   * The caller gives this run more attempts if it fails (a queue job with attempts left): a
   * retryable failure then raises no `run-failed` alert yet.
   */
  moreAttempts?: boolean;
}

/** What a run ended as: its status, the CLI exit code, the record written, the task's last result. */
export interface RunOutcome {
  status: RunStatus;
  exitCode: number;
  record: RunRecord;
  result: TaskResult | undefined;
  /**
   * Settles once the task's lock is released. That is before `runTask` resolves, except for a task
   * that ignored its signal (timeout, SIGTERM): its run is recorded after the grace period, but its
   * code may still be writing, so the lock stays held until its `run()` settles (for ever, if it
   * never does; a CLI process releases it when it exits).
   */
  lockReleased: Promise<void>;
  /**
   * With a `history`: settles once the record was appended to it, to undefined, or to the error
   * that kept it out (it never rejects; the record is in the home's log either way). Not awaited by
   * `runTask`, so a caller may send it together with its own next write.
   */
  historyAppended?: Promise<unknown>;
}

/** What the attempts ended as: the successful result, or the last error. */
type Settled = { ok: true; result: TaskResult } | { ok: false; error: unknown };

/**
 * Run one task the way SPEC §4 promises: under its lock, with retries and backoff, a timeout and
 * cancellation through `ctx.signal`, and exactly one record in `logs/tasks.jsonl`. The task is
 * given, found by the caller (the library's `runTask` by name is src/compose/run-task.ts), and so
 * are its stores (src/compose/stores.ts).
 *
 * Rejects, without a record, when the lock cannot be taken; rejects
 * with `store.writeFailed` when the record cannot be written. The workspace is checked only when
 * the task uses it (`ctx.paths.workspace`, a file helper with a relative path): a missing one
 * then fails the run (recorded, exit 1, not retried) with an error naming it and its source.
 *
 * @example
 * ```ts
 * const outcome = await runTask(new MemoryCapture(), { settings: loadSettings({ home: '/srv/agent' }) });
 * process.exitCode = outcome.exitCode;
 * ```
 */
export async function runTask(task: Task, options: RunTaskOptions): Promise<RunOutcome> {
  const { settings } = options;
  const run = new RunState(task, options);

  // Aborted with a RunnerError only (timeout, signal, lost lock); the first reason counts.
  const cancel = new AbortController();
  const abort = (reason: RunnerError) => cancel.abort(reason);
  const onCompromised = (error: RunnerError) => {
    run.log.error({ err: error }, 'lock compromised: aborting the run');
    abort(error);
  };
  const lock = options.heldLock
    ? borrowLock(options.heldLock, onCompromised)
    : await acquireTaskLock(settings.home, task.name, { staleMs: settings.config.lock?.staleMs, onCompromised });
  if (!lock) {
    const record = lockedRecord({ task: task.name, started: run.started, scheduled: run.scheduled });
    run.write(record);
    return { status: 'locked', exitCode: EXIT.locked, record, result: undefined, lockReleased: Promise.resolve(), historyAppended: run.appendToHistory(record) };
  }

  // From here on the run owns a lock and owes a record, even if the task ends the process.
  const untrack = trackUnfinishedRun((reason) => {
    const record = unfinishedRecord(run.facts(), reason);
    run.write(record);
    return record;
  });
  const outer = options.signal;
  const stopListening = outer ? onAbort(outer, () => abort(asRunnerError(outer.reason))) : undefined;
  const timeoutMs = run.policy.timeoutMs;
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => abort(new RunnerError('runner.timedOut', `timed out after ${formatDuration(timeoutMs)}`)), timeoutMs);

  const attemptsDone = runAttempts(task, run, cancel.signal);
  let attemptsSettled = false;
  // Released once the task's attempts are over, whenever that is.
  const lockReleased = attemptsDone.then(() => {
    attemptsSettled = true;
    return lock.release();
  });
  try {
    const settled = await settledWithinGrace(cancel.signal, attemptsDone, options.abortGraceMs ?? ABORT_GRACE_MS);
    const outcome = outcomeOf(run, settled, cancel.signal, lockReleased);
    // Untracked first: a record that cannot be written (a full disk) must not be tried again on exit.
    untrack();
    run.write(outcome.record);
    run.log.debug({ status: outcome.status }, 'run finished');
    if (options.scheduled && !run.dryRun) {
      await reportScheduledRun(outcome, {
        task: task.name,
        inbox: options.alerts ?? AlertStore.forHome(settings.home),
        log: run.log,
        moreAttempts: options.moreAttempts,
        signal: outer,
      });
    }
    // After the alert, as one after the other: the shared stores may share a small pool of connections.
    outcome.historyAppended = run.appendToHistory(outcome.record);
    return outcome;
  } finally {
    untrack();
    if (timer) clearTimeout(timer);
    stopListening?.();
    // A task that ignored its signal may still write: its lock is released only once it settles.
    if (attemptsSettled) await lockReleased;
  }
}

/** What one run knows while it runs: its identity, policy, logger, and progress for the record. */
class RunState {
  readonly started = new Date();
  readonly runId = newRunId();
  readonly dryRun: boolean;
  readonly scheduled: boolean;
  readonly policy: RunPolicy;
  readonly log: Logger;
  attempts = 0;
  lastResult: TaskResult | undefined;
  // process.hrtime, not performance.now(): the `performance` global loads perf_hooks, a cost of
  // every start (measured: docs/benchmarks.md).
  private readonly startedAt = process.hrtime.bigint();

  readonly task: Task;
  readonly options: RunTaskOptions;
  constructor(
    task: Task,
    options: RunTaskOptions,
  ) {
    this.task = task;
    this.options = options;
    this.dryRun = options.dryRun ?? false;
    this.scheduled = options.scheduled ?? false;
    this.policy = resolveRunPolicy(task, options.settings.config, { retries: options.retries, timeoutMs: options.timeoutMs });
    this.log = (options.log ?? defaultLogger()).child({ task: task.name, run_id: this.runId });
  }

  facts(): RunFacts {
    return {
      task: this.task.name,
      dryRun: this.dryRun,
      started: this.started,
      durationSeconds: Math.round(Number(process.hrtime.bigint() - this.startedAt) / 1e6) / 1000,
      runId: this.runId,
      attempts: this.attempts,
      lastResult: this.lastResult,
      scheduled: this.scheduled,
    };
  }

  /** Append a record; a dry run changes no file but the log itself, so it does not rotate it either. */
  write(record: RunRecord): void {
    const { settings } = this.options;
    appendRunRecord(settings.home, record, this.dryRun ? undefined : (settings.config.logs ?? {}));
  }

  /** Append the record to the shared history, if there is one: see `RunOutcome.historyAppended`. */
  appendToHistory(record: RunRecord): Promise<unknown> | undefined {
    const { history } = this.options;
    return history?.append(record).then(
      () => undefined,
      (error: unknown) => error ?? new Error('the shared history refused the record'),
    );
  }
}

// Every error of the task reaches p-retry wrapped in an AttemptFailure: p-retry never retries a
// TypeError (an ordinary bug such as `undefined.x`) and turns a thrown string into a TypeError,
// while the runner's rule is that anything but a non-retryable error is retried.
function runAttempts(task: Task, run: RunState, signal: AbortSignal): Promise<Settled> {
  const { policy } = run;
  const attempt = () => runOneAttempt(task, run, signal);
  const startedAt = process.hrtime.bigint();
  const attempts = pRetry(attempt, {
    retries: policy.attempts - 1,
    minTimeout: policy.retry.minTimeoutMs,
    maxTimeout: policy.retry.maxTimeoutMs,
    factor: policy.retry.factor,
    randomize: policy.retry.jitter,
    maxRetryTime: policy.retry.maxRetryTimeMs,
    signal,
    onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => reportFailedAttempt(run, signal, error, attemptNumber, retriesLeft, startedAt),
    shouldRetry: ({ error }) => isRetryable(error) && !signal.aborted,
  });
  return attempts.then(
    (result): Settled => ({ ok: true, result }),
    (error: unknown): Settled => ({ ok: false, error }),
  );
}

async function runOneAttempt(task: Task, run: RunState, signal: AbortSignal): Promise<TaskResult> {
  const { options } = run;
  run.attempts += 1;
  signal.throwIfAborted();
  const ctx = createTaskContext({
    taskName: task.name,
    runId: run.runId,
    dryRun: run.dryRun,
    signal,
    args: options.args ?? [],
    options: options.options ?? {},
    config: options.settings.config,
    paths: taskPaths(options.settings.home, options.settings.workspace, options.settings.workspaceSource),
    log: run.log,
    attempt: run.attempts,
    alerts: options.alerts,
    history: options.history,
    scheduled: options.scheduled,
  });
  let result: TaskResult;
  try {
    result = checkResult(await task.run(ctx), task.name);
  } catch (error) {
    throw new AttemptFailure(error);
  }
  run.lastResult = result;
  if (!result.success) throw new AttemptFailure(new TaskReportedFailure(result));
  return result;
}

function reportFailedAttempt(run: RunState, signal: AbortSignal, error: unknown, attemptNumber: number, retriesLeft: number, startedAt: bigint): void {
  const retryable = isRetryable(error);
  // The log must not promise retries that will not happen.
  const retriesLeftNow = retryable && !signal.aborted ? retriesLeft : 0;
  const { policy } = run;
  // A run of one attempt (every worker job: the queue retries) has nothing to count or wait for.
  const ownRetries = policy.attempts > 1;
  logFailedAttempt(run.log, {
    attempt: attemptNumber,
    attempts: ownRetries ? policy.attempts : undefined,
    retriesLeft: retriesLeftNow,
    retryable,
    retryIn: ownRetries && retriesLeftNow > 0 ? waitWithinRetryTime(policy, attemptNumber, startedAt) : undefined,
    error: originalError(error),
  });
}

// p-retry gives up once `maxRetryTimeMs` has passed since the first attempt, and never waits past it.
function waitWithinRetryTime(policy: RunPolicy, attemptNumber: number, startedAt: bigint): { minMs: number; maxMs: number } | undefined {
  const wait = retryWaitMs(policy, attemptNumber);
  const { maxRetryTimeMs } = policy.retry;
  if (!Number.isFinite(maxRetryTimeMs)) return wait;
  const remainingMs = maxRetryTimeMs - Number(process.hrtime.bigint() - startedAt) / 1e6;
  if (remainingMs <= 0) return undefined;
  return { minMs: Math.min(wait.minMs, Math.round(remainingMs)), maxMs: Math.min(wait.maxMs, Math.round(remainingMs)) };
}

function outcomeOf(run: RunState, settled: Settled, signal: AbortSignal, lockReleased: Promise<void>): RunOutcome {
  const facts = run.facts();
  if (signal.aborted) {
    const reason = signal.reason as RunnerError;
    const status = reason.code === 'runner.timedOut' ? 'timed_out' : 'cancelled';
    return { status, exitCode: reason.exitCode, record: abortedRecord(facts, reason, status), result: run.lastResult, lockReleased };
  }
  if (settled.ok) return { status: 'success', exitCode: EXIT.ok, record: successRecord(facts), result: settled.result, lockReleased };
  // A task can find its work already under way elsewhere (the batch queue's executor lock lives in
  // the workspace, shared by every home): that is an overlap, reported as one, not a failure.
  const original = originalError(settled.error);
  if (original instanceof RunnerError && original.code === 'runner.locked') {
    return { status: 'locked', exitCode: EXIT.locked, record: lockedRecord(facts, original.message), result: undefined, lockReleased };
  }
  // Every attempt was used when the last failure was retryable and no attempt was left (a cap on
  // the total retry time can end the run earlier).
  const allAttemptsFailed = isRetryable(settled.error) && run.attempts >= run.policy.attempts;
  const record = failureRecord(facts, original, allAttemptsFailed);
  return { status: 'failed', exitCode: EXIT.failure, record, result: run.lastResult, lockReleased };
}

// A lock held by the caller: losing it aborts this run as it would a run's own lock; releasing it
// is left to the caller.
function borrowLock(held: HeldTaskLock, onCompromised: (error: RunnerError) => void): TaskLock {
  const stopListening = onAbort(held.lost, () => onCompromised(asRunnerError(held.lost.reason)));
  return { path: held.path, release: async () => stopListening() };
}

// The attempts' outcome; after an abort the task gets a grace period to return: a task that ignores
// its signal must not keep the lock and the record hostage.
function settledWithinGrace(signal: AbortSignal, attemptsDone: Promise<Settled>, graceMs: number): Promise<Settled> {
  return new Promise((resolve) => {
    void attemptsDone.then(resolve);
    onAbort(signal, () => {
      const grace = setTimeout(() => resolve({ ok: false, error: signal.reason }), graceMs);
      void attemptsDone.then(() => clearTimeout(grace));
    });
  });
}

function checkResult(value: unknown, taskName: string): TaskResult {
  if (typeof value !== 'object' || value === null || typeof (value as TaskResult).success !== 'boolean') {
    throw new TypeError(`task ${taskName}: run() must resolve to an object with a boolean "success"`);
  }
  return value as TaskResult;
}

function asRunnerError(reason: unknown): RunnerError {
  if (reason instanceof RunnerError) return reason;
  return new RunnerError('runner.cancelled', `cancelled${reason instanceof Error ? `: ${reason.message}` : ''}`);
}

let sharedLogger: Logger | undefined;

function defaultLogger(): Logger {
  sharedLogger ??= createStderrLogger();
  return sharedLogger;
}

