import type { RunRecord } from '../store/run-log.js';
import { percentile } from './percentile.js';
import { resultOf, type RunResult } from './record.js';

/** One task's recent history, as `runner status` shows it. */
export interface TaskStatus {
  task: string;
  /** Timestamp of the newest record (a locked start included), as written. */
  last_run: string;
  last_result: RunResult;
  /** Runs counted for the rates below: the newest ones up to the window, dry and locked runs left out. */
  runs: number;
  successes: number;
  /** successes / runs, 0…1; null without runs. */
  success_rate: number | null;
  /** Nearest-rank percentiles of `duration_seconds` over the counted runs that have one. */
  duration_p50: number | null;
  duration_p95: number | null;
  /** The error of the newest failed run among those counted, if any. */
  last_error: string | null;
  /** Timestamp of that failed run. */
  last_error_at: string | null;
  /**
   * Start of the newest successful run (dry runs do not count), however far back; null when none
   * was found (the task never succeeded, or not in the part of the log that was read).
   */
  last_success: string | null;
  /**
   * Start of the oldest run a scheduler started (`"scheduled": true` in its record: a cron or
   * OpenClaw line, a job scheduler's job) among the records read, which go back to the task's last
   * success at least; null when there is none, and the task counts as never scheduled.
   */
  scheduled_since: string | null;
}

/**
 * Gathers one task's status from its records, fed newest first. Only the newest `window` runs are
 * kept, so memory does not grow with the log. A dry run (`test-all`, `--dry-run`) says nothing
 * about how the real runs fare and a locked start ran nothing, so neither counts as a run; a
 * locked start still shows as the last result when it is the newest record (and, started by a
 * scheduler, still shows that the task is scheduled). The task needs older records until it has
 * its window and its last success, which whether it is overdue is judged from.
 */
export class TaskStatusBuilder {
  private newest: RunRecord | undefined;
  private readonly results: boolean[] = [];
  private readonly durations: number[] = [];
  private lastFailure: RunRecord | undefined;
  private lastSuccess: RunRecord | undefined;
  private oldestScheduled: RunRecord | undefined;

  readonly task: string;
  private readonly window: number;
  constructor(task: string, window: number) {
    this.task = task;
    this.window = window;
  }

  /** Whether older records can no longer change this status: the window is full and the last success found. */
  get full(): boolean {
    return this.results.length >= this.window && this.lastSuccess !== undefined;
  }

  /** Add the next older record of this task. */
  add(record: RunRecord): void {
    if (record.dry_run === true) return;
    this.newest ??= record;
    if (record.scheduled === true) this.oldestScheduled = record;
    if (record.success === true && record.locked !== true) this.lastSuccess ??= record;
    if (record.locked === true || this.results.length >= this.window) return;
    this.results.push(record.success === true);
    if (typeof record.duration_seconds === 'number' && Number.isFinite(record.duration_seconds)) {
      this.durations.push(record.duration_seconds);
    }
    if (record.success !== true) this.lastFailure ??= record;
  }

  /** The status, or undefined when only dry runs were seen. */
  build(): TaskStatus | undefined {
    if (!this.newest) return undefined;
    const runs = this.results.length;
    const successes = this.results.filter(Boolean).length;
    return {
      task: this.task,
      last_run: this.newest.timestamp,
      last_result: resultOf(this.newest),
      runs,
      successes,
      success_rate: runs === 0 ? null : successes / runs,
      duration_p50: percentile(this.durations, 50) ?? null,
      duration_p95: percentile(this.durations, 95) ?? null,
      last_error: this.lastFailure ? String(this.lastFailure.error ?? resultOf(this.lastFailure)) : null,
      last_error_at: this.lastFailure?.timestamp ?? null,
      last_success: this.lastSuccess?.timestamp ?? null,
      scheduled_since: this.oldestScheduled?.timestamp ?? null,
    };
  }
}
