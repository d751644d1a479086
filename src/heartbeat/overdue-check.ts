import type { Settings } from '../config/config.js';
import { parseTimestamp } from '../shared/time.js';
import { readStatus, readStatusFrom, type RecordSource } from '../history/status-report.js';
import { formatRunTime } from '../shared/cron-expression.js';
import { scheduleStates } from '../cron/task-schedule-state.js';
import { runLogPath } from '../store/run-log.js';

/** A task the heartbeat finds overdue (`runner heartbeat --json`'s `overdue` holds the newly reported ones). */
export interface OverdueTask {
  task: string;
  /** The start of its last success, as recorded; null when it has not succeeded since a scheduler first ran it. */
  last_success: string | null;
  /** What the overdue clock counts from: `last_success`, or the first scheduled run after it. */
  since: string;
  /** The schedule it missed and the zone that is read in. */
  schedule: string;
  tz: string;
}

/** What the heartbeat learnt about overdue tasks. */
export interface OverdueCheck {
  /** Every task overdue now, by name. */
  overdue: OverdueTask[];
  /** Scheduled tasks whose schedule could not be read: neither overdue nor known not to be. */
  unjudged: string[];
  /** For the message's `Heartbeat problem:` lines: what kept the check from seeing everything. */
  problems: string[];
}

/**
 * Which tasks are overdue now, from the run history `runner status` reads (the home's
 * `logs/tasks.jsonl`, or the shared history with `queue.url` set: `history`), judged as status
 * judges them (src/cron/task-schedule-state.ts). Only tasks a scheduler has started are looked up.
 * Never throws: a history that cannot be read, or a task whose schedule cannot, is a problem to
 * report, so the alerts still reach the agent.
 */
export async function checkOverdue(settings: Settings, history: RecordSource | undefined, now: Date): Promise<OverdueCheck> {
  const check: OverdueCheck = { overdue: [], unjudged: [], problems: [] };
  try {
    const report = history ? await readStatusFrom(history) : await readStatus(runLogPath(settings.home));
    const scheduled = report.tasks.filter((status) => status.scheduled_since !== null);
    const states = await scheduleStates(scheduled, settings.home, settings.config, now);
    for (const status of scheduled) {
      const state = states.get(status.task)!;
      if (state.schedule_error !== undefined) {
        check.unjudged.push(status.task);
        check.problems.push(`cannot tell whether ${status.task} is overdue: ${state.schedule_error}`);
      } else if (state.overdue && state.schedule && state.overdue_since !== null) {
        const { cron, tz } = state.schedule;
        check.overdue.push({ task: status.task, last_success: status.last_success, since: state.overdue_since, schedule: cron, tz });
      }
    }
  } catch (error) {
    check.problems.push(`cannot read the run history to find overdue tasks: ${error instanceof Error ? error.message : String(error)}`);
  }
  return check;
}

/**
 * The message's line for a task found overdue: `OVERDUE: system_health has not succeeded since Sun
 * 2026-12-06 08:00 Europe/Berlin (schedule *\/15 * * * *)`, the time in the schedule's zone; for a
 * task with no success since it was scheduled, `…has not succeeded since it was scheduled (first
 * scheduled run Sun 2026-12-06 08:00 Europe/Berlin; schedule …)`.
 */
export function overdueLine(task: OverdueTask, timeZone: string | undefined): string {
  const ms = parseTimestamp(task.since, timeZone);
  const when = ms === undefined ? task.since : formatRunTime(new Date(ms), task.tz);
  const since = task.last_success === task.since ? `since ${when} (schedule` : `since it was scheduled (first scheduled run ${when}; schedule`;
  return `OVERDUE: ${task.task} has not succeeded ${since} ${task.schedule})`;
}
