import { describe, expect, it } from 'vitest';
import type { RunnerConfig } from '../../src/config/runner-config.js';
import type { Task } from '../../src/core/task.js';
import type { TaskStatus } from '../../src/history/task-status.js';
import { isOverdue, MIN_OVERDUE_GRACE_MS, overdueAfter, overdueGraceMs } from '../../src/cron/overdue.js';
import { scheduleState } from '../../src/cron/task-schedule-state.js';
import { taskSchedule, type ResolvedSchedule } from '../../src/cron/task-schedule.js';

const MINUTE = 60_000;
const GRACE = MIN_OVERDUE_GRACE_MS;

/** A schedule as the config gives it to task `t`. */
function schedule(expression: string, tz?: string): ResolvedSchedule {
  const task = { name: 't', description: '', run: async () => ({ success: true }) } as unknown as Task;
  return taskSchedule({ task }, { tasks: { t: { schedule: expression, ...(tz ? { tz } : {}) } } })!;
}

const ms = (iso: string) => Date.parse(iso);

describe('the overdue rule', () => {
  it('every minute: overdue only once two minutes and the grace have passed since the last success', () => {
    const everyMinute = schedule('* * * * *', 'UTC');
    const since = ms('2026-12-06T10:00:00.300Z');
    // The scheduled times after it are 10:01 and 10:02; the grace runs from the second.
    expect(overdueAfter(everyMinute, since, GRACE)).toBe(ms('2026-12-06T10:12:00Z'));
    expect(isOverdue(everyMinute, since, ms('2026-12-06T10:11:59Z'), GRACE)).toBe(false);
    expect(isOverdue(everyMinute, since, ms('2026-12-06T10:12:00Z'), GRACE)).toBe(false);
    expect(isOverdue(everyMinute, since, ms('2026-12-06T10:12:01Z'), GRACE)).toBe(true);
  });

  it('one missed time is not overdue: a skipped or failed run happens', () => {
    const quarterly = schedule('*/15 * * * *', 'UTC');
    const since = ms('2026-12-06T08:00:01Z');
    expect(isOverdue(quarterly, since, ms('2026-12-06T08:29:00Z'), GRACE)).toBe(false);
    expect(isOverdue(quarterly, since, ms('2026-12-06T08:39:00Z'), GRACE)).toBe(false);
    expect(isOverdue(quarterly, since, ms('2026-12-06T08:41:00Z'), GRACE)).toBe(true);
  });

  it('weekly: two missed weeks, not two missed days', () => {
    const weekly = schedule('30 3 * * 0', 'UTC');
    const since = ms('2026-12-06T03:30:04Z');
    expect(isOverdue(weekly, since, ms('2026-12-13T09:00:00Z'), GRACE)).toBe(false);
    expect(overdueAfter(weekly, since, GRACE)).toBe(ms('2026-12-20T03:40:00Z'));
    expect(isOverdue(weekly, since, ms('2026-12-20T03:40:01Z'), GRACE)).toBe(true);
  });

  it('counts scheduled times as cron reads them in the schedule\'s zone across a DST change', () => {
    // Berlin springs forward on 2026-03-29: 02:30 does not exist, the run falls on 03:00 CEST
    // (01:00 UTC), and the next at 02:30 CEST (00:30 UTC): 47 hours, not 48.
    const nightly = schedule('30 2 * * *', 'Europe/Berlin');
    const since = ms('2026-03-28T01:30:02Z');
    expect(overdueAfter(nightly, since, GRACE)).toBe(ms('2026-03-30T00:40:00Z'));
    expect(isOverdue(nightly, since, ms('2026-03-30T00:39:59Z'), GRACE)).toBe(false);
    expect(isOverdue(nightly, since, ms('2026-03-30T00:40:01Z'), GRACE)).toBe(true);
    // Falling back on 2026-10-25, the hour 02:00-03:00 comes twice; hourly stays hourly.
    const hourly = schedule('0 * * * *', 'Europe/Berlin');
    expect(overdueAfter(hourly, ms('2026-10-25T00:00:01Z'), GRACE)).toBe(ms('2026-10-25T02:10:00Z'));
  });

  it('never for a task with no time to count from (never scheduled)', () => {
    expect(isOverdue(schedule('* * * * *', 'UTC'), undefined, ms('2030-01-01T00:00:00Z'), GRACE)).toBe(false);
  });

  it('not for a last success in the future (a clock ahead): judged once its scheduled times pass', () => {
    const quarterly = schedule('*/15 * * * *', 'UTC');
    const now = ms('2026-12-06T08:00:00Z');
    expect(isOverdue(quarterly, now + 86_400_000, now, GRACE)).toBe(false);
    expect(isOverdue(quarterly, now + 86_400_000, now + 86_400_000 + 41 * MINUTE, GRACE)).toBe(true);
  });

  it('the grace is the run timeout when that is longer than ten minutes', () => {
    expect(overdueGraceMs(undefined)).toBe(GRACE);
    expect(overdueGraceMs(60_000)).toBe(GRACE);
    expect(overdueGraceMs(45 * MINUTE)).toBe(45 * MINUTE);
    const quarterly = schedule('*/15 * * * *', 'UTC');
    expect(isOverdue(quarterly, ms('2026-12-06T08:00:01Z'), ms('2026-12-06T09:00:00Z'), overdueGraceMs(45 * MINUTE))).toBe(false);
  });
});

