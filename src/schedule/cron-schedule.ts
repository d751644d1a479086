import { Cron } from 'croner';
import { RunnerError } from '../errors.js';

/** A validated schedule: the expression as given, its time zone, and when it fires next. */
export interface CronSchedule {
  expression: string;
  /** IANA zone the expression is read in; undefined for the machine's local time. */
  timeZone: string | undefined;
  /** The next runs after `from`, at most `count` of them. */
  nextRuns: Date[];
}

// What both crontab(5) and OpenClaw's `--cron` accept besides five fields. `@reboot` is left out:
// it is not a time, and OpenClaw has no such schedule.
const MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/**
 * Check a cron expression the way both targets read it and compute its next runs in `timeZone`.
 * croner does the parsing; five fields are required because crontab has no seconds or years field
 * (croner would accept six or seven). Errors are `runner.invalidArgument` naming `--cron` or `--tz`.
 */
export function parseCronSchedule(expression: string, timeZone?: string, options: { count?: number; from?: Date } = {}): CronSchedule {
  const trimmed = expression.trim().replace(/\s+/g, ' ');
  if (timeZone !== undefined) assertTimeZone(timeZone);
  assertFiveFields(trimmed);
  let cron: Cron;
  try {
    cron = new Cron(trimmed, { timezone: timeZone, paused: true });
  } catch (error) {
    throw invalid('--cron', `${JSON.stringify(expression)} is not a valid cron expression: ${messageOf(error)}`);
  }
  const nextRuns = cron.nextRuns(options.count ?? 3, options.from ?? new Date());
  if (nextRuns.length === 0) throw invalid('--cron', `${JSON.stringify(expression)} never runs (no such date)`);
  return { expression: trimmed, timeZone, nextRuns };
}

function assertFiveFields(expression: string): void {
  if (expression.startsWith('@')) {
    if (!MACROS.has(expression.toLowerCase())) {
      throw invalid('--cron', `${JSON.stringify(expression)}: expected one of ${[...MACROS].join(', ')} or five fields`);
    }
    return;
  }
  const fields = expression.split(' ').length;
  if (fields !== 5) {
    throw invalid('--cron', `${JSON.stringify(expression)} has ${fields} field${fields === 1 ? '' : 's'}; expected 5: minute hour day-of-month month day-of-week`);
  }
}

// Intl knows the same IANA zones as the time-zone database croner converts with.
function assertTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw invalid('--tz', `${JSON.stringify(timeZone)} is not a known IANA time zone (e.g. Europe/Berlin, UTC)`);
  }
}

/** A run time as the operator reads it: `2026-11-24 09:00 Europe/Berlin` (or local time). */
export function formatRunTime(date: Date, timeZone: string | undefined): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', weekday: 'short', hourCycle: 'h23',
  }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('weekday')} ${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')} ${timeZone ?? localTimeZone()}`;
}

/**
 * The IANA zone a schedule's next runs are computed and printed in: its own, else the host's as
 * this process sees it (`$TZ`, else /etc/localtime), which is what croner uses without a zone.
 */
export function zoneOfSchedule(schedule: Pick<CronSchedule, 'timeZone'>): string {
  return schedule.timeZone ?? localTimeZone();
}

function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function invalid(flag: string, message: string): RunnerError {
  return new RunnerError('runner.invalidArgument', `${flag}: ${message}`);
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/^CronPattern:\s*/, '');
}
