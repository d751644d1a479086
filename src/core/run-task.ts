import { randomUUID } from 'node:crypto';
import pRetry from 'p-retry';
import type { Logger } from 'pino';
import type { Settings } from '../config/config.js';
import { EXIT, RunnerError } from '../errors.js';
import { appendRunRecord, type RunRecord } from '../store/run-log.js';
import { abortedRecord, failureRecord, lockedRecord, successRecord, type RunFacts } from './run-record.js';
import { createTaskContext } from './context.js';
import { findTask } from './discover.js';
import { acquireTaskLock } from './lock.js';
import { createStderrLogger } from './logger.js';
import { resolveRunPolicy } from './run-policy.js';
import type { Task, TaskResult } from './task.js';

/** How long a task may take to wind down after its signal fired before the run is recorded anyway. */
const ABORT_GRACE_MS = 5_000;

export type RunStatus = 'success' | 'failed' | 'locked' | 'timed_out' | 'cancelled';

/** Options of {@link runTask}. */
export interface RunTaskOptions {
  /** Home, workspace and config, as `loadSettings()` resolves them. */
  settings: Settings;
  args?: readonly string[];
  /** The task's own parsed options. */
  options?: Record<string, unknown>;
  dryRun?: boolean;
  /** Retries after the first attempt; wins over config and task defaults. */
  retries?: number;
  /** Timeout of the whole run (all attempts) in ms; wins over config and task defaults. */
  timeoutMs?: number;
  /**
   * Cancels the run from outside (the CLI wires SIGINT/SIGTERM here). Abort it with a
   * `RunnerError('runner.cancelled', …, { exitCode })` to choose the exit code.
   */
  signal?: AbortSignal;
  /** Logger for the task (default: pino to stderr at `info`). */
  log?: Logger;
}

/** What a run ended as: its status, the CLI exit code, the record written, the task's last result. */
export interface RunOutcome {
  status: RunStatus;
  exitCode: number;
  record: RunRecord;
  result: TaskResult | undefined;
}

/** A task that resolved `success: false`: a failure to retry, keeping the result for the record. */
class TaskReportedFailure extends Error {
  constructor(readonly result: TaskResult) {
    super(typeof result.message === 'string' && result.message !== '' ? result.message : 'task reported success: false');
    this.name = 'TaskFailed';
  }
}

/**
 * Run one task the way SPEC §4 promises: under its lock, with retries and backoff, a timeout and
 * cancellation through `ctx.signal`, and exactly one record in `logs/tasks.jsonl`.
 *
 * @example
 * ```ts
 * const outcome = await runTask('memory_capture', { settings: loadSettings({ home: '/srv/agent' }) });
 * process.exitCode = outcome.exitCode;
 * ```
 */