describe('scheduleState', () => {
  const now = new Date('2026-12-06T12:00:00Z');
  const config: RunnerConfig = { tasks: { t: { schedule: '*/15 * * * *', tz: 'UTC' } } };
  const task = { name: 't', description: '', run: async () => ({ success: true }) } as unknown as Task;
  const status = (overrides: Partial<TaskStatus>): TaskStatus => ({
    task: 't', last_run: '2026-12-06T11:59:00Z', last_result: 'failed', runs: 1, successes: 0, success_rate: 0,
    duration_p50: 1, duration_p95: 1, last_error: 'x', last_error_at: '2026-12-06T11:59:00Z', last_success: null, scheduled_since: null,
    ...overrides,
  });

  it('a task never started by a scheduler is never overdue, however old its last success', () => {
    const state = scheduleState(status({ last_success: '2026-01-01T00:00:00Z' }), { task }, config, now);
    expect(state).toEqual({
      schedule: { cron: '*/15 * * * *', tz: 'UTC', source: 'config' }, next_run: '2026-12-06T12:15:00.000+00:00', overdue: false, overdue_since: null,
    });
  });

  it('counts from the last success, or from the first scheduled run when there is none since', () => {
    const ok = scheduleState(status({ last_success: '2026-12-06T11:30:00Z', scheduled_since: '2026-12-06T09:00:00Z' }), { task }, config, now);
    expect(ok).toMatchObject({ overdue: false, overdue_since: '2026-12-06T11:30:00Z' });
    const late = scheduleState(status({ last_success: '2026-12-06T11:00:00Z', scheduled_since: '2026-12-06T09:00:00Z' }), { task }, config, now);
    expect(late).toMatchObject({ overdue: true, overdue_since: '2026-12-06T11:00:00Z' });
    // Never succeeded: from its first scheduled run.
    const never = scheduleState(status({ scheduled_since: '2026-12-06T11:00:00Z' }), { task }, config, now);
    expect(never).toMatchObject({ overdue: true, overdue_since: '2026-12-06T11:00:00Z' });
    const fresh = scheduleState(status({ scheduled_since: '2026-12-06T11:50:00Z' }), { task }, config, now);
    expect(fresh).toMatchObject({ overdue: false, overdue_since: '2026-12-06T11:50:00Z' });
    // Run by hand long ago, scheduled only since a few minutes: judged from its scheduling.
    const newlyScheduled = scheduleState(status({ last_success: '2026-01-01T00:00:00Z', scheduled_since: '2026-12-06T11:50:00Z' }), { task }, config, now);
    expect(newlyScheduled).toMatchObject({ overdue: false, overdue_since: '2026-12-06T11:50:00Z' });
  });

  it('a task without a schedule, or not found now, is never overdue; an unreadable schedule says why', () => {
    const scheduled = status({ scheduled_since: '2026-01-01T00:00:00Z' });
    expect(scheduleState(scheduled, { task }, { tasks: { t: { schedule: false } } }, now)).toEqual({ schedule: null, next_run: null, overdue: false, overdue_since: null });
    expect(scheduleState(scheduled, undefined, config, now)).toMatchObject({ schedule: null, overdue: false });
    const broken = { name: 't', description: '', defaults: { schedule: 'often' }, run: async () => ({ success: true }) } as unknown as Task;
    const state = scheduleState(scheduled, { task: broken, file: '/h/tasks/t.ts' }, {}, now);
    expect(state).toMatchObject({ schedule: null, overdue: false });
    expect(state.schedule_error).toMatch(/^task "t" of \/h\/tasks\/t\.ts: defaults\.schedule: "often" has 1 field; expected 5/);
  });
});
