import type { TaskResult } from './task.js';

/**
 * How a failed attempt reaches p-retry. p-retry would give up at once on a `TypeError` (so a task
 * with an ordinary bug such as `undefined.x` got one attempt) and turns a thrown string into a
 * `TypeError`; wrapping every error of the task in this plain `Error` leaves the decision to
 * {@link isRetryable}, and {@link originalError} gives the record the task's own error back.
 */
export class AttemptFailure extends Error {
  readonly original: unknown;
  constructor(original: unknown) {
    super(original instanceof Error ? original.message : String(original), { cause: original });
    this.original = original;
    this.name = 'AttemptFailure';
  }
}

/** A task that resolved `success: false`: a failure to retry, keeping the result for the record. */
export class TaskReportedFailure extends Error {
  readonly result: TaskResult;
  constructor(result: TaskResult) {
    super(typeof result.message === 'string' && result.message !== '' ? result.message : 'task reported success: false');
    this.result = result;
    this.name = 'TaskFailed';
  }
}

/** The task's own error behind an {@link AttemptFailure}; any other error as it is. */
export function originalError(error: unknown): unknown {
  return error instanceof AttemptFailure ? error.original : error;
}

/**
 * Whether another attempt may follow: anything the task throws is retried except a
 * `NonRetryableError`, an error marked `retryable: false` (bad input such as a corrupt file) and an
 * abort. Checked by name and shape, so errors from another installed copy of taskrunner count too.
 */
export function isRetryable(error: unknown): boolean {
  const cause = originalError(error);
  if (!(cause instanceof Error)) return error instanceof AttemptFailure;
  return cause.name !== 'NonRetryableError' && cause.name !== 'AbortError' && (cause as { retryable?: unknown }).retryable !== false;
}
