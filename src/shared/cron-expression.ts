import { Cron } from 'croner';
import { RunnerError } from './errors.js';

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
  const zoneProblem = timeZone === undefined ? undefined : timeZoneProblem(timeZone);
  if (zoneProblem) throw invalid('--tz', zoneProblem);
  const checked = checkCronExpression(expression, timeZone);
  if ('problem' in checked) throw invalid('--cron', checked.problem);
  const nextRuns = checked.cron.nextRuns(options.count ?? 3, options.from ?? new Date());
  return { expression: checked.expression, timeZone, nextRuns };
}

/**
 * Why `expression` is not a schedule both targets read alike (five fields or a macro, valid for
 * croner, with a next run), as a sentence quoting it; undefined when it is one. The one rule of
 * `--cron`, `tasks.<name>.schedule` and a task's `defaults.schedule`.
 */
export function cronExpressionProblem(expression: string): string | undefined {
  const checked = checkCronExpression(expression, undefined);
  return 'problem' in checked ? checked.problem : undefined;
}

/** Why `timeZone` is not an IANA zone this runtime knows, as a sentence; undefined when it is one. */
export function timeZoneProblem(timeZone: string): string | undefined {
  // Intl knows the same IANA zones as the time-zone database croner converts with.
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return undefined;
  } catch {
    return `${JSON.stringify(timeZone)} is not a known IANA time zone (e.g. Europe/Berlin, UTC)`;
  }
}

/**
 * A croner job (paused: it only computes times) for a valid expression in `timeZone`, and the
 * expression with its spaces normalised; or why the expression is not valid.
 */
export function checkCronExpression(expression: string, timeZone: string | undefined): { cron: Cron; expression: string } | { problem: string } {
  const trimmed = expression.trim().replace(/\s+/g, ' ');
  const shape = fieldsProblem(trimmed);
  if (shape) return { problem: shape };
  let cron: Cron;
  try {
    cron = new Cron(trimmed, { timezone: timeZone, paused: true });
  } catch (error) {
    return { problem: `${JSON.stringify(expression)} is not a valid cron expression: ${messageOf(error)}` };
  }
  if (cron.nextRun() === null) return { problem: `${JSON.stringify(expression)} never runs (no such date)` };
  return { cron, expression: trimmed };
}

function fieldsProblem(expression: string): string | undefined {
  if (expression.startsWith('@')) {
    return MACROS.has(expression.toLowerCase()) ? undefined : `${JSON.stringify(expression)}: expected one of ${[...MACROS].join(', ')} or five fields`;
  }
  const fields = expression.split(' ').length;
  if (fields !== 5) {
    return `${JSON.stringify(expression)} has ${fields} field${fields === 1 ? '' : 's'}; expected 5: minute hour day-of-month month day-of-week`;
  }
  return undefined;
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

/** The host's local IANA zone as this process sees it (`$TZ`, else /etc/localtime). */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function invalid(flag: string, message: string): RunnerError {
  return new RunnerError('runner.invalidArgument', `${flag}: ${message}`);
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/^CronPattern:\s*/, '');
}