export async function runTask(taskOrName: Task | string, options: RunTaskOptions): Promise<RunOutcome> {
  const { settings } = options;
  const task = typeof taskOrName === 'string' ? (await findTask(taskOrName, { home: settings.home })).task : taskOrName;
  const started = new Date();
  const startedAt = performance.now();
  const runId = randomUUID();
  const dryRun = options.dryRun ?? false;
  const policy = resolveRunPolicy(task, settings.config, { retries: options.retries, timeoutMs: options.timeoutMs });
  const log = (options.log ?? defaultLogger()).child({ task: task.name, run_id: runId });

  const controller = new AbortController();
  const abort = (reason: RunnerError) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const lock = await acquireTaskLock(settings.home, task.name, {
    staleMs: settings.config.lock?.staleMs,
    onCompromised: (error) => {
      log.error({ err: error }, 'lock compromised: aborting the run');
      abort(error);
    },
  });
  if (!lock) {
    const record = lockedRecord(task.name, started);
    appendRunRecord(settings.home, record, dryRun ? undefined : (settings.config.logs ?? {}));
    return { status: 'locked', exitCode: EXIT.locked, record, result: undefined };
  }

  const onOuterAbort = () => abort(asRunnerError(options.signal?.reason));
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (options.signal?.aborted) onOuterAbort();
  const timer =
    policy.timeoutMs === undefined
      ? undefined
      : setTimeout(
          () => abort(new RunnerError('runner.timedOut', `timed out after ${formatMs(policy.timeoutMs!)}`)),
          policy.timeoutMs,
        );

  let attempts = 0;
  let lastResult: TaskResult | undefined;
  let lastError: unknown;
  let exhausted = false;
  try {
    const attemptsDone = pRetry(
      async () => {
        attempts += 1;
        controller.signal.throwIfAborted();
        const ctx = createTaskContext({
          taskName: task.name,
          runId,
          dryRun,
          signal: controller.signal,
          args: options.args ?? [],
          options: options.options ?? {},
          config: settings.config,
          paths: { home: settings.home, workspace: settings.workspace },
          log,
          attempt: attempts,
        });
        const result = checkResult(await task.run(ctx), task.name);
        lastResult = result;
        if (!result.success) throw new TaskReportedFailure(result);
        return result;
      },
      {
        retries: policy.attempts - 1,
        minTimeout: policy.retry.minTimeoutMs,
        maxTimeout: policy.retry.maxTimeoutMs,
        factor: policy.retry.factor,
        randomize: policy.retry.jitter,
        maxRetryTime: policy.retry.maxRetryTimeMs,
        signal: controller.signal,
        onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
          lastError = error;
          exhausted = retriesLeft === 0;
          log.warn({ attempt: attemptNumber, retries_left: retriesLeft, err: error }, `attempt ${attemptNumber} failed: ${error.message}`);
        },
        shouldRetry: ({ error }) => !isNonRetryable(error) && !controller.signal.aborted,
      },
    ).then(
      (result) => ({ ok: true as const, result }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    const settled = await Promise.race([attemptsDone, afterAbort(controller.signal, attemptsDone)]);

    const facts: RunFacts = {
      task: task.name,
      dryRun,
      started,
      durationSeconds: Number(((performance.now() - startedAt) / 1000).toFixed(3)),
      runId,
      attempts,
      lastResult,
    };
    let outcome: RunOutcome;
    if (controller.signal.aborted) {
      const reason = asRunnerError(controller.signal.reason);
      const status = reason.code === 'runner.timedOut' ? 'timed_out' : 'cancelled';
      outcome = { status, exitCode: reason.exitCode, record: abortedRecord(facts, reason, status), result: lastResult };
    } else if (settled.ok) {
      outcome = { status: 'success', exitCode: EXIT.ok, record: successRecord(facts), result: settled.result };
    } else {
      const error = settled.error ?? lastError;
      const record = failureRecord(facts, error, exhausted && !isNonRetryable(error));
      outcome = { status: 'failed', exitCode: EXIT.failure, record, result: lastResult };
    }
    // A dry run changes no file but the log itself, so it does not rotate it either.
    appendRunRecord(settings.home, outcome.record, dryRun ? undefined : (settings.config.logs ?? {}));
    log.debug({ status: outcome.status }, 'run finished');
    return outcome;
  } finally {
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onOuterAbort);
    await lock.release();
  }
}

// After an abort the task gets a grace period to return; a task that ignores its signal must not
// keep the lock and the record hostage.
function afterAbort<T>(signal: AbortSignal, settled: Promise<T>): Promise<T | { ok: false; error: unknown }> {
  return new Promise((resolve) => {
    const onAbort = () => {
      const grace = setTimeout(() => resolve({ ok: false, error: signal.reason }), ABORT_GRACE_MS);
      void settled.then((value) => {
        clearTimeout(grace);
        resolve(value);
      });
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    // Without an abort this promise never settles; the race is won by `settled`.
    void settled.then(() => signal.removeEventListener('abort', onAbort));
  });
}

function checkResult(value: unknown, taskName: string): TaskResult {
  if (typeof value !== 'object' || value === null || typeof (value as TaskResult).success !== 'boolean') {
    throw new TypeError(`task ${taskName}: run() must resolve to an object with a boolean "success"`);
  }
  return value as TaskResult;
}

// By name and shape, so errors from another installed copy of taskrunner are recognised too.
function isNonRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return error.name === 'NonRetryableError' || error.name === 'AbortError' || (error as { retryable?: unknown }).retryable === false;
}

function asRunnerError(reason: unknown): RunnerError {
  if (reason instanceof RunnerError) return reason;
  return new RunnerError('runner.cancelled', `cancelled${reason instanceof Error ? `: ${reason.message}` : ''}`);
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

let sharedLogger: Logger | undefined;

function defaultLogger(): Logger {
  sharedLogger ??= createStderrLogger();
  return sharedLogger;
}

