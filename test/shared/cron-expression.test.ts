import { describe, expect, it } from 'vitest';
import { RunnerError } from '../../src/shared/errors.js';
import { formatRunTime, parseCronSchedule } from '../../src/shared/cron-expression.js';

const FROM = new Date('2026-03-28T12:00:00Z');

describe('parseCronSchedule', () => {
  it('gives the next three runs in the time zone, across a DST change', () => {
    const schedule = parseCronSchedule('30  2 * * *', 'Europe/Berlin', { from: FROM });
    expect(schedule.expression).toBe('30 2 * * *');
    // 2026-03-29 02:30 does not exist in Berlin (clocks jump from 02:00 to 03:00): the run falls
    // on the end of the gap, as cronie runs a skipped job right after the change.
    expect(schedule.nextRuns.map((date) => formatRunTime(date, 'Europe/Berlin'))).toEqual([
      'Sun 2026-03-29 03:00 Europe/Berlin',
      'Mon 2026-03-30 02:30 Europe/Berlin',
      'Tue 2026-03-31 02:30 Europe/Berlin',
    ]);
  });

  it('accepts the macros crontab and OpenClaw share', () => {
    expect(parseCronSchedule('@hourly', 'UTC', { from: FROM }).nextRuns[0]?.toISOString()).toBe('2026-03-28T13:00:00.000Z');
  });

  it.each([
    ['61 * * * *', /--cron: "61 \* \* \* \*" is not a valid cron expression: .*minute/],
    ['* * * * * *', /--cron: .* has 6 fields; expected 5/],
    ['* * *', /--cron: .* has 3 fields; expected 5/],
    ['@reboot', /--cron: "@reboot": expected one of @yearly/],
    ['0 0 31 2 *', /--cron: "0 0 31 2 \*" never runs/],
  ])('refuses %s with an error naming --cron', (expression, message) => {
    expect(() => parseCronSchedule(expression, undefined, { from: FROM })).toThrow(message);
  });

  it('refuses an unknown time zone naming --tz', () => {
    const error = (() => {
      try {
        parseCronSchedule('* * * * *', 'Mars/Olympus');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(RunnerError);
    expect(error).toMatchObject({ code: 'runner.invalidArgument', message: expect.stringMatching(/^--tz: "Mars\/Olympus"/) });
  });
});
