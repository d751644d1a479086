import type { ResolvedSchedule } from './task-schedule.js';

/**
 * When a scheduled task is overdue: the rule, pure (no clock, no files), for `runner status`, the
 * dashboard and the heartbeat alike.
 *
 * A task is overdue when at least two of its scheduled times have passed since it last succeeded
 * and a grace period after the second one is over too. One missed time is not enough: a run
 * skipped because the previous one was still going (`--skip-if-running`), a host rebooting
 * across a tick, a run failing once and then succeeding are all normal. Two in a row are not.
 * The grace covers the run that started at the second time and has not written its record yet (a
 * record is written when a run ends, stamped with its start), so it is at least the task's run
 * timeout; and cron's own lateness, so at least {@link MIN_OVERDUE_GRACE_MS}.
 *
 * The scheduled times are the schedule's own (croner, in the schedule's zone), so an interval that
 * a DST change makes 23 or 25 hours long, or a time that a spring-forward skips, counts as cron
 * reads it, not as a fixed number of hours.
 */

/** The least grace after the second missed time: cron starts late on a busy host, a run takes a while. */
export const MIN_OVERDUE_GRACE_MS = 10 * 60_000;

/** The grace for a task whose run may last `runTimeoutMs` (its resolved timeout; undefined for none). */
export function overdueGraceMs(runTimeoutMs: number | undefined): number {
  return Math.max(MIN_OVERDUE_GRACE_MS, runTimeoutMs ?? 0);
}

/**
 * The instant (ms since the epoch) after which a task on `schedule` whose last success started at
 * `sinceMs` is overdue: its second scheduled time after `sinceMs`, plus `graceMs`. Undefined when
 * the schedule has no two times left (a date that never comes again).
 */
export function overdueAfter(schedule: Pick<ResolvedSchedule, 'runsAfter'>, sinceMs: number, graceMs: number): number | undefined {
  const [, second] = schedule.runsAfter(new Date(sinceMs), 2);
  return second === undefined ? undefined : second.getTime() + graceMs;
}

/**
 * Whether a task on `schedule` is overdue at `nowMs`, counting from `sinceMs`: the start of its
 * last success, or, for a task that has not succeeded since a scheduler first ran it, the start of
 * that first scheduled run. `sinceMs` undefined (never scheduled, or no time to count from) is
 * never overdue. A `sinceMs` after `nowMs` (a host whose clock is ahead wrote the record) is not
 * overdue either: its scheduled times lie ahead too, so the task is judged once they have passed.
 */
export function isOverdue(schedule: Pick<ResolvedSchedule, 'runsAfter'>, sinceMs: number | undefined, nowMs: number, graceMs: number): boolean {
  if (sinceMs === undefined || !Number.isFinite(sinceMs)) return false;
  const after = overdueAfter(schedule, sinceMs, graceMs);
  return after !== undefined && nowMs > after;
}
