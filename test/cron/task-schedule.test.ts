import { describe, expect, it } from 'vitest';
import type { RunnerConfig } from '../../src/config/runner-config.js';
import type { Task, TaskDefaults } from '../../src/core/task.js';
import { RunnerError } from '../../src/shared/errors.js';
import { localTimeZone } from '../../src/shared/cron-expression.js';
import { describeScheduleSource, taskSchedule } from '../../src/cron/task-schedule.js';
import MemoryCapture from '../../src/tasks/memory_capture.js';
import MemoryConsolidate from '../../src/tasks/memory_consolidate.js';
import SystemHealth from '../../src/tasks/system_health.js';
import Batch from '../../src/tasks/batch.js';

function taskWith(defaults?: unknown): Task {
  return { name: 'backup', description: '', defaults: defaults as TaskDefaults, run: async () => ({ success: true }) } as unknown as Task;
}

const FILE = '/srv/runner/tasks/backup.ts';
const of = (defaults: unknown, config: RunnerConfig = {}) => taskSchedule({ task: taskWith(defaults), file: FILE }, config);

describe('taskSchedule', () => {
  it("takes the task's own defaults.schedule and defaults.tz", () => {
    const schedule = of({ schedule: '0  4 * * *', tz: 'Asia/Tokyo' });
    expect(schedule).toMatchObject({ expression: '0 4 * * *', timeZone: 'Asia/Tokyo', source: 'task' });
    expect(schedule!.nextRun(new Date('2026-12-06T12:00:00Z'))).toEqual(new Date('2026-12-06T19:00:00Z'));
    expect(schedule!.runsAfter(new Date('2026-12-06T12:00:00Z'), 2)).toEqual([new Date('2026-12-06T19:00:00Z'), new Date('2026-12-07T19:00:00Z')]);
  });

  it('lets tasks.<name>.schedule in the config win, and false there turn the schedule off', () => {
    expect(of({ schedule: '0 4 * * *' }, { tasks: { backup: { schedule: '*/5 * * * *' } } })).toMatchObject({ expression: '*/5 * * * *', source: 'config' });
    expect(of({ schedule: '0 4 * * *' }, { tasks: { backup: { schedule: false } } })).toBeUndefined();
    expect(of(undefined, { tasks: { backup: { schedule: '@daily' } } })).toMatchObject({ expression: '@daily', source: 'config' });
    expect(of(undefined)).toBeUndefined();
    expect(of({ timeout: '5m' }, { tasks: { backup: { timeout: '1m' } } })).toBeUndefined();
  });

  it('reads the zone from tasks.<name>.tz, then the task (for its own expression only), then timezone, then the host', () => {
    const own = { schedule: '0 4 * * *', tz: 'Asia/Tokyo' };
    expect(of(own, { timezone: 'Europe/Berlin', tasks: { backup: { tz: 'America/New_York' } } })!.timeZone).toBe('America/New_York');
    expect(of(own, { timezone: 'Europe/Berlin' })!.timeZone).toBe('Asia/Tokyo');
    // The operator's expression is read in the operator's zone, not in one the task's author chose for theirs.
    expect(of(own, { timezone: 'Europe/Berlin', tasks: { backup: { schedule: '0 5 * * *' } } })!.timeZone).toBe('Europe/Berlin');
    expect(of({ schedule: '0 4 * * *' }, { timezone: 'Europe/Berlin' })!.timeZone).toBe('Europe/Berlin');
    expect(of({ schedule: '0 4 * * *' })!.timeZone).toBeUndefined();
  });

  it.each([
    [{ schedule: '0 4 * *' }, /^task "backup" of \/srv\/runner\/tasks\/backup\.ts: defaults\.schedule: "0 4 \* \*" has 4 fields; expected 5/],
    [{ schedule: '0 25 * * *' }, /defaults\.schedule: "0 25 \* \* \*" is not a valid cron expression/],
    [{ schedule: 15 }, /defaults\.schedule: expected a cron expression such as "0 \* \* \* \*", got a number/],
    [{ schedule: '0 4 * * *', tz: 'Mars/Olympus' }, /defaults\.tz: "Mars\/Olympus" is not a known IANA time zone/],
    [{ schedule: '0 4 * * *', tz: 1 }, /defaults\.tz: expected an IANA time zone such as "Europe\/Berlin", got a number/],
  ])('refuses the task default %j, naming the task and its file', (defaults, message) => {
    try {
      of(defaults);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RunnerError);
      expect((error as RunnerError).code).toBe('runner.taskLoad');
      expect((error as RunnerError).file).toBe(FILE);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('does not read a bad task default the config overrides', () => {
    expect(of({ schedule: 'never' }, { tasks: { backup: { schedule: '@hourly' } } })).toMatchObject({ expression: '@hourly' });
  });

  it('gives the built-in tasks their defaults: health every 15 minutes, capture hourly, consolidate weekly at night, batch none', () => {
    const builtin = (TaskClass: new () => Task) => taskSchedule({ task: new TaskClass() }, {});
    expect(builtin(SystemHealth)?.expression).toBe('*/15 * * * *');
    expect(builtin(MemoryCapture)?.expression).toBe('5 * * * *');
    expect(builtin(MemoryConsolidate)?.expression).toBe('30 3 * * 0');
    expect(builtin(Batch)).toBeUndefined();
  });

  it('says where a schedule is written', () => {
    expect(describeScheduleSource({ source: 'config' }, 'backup', { configFile: '/h/runner.config.json' })).toBe('tasks.backup.schedule in /h/runner.config.json');
    expect(describeScheduleSource({ source: 'task' }, 'backup', { taskFile: FILE })).toBe(`the task's defaults.schedule (${FILE})`);
  });

  it('has the host zone by name for a schedule in local time', () => {
    expect(localTimeZone()).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });
});
