import type { RunnerError } from '../shared/errors.js';
import type { RunRecord } from '../store/run-log.js';
import type { TaskResult } from './task.js';
import { isoWithOffset } from '../shared/time.js';

/** What a finished run knows about itself, for its record. */
export interface RunFacts {
  task: string;
  dryRun: boolean;
  started: Date;
  durationSeconds: number;
  runId: string;
  attempts: number;
  /** The last result the task returned (kept on failure: its counters still tell something). */
  lastResult: TaskResult | undefined;
  /** Started by a scheduler (see `RunTaskOptions.scheduled`): the record says `"scheduled": true`. */
  scheduled: boolean;
}

/** Keys the runner owns in a record; a task's result cannot overwrite them. */
const RESERVED_KEYS = new Set([
  'task', 'dry_run', 'timestamp', 'success', 'duration_seconds', 'run_id', 'attempts',
  'error', 'error_type', 'retry_attempts', 'all_attempts_failed', 'locked', 'scheduled',
]);

// The record's keys, in SPEC §8's order: head, the task's own keys, tail, then failure details.
// `scheduled` closes the tail, present only when true (most runs by hand: no key, as before).
function build(facts: RunFacts, success: boolean, failure?: Record<string, unknown>): RunRecord {
  return {
    task: facts.task,
    dry_run: facts.dryRun,
    timestamp: isoWithOffset(facts.started),
    success,
    ...resultKeys(facts.lastResult),
    duration_seconds: facts.durationSeconds,
    run_id: facts.runId,
    attempts: facts.attempts,
    ...scheduledKey(facts),
    ...failure,
  };
}

/**
 * The record of a run that found its task (or the work it does) already running elsewhere. One a
 * scheduler started says so: the task is scheduled even when each of its runs overlaps the last.
 */
export function lockedRecord(facts: Pick<RunFacts, 'task' | 'started' | 'scheduled'>, error = 'Task is already running (locked)'): RunRecord {
  return { task: facts.task, timestamp: isoWithOffset(facts.started), success: false, error, locked: true, ...scheduledKey(facts) };
}

function scheduledKey(facts: Pick<RunFacts, 'scheduled'>): { scheduled?: true } {
  return facts.scheduled ? { scheduled: true } : {};
}

/** The record of a run whose last attempt succeeded. */
export function successRecord(facts: RunFacts): RunRecord {
  return build(facts, true);
}

/** The record of a run that failed: every attempt used up, or stopped by a non-retryable error. */
export function failureRecord(facts: RunFacts, error: unknown, allAttemptsFailed: boolean): RunRecord {
  return build(facts, false, {
    error: error instanceof Error ? error.message : String(error),
    error_type: error instanceof Error ? error.name : typeof error,
    retry_attempts: Math.max(0, facts.attempts - 1),
    all_attempts_failed: allAttemptsFailed,
  });
}

/** The record of a run stopped from outside: timed out, cancelled by a signal, or its lock lost. */
export function abortedRecord(facts: RunFacts, reason: RunnerError, status: 'timed_out' | 'cancelled'): RunRecord {
  return build(facts, false, {
    error: reason.message,
    error_type: reason.code === 'lock.compromised' ? 'lock_compromised' : status,
    retry_attempts: Math.max(0, facts.attempts - 1),
    all_attempts_failed: false,
    [status]: true,
  });
}

/**
 * The record of a run that never finished: its task ended the process (`process.exit()`) or its
 * `run()` never settled. Written from the process's exit handlers.
 */
export function unfinishedRecord(facts: RunFacts, reason: RunnerError): RunRecord {
  return build(facts, false, {
    error: reason.message,
    error_type: 'unfinished',
    retry_attempts: Math.max(0, facts.attempts - 1),
    all_attempts_failed: false,
  });
}

function resultKeys(result: TaskResult | undefined): Record<string, unknown> {
  const keys: Record<string, unknown> = {};
  if (!result) return keys;
  for (const [key, value] of Object.entries(result)) {
    if (!RESERVED_KEYS.has(key)) keys[key] = value;
  }
  return keys;
}
