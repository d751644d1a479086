import type { RunnerConfig } from '../config/runner-config.js';
import { findTasks, type TaskLookup } from '../loader/discover.js';
import { resolveRunPolicy } from '../core/run-policy.js';
import { isoInZone, parseTimestamp } from '../shared/time.js';
import type { TaskStatus } from '../history/task-status.js';
import { zoneOfSchedule } from '../shared/cron-expression.js';
import { isOverdue, overdueGraceMs } from './overdue.js';
import { taskSchedule, type ScheduledTaskRef, type ScheduleSource } from './task-schedule.js';

/**
 * One task's schedule and whether it is overdue, as `runner status --json`, the dashboard's tasks
 * panel and the heartbeat report it (keys added beside a {@link TaskStatus}'s).
 */
export interface TaskScheduleState {
  /** The task's schedule (see `taskSchedule`); null when it has none, or it could not be read (`schedule_error`). */
  schedule: {
    cron: string;
    /** The IANA zone it is read in: its own, else the host's local zone by name. */
    tz: string;
    source: ScheduleSource;
  } | null;
  /** The next scheduled time (ISO 8601, UTC); null without a schedule. */
  next_run: string | null;
  /** Two scheduled times and a grace have passed since `overdue_since` (see src/cron/overdue.ts). */
  overdue: boolean;
  /**
   * What `overdue` counts from, as the record wrote it: the start of the last success, or of the
   * first scheduled run after it (a task that was run by hand long ago and scheduled since counts
   * from its scheduling). Null for a task never started by a scheduler, which is never overdue.
   */
  overdue_since: string | null;
  /** Why the schedule could not be read: a task file that does not load, a bad `defaults.schedule`. */
  schedule_error?: string;
}

/** Nothing known about a schedule: the task is not found now (only its records are). */
const NO_SCHEDULE: TaskScheduleState = { schedule: null, next_run: null, overdue: false, overdue_since: null };

/**
 * The schedule state of a task from its status (its records, newest first; null when it has not
 * run), the task itself (undefined when it is not found now, and so has no schedule) and the
 * config, at `now`. Time stamps without an offset are read in the config's `timezone`, as
 * `runner status` reads them. Throws nothing: a schedule that cannot be read is `schedule_error`.
 */
export function scheduleState(status: TaskStatus | null, ref: ScheduledTaskRef | undefined, config: RunnerConfig, now: Date): TaskScheduleState {
  if (!ref) return NO_SCHEDULE;
  try {
    const schedule = taskSchedule(ref, config);
    if (!schedule) return NO_SCHEDULE;
    const since = overdueSince(status, config.timezone);
    const graceMs = overdueGraceMs(resolveRunPolicy(ref.task, config).timeoutMs);
    return {
      schedule: { cron: schedule.expression, tz: zoneOfSchedule(schedule), source: schedule.source },
      next_run: nextRunStamp(schedule.nextRun(now), schedule.timeZone),
      overdue: since !== undefined && isOverdue(schedule, since.ms, now.getTime(), graceMs),
      overdue_since: since?.timestamp ?? null,
    };
  } catch (error) {
    return { ...NO_SCHEDULE, schedule_error: error instanceof Error ? error.message : String(error) };
  }
}

/** The next run as every time the runner writes (ISO 8601 with offset), in the schedule's own zone. */
function nextRunStamp(next: Date | undefined, timeZone: string | undefined): string | null {
  return next === undefined ? null : isoInZone(next, timeZone);
}

/**
 * The schedule states of the tasks of a status report, by name: each task is looked up in the home
 * (its own file first, as a run does; one discovery for names without one), so a task that is gone
 * has no schedule, and one whose file does not load says why in `schedule_error`.
 */
export async function scheduleStates(statuses: readonly TaskStatus[], home: string, config: RunnerConfig, now: Date): Promise<Map<string, TaskScheduleState>> {
  const lookups = await findTasks(
    statuses.map((status) => status.task),
    { home },
  );
  return new Map(statuses.map((status) => [status.task, stateOf(status, lookups.get(status.task), config, now)]));
}

function stateOf(status: TaskStatus, lookup: TaskLookup | undefined, config: RunnerConfig, now: Date): TaskScheduleState {
  if (lookup && 'error' in lookup) return { ...NO_SCHEDULE, schedule_error: lookup.error };
  return scheduleState(status, lookup && 'found' in lookup ? lookup.found : undefined, config, now);
}

/**
 * When the task's overdue clock started: the later of its last success and its first scheduled
 * run (of those read, which go back to the last success). Undefined when no scheduler started it.
 */
function overdueSince(status: TaskStatus | null, timeZone: string | undefined): { timestamp: string; ms: number } | undefined {
  if (!status?.scheduled_since) return undefined;
  const scheduled = { timestamp: status.scheduled_since, ms: parseTimestamp(status.scheduled_since, timeZone) };
  const success = status.last_success === null ? undefined : { timestamp: status.last_success, ms: parseTimestamp(status.last_success, timeZone) };
  const latest = success && (scheduled.ms === undefined || (success.ms !== undefined && success.ms >= scheduled.ms)) ? success : scheduled;
  return latest.ms === undefined ? undefined : { timestamp: latest.timestamp, ms: latest.ms };
}
