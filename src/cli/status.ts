import type { Command } from 'commander';
import { escapeControl } from '../batch/printable.js';
import { parseTimestamp } from '../shared/time.js';
import { RunnerError } from '../shared/errors.js';
import { formatAgo, formatIn } from '../history/relative-time.js';
import type { RunResult } from '../history/record.js';
import { DEFAULT_STATUS_MAX_LINES, DEFAULT_STATUS_WINDOW, readStatus, readStatusFrom, type StatusReport } from '../history/status-report.js';
import type { TaskStatus } from '../history/task-status.js';
import { localTimeZone } from '../shared/cron-expression.js';
import { scheduleStates, type TaskScheduleState } from '../cron/task-schedule-state.js';
import { runLogPath } from '../store/run-log.js';
import { globalOptionsOf, settingsOf } from './global-options.js';
import { addGlobalOptions } from '../core/task-args.js';
import { withStores } from '../compose/stores.js';
import { paint, printJson, printTable } from './output.js';

interface StatusOptions {
  runs: string;
  maxLines: string;
}

/** Register `runner status [--json] [--runs N] [--max-lines N]`. */
export function registerStatusCommand(program: Command): void {
  addGlobalOptions(program.command('status'))
    .description('per task: last run, result, success rate and durations over the last runs')
    .option('--runs <n>', 'runs per task the rates and durations cover', String(DEFAULT_STATUS_WINDOW))
    .option('--max-lines <n>', 'read at most this many lines of the log, newest first', String(DEFAULT_STATUS_MAX_LINES))
    .action(async (options: StatusOptions, command: Command) => {
      const globals = globalOptionsOf(command);
      const settings = settingsOf(globals);
      const statusOptions = {
        window: positiveInteger(options.runs, '--runs'),
        maxLines: positiveInteger(options.maxLines, '--max-lines'),
      };
      // With a queue configured, every host's runs from the shared history; else this home's log.
      const { report, source } = await withStores(settings, async ({ history, historyAt }) => ({
        report: history ? await readStatusFrom(history, statusOptions) : await readStatus(runLogPath(settings.home), statusOptions),
        source: history ? historyAt : runLogPath(settings.home),
      }));
      const now = new Date();
      const schedules = await scheduleStates(report.tasks, settings.home, settings.config, now);
      const tasks = report.tasks.map((status) => ({ ...status, ...schedules.get(status.task)! }));
      if (globals.json) printJson({ ...report, tasks });
      else printStatus({ ...report, tasks }, source, settings.config.timezone, now.getTime());
    });
}

/** A row of `runner status`: the task's runs, then its schedule. */
type StatusRow = TaskStatus & TaskScheduleState;

/** A whole number above zero from a flag, or an error naming the flag. */
export function positiveInteger(value: string, flag: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n <= 0) {
    throw new RunnerError('runner.invalidArgument', `${flag}: expected a whole number above zero, got ${JSON.stringify(value)}`);
  }
  return n;
}

const RESULT_COLOR: Record<RunResult, 'green' | 'red' | 'yellow'> = {
  ok: 'green',
  failed: 'red',
  locked: 'yellow',
  'timed out': 'red',
  cancelled: 'yellow',
};

// On a terminal a long error would wrap every row; piped output keeps it whole for grep.
const TTY_ERROR_WIDTH = 60;

function printStatus(report: Omit<StatusReport, 'tasks'> & { tasks: StatusRow[] }, logFile: string, timeZone: string | undefined, now: number): void {
  if (report.tasks.length === 0) {
    process.stdout.write(`no runs recorded in ${logFile}\n`);
  } else {
    printTable(
      ['TASK', 'LAST RUN', 'RESULT', 'SUCCESS', 'P50', 'P95', 'SCHEDULE', 'NEXT RUN', 'LAST ERROR'],
      report.tasks.map((status) => row(status, now, timeZone)),
    );
  }
  for (const note of footer(report)) process.stdout.write(`${paint(note, 'dim')}\n`);
}

function row(status: StatusRow, now: number, timeZone: string | undefined): string[] {
  const at = parseTimestamp(status.last_run, timeZone);
  return [
    status.task,
    at === undefined ? status.last_run : formatAgo(at, now),
    paint(status.last_result, RESULT_COLOR[status.last_result]),
    status.success_rate === null ? '-' : `${Math.round(status.success_rate * 100)}% of ${status.runs}`,
    seconds(status.duration_p50),
    seconds(status.duration_p95),
    scheduleCell(status),
    nextRunCell(status, now),
    truncate(oneLine(status.last_error ?? ''), process.stdout.isTTY ? TTY_ERROR_WIDTH : Infinity),
  ];
}

// The zone is named only when it is not this host's, which the operator reads times in anyway.
function scheduleCell(state: TaskScheduleState): string {
  if (state.schedule_error !== undefined) return paint('unreadable', 'red');
  if (!state.schedule) return '-';
  const { cron, tz } = state.schedule;
  return tz === localTimeZone() ? cron : `${cron} ${tz}`;
}

function nextRunCell(state: TaskScheduleState, now: number): string {
  const next = state.next_run === null ? '-' : formatIn(Date.parse(state.next_run), now);
  return state.overdue ? `${paint('overdue', 'red')} (next ${next})` : next;
}

function footer(report: Omit<StatusReport, 'tasks'> & { tasks: StatusRow[] }): string[] {
  const notes: string[] = [];
  for (const status of report.tasks) {
    if (status.schedule_error !== undefined) notes.push(`${status.task}: schedule unreadable: ${oneLine(status.schedule_error)}`);
  }
  if (!report.scan_complete) {
    const back = report.oldest_read ? ` (back to ${report.oldest_read})` : '';
    notes.push(`read the newest ${report.lines_read} lines of the log${back}; tasks that have not run since are not shown (--max-lines)`);
  }
  if (report.skipped_lines > 0) notes.push(`${report.skipped_lines} unparseable line(s) skipped`);
  return notes;
}

function seconds(value: number | null): string {
  return value === null ? '-' : `${value}s`;
}

// An error is anyone's text: one line, with control characters shown, never sent to the terminal raw.
function oneLine(text: string): string {
  return escapeControl(text.replace(/\s+/g, ' ').trim());
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
