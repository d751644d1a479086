import type { Logger } from 'pino';
import type { AlertInbox } from '../store/ports.js';
import type { RunRecord } from '../store/run-log.js';

/**
 * What a scheduled run's end tells the operator: a run that failed for good raises one `error`
 * alert naming the task and the error, keyed `run-failed:<task>` so the next failures refresh it
 * instead of piling up while it is pending; the task's next success resolves it. Only scheduled
 * runs (cron, a queue's worker): a person running a task by hand sees its failure on the screen.
 */

/** The key of a task's failed-run alert. */
export function runFailedKey(task: string): string {
  return `run-failed:${task}`;
}

/** How a run ended, as far as the alert goes. */
export interface RunEnd {
  status: 'success' | 'failed' | 'locked' | 'timed_out' | 'cancelled';
  record: RunRecord;
}

export interface RunFailedAlertOptions {
  task: string;
  inbox: AlertInbox;
  log: Logger;
  /** The caller gives a failed run more attempts (a queue job with some left): a retryable failure is not its last word. */
  moreAttempts?: boolean;
  /** Stops a push to the agent under way. */
  signal?: AbortSignal;
}

/**
 * Raise or resolve the task's failed-run alert for a scheduled run that ended as `end`. A failed
 * or timed-out run raises it; a success resolves it; a run that found its task locked or was
 * cancelled (SIGINT, SIGTERM, a worker shutting down) says nothing about the task. A failure here
 * is logged, never thrown: the run is already recorded, and its outcome stands.
 */
export async function reportScheduledRun(end: RunEnd, options: RunFailedAlertOptions): Promise<void> {
  const key = runFailedKey(options.task);
  try {
    if (end.status === 'success') {
      const resolved = await options.inbox.resolve(key);
      if (resolved.length > 0) options.log.info({ alert: { key } }, `alert ${key} resolved: the task succeeded`);
      return;
    }
    if (!isFinalFailure(end, options.moreAttempts === true)) return;
    const message = failureMessage(options.task, end);
    await options.inbox.raise({ task: options.task, level: 'error', message, key }, { log: options.log, signal: options.signal });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    options.log.warn({ err: error, alert: { key } }, `could not ${end.status === 'success' ? 'resolve' : 'raise'} the alert ${key}: ${reason}`);
  }
}

function isFinalFailure(end: RunEnd, moreAttempts: boolean): boolean {
  if (end.status === 'timed_out') return true;
  if (end.status !== 'failed') return false;
  // A non-retryable failure is final whatever attempts the caller has left.
  return !moreAttempts || end.record.all_attempts_failed === false;
}

/** `scheduled run of backup failed after 3 attempts: disk full`. */
function failureMessage(task: string, end: RunEnd): string {
  const label = end.status === 'timed_out' ? 'timed out' : 'failed';
  const error = typeof end.record.error === 'string' && end.record.error !== '' ? end.record.error : undefined;
  const attempts = typeof end.record.attempts === 'number' && end.record.attempts > 1 ? ` after ${end.record.attempts} attempts` : '';
  if (error === undefined) return `scheduled run of ${task} ${label}${attempts}`;
  // A timeout's error already says "timed out after 10m".
  if (error.startsWith(label)) return `scheduled run of ${task} ${error}${attempts}`;
  return `scheduled run of ${task} ${label}${attempts}: ${error}`;
}
