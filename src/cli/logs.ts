import type { Command } from 'commander';
import { escapeControl } from '../batch/printable.js';
import { parseDuration } from '../shared/duration.js';
import type { Settings } from '../config/config.js';
import { findTask } from '../loader/discover.js';
import { parseTimestamp } from '../shared/time.js';
import { RunnerError } from '../shared/errors.js';
import { followLog } from '../history/follow.js';
import { LogFileSet, type OpenLogFile } from '../history/log-files.js';
import { matchesFilter, queryLog, type LogFilter } from '../history/log-query.js';
import { parseRecord, resultOf } from '../history/record.js';
import type { HistoryEntry } from '../history/scan.js';
import { runLogPath } from '../store/run-log.js';
import { globalOptionsOf, settingsOf, taskLookupOf } from './global-options.js';
import { addGlobalOptions } from '../core/task-args.js';
import { paint } from './output.js';
import { abortOnSignals } from './signals.js';
import { positiveInteger } from './status.js';

interface LogsOptions {
  task?: string;
  failed?: boolean;
  since?: string;
  limit: string;
  follow?: boolean;
}

const DEFAULT_LIMIT = 20;

/** Register `runner logs [--task T] [--failed] [--since DUR] [--limit N] [--follow] [--json]`. */
export function registerLogsCommand(program: Command): void {
  addGlobalOptions(program.command('logs'))
    .description('recent run records, oldest first; --follow prints new ones as they are written')
    .option('--task <name>', "only this task's runs")
    .option('--failed', 'only runs that did not succeed')
    .option('--since <duration>', 'only runs started this long ago or later (30s, 2h, 2d), or since an ISO timestamp')
    .option('--limit <n>', 'print at most the newest N records', String(DEFAULT_LIMIT))
    .option('-f, --follow', 'keep printing records as they are appended, across rotations, until SIGINT/SIGTERM')
    .action(async (options: LogsOptions, command: Command) => {
      const globals = globalOptionsOf(command);
      const settings = settingsOf(globals);
      const filter: LogFilter = {
        task: options.task,
        failed: options.failed,
        sinceMs: options.since === undefined ? undefined : sinceMs(options.since, settings.config.timezone),
        timeZone: settings.config.timezone,
      };
      const limit = positiveInteger(options.limit, '--limit');
      const logFile = runLogPath(settings.home);
      const noneMatched = (files: LogFileSet) => explainNoRuns(options.task!, filter, files, logFile, settings, Boolean(globals.json));
      await showLogs(logFile, filter, limit, Boolean(options.follow), Boolean(globals.json), options.task === undefined ? undefined : noneMatched);
    });
}

/**
 * `--task` matched no record: say so rather than print nothing. A name that is no task (no task
 * file, not built in) and has no runs in the log is an error, with suggestions, so a typo is not
 * mistaken for a quiet task; a task that has not run (or whose runs the other filters leave out)
 * gets a line saying that (on stderr with `--json`, whose stdout stays records only).
 */
async function explainNoRuns(task: string, filter: LogFilter, files: LogFileSet, logFile: string, settings: Settings, json: boolean): Promise<void> {
  const narrowed = filter.failed === true || filter.sinceMs !== undefined;
  try {
    await findTask(task, taskLookupOf(settings));
  } catch (error) {
    if (!(error instanceof RunnerError && error.code === 'runner.unknownTask')) throw error;
    // A task whose file is gone is still known by its runs.
    const hasRuns = narrowed && (await queryLog(files, { task, timeZone: filter.timeZone }, 1)).entries.length > 0;
    if (!hasRuns) throw new RunnerError('runner.unknownTask', `--task: ${error.message} ${logFile} has no runs of it either.`, { cause: error });
  }
  const which = narrowed ? `no runs of ${task} match ${[filter.failed ? '--failed' : '', filter.sinceMs === undefined ? '' : '--since'].filter(Boolean).join(' and ')}` : `no runs of ${task}`;
  (json ? process.stderr : process.stdout).write(`${which} in ${logFile}\n`);
}

async function showLogs(logFile: string, filter: LogFilter, limit: number, follow: boolean, json: boolean, noneMatched?: (files: LogFileSet) => Promise<void>): Promise<void> {
  const print = (entry: HistoryEntry) => process.stdout.write(`${json ? entry.line : humanLine(entry)}\n`);
  // A follower takes SIGINT/SIGTERM from before its first line: whoever sees that line may stop it.
  const cancellation = follow ? abortOnSignals() : undefined;
  const files = await LogFileSet.open(logFile);
  let skipped = 0;
  try {
    const { entries, scan } = await queryLog(files, filter, limit);
    entries.forEach(print);
    skipped += scan.skipped;
    if (entries.length === 0) await noneMatched?.(files);
    if (cancellation) {
      const live = files.takeLive(logFile);
      await files.close();
      skipped += await followMatching(logFile, live, filter, print, cancellation);
    }
  } finally {
    cancellation?.dispose();
    await files.close();
    if (skipped > 0) process.stderr.write(`${paint(`${skipped} unparseable line(s) skipped`, 'dim', process.stderr)}\n`);
  }
}

/** Follow the log until SIGINT/SIGTERM; returns the number of unparseable lines seen. */
async function followMatching(
  logFile: string,
  from: OpenLogFile | undefined,
  filter: LogFilter,
  print: (entry: HistoryEntry) => void,
  cancellation: ReturnType<typeof abortOnSignals>,
): Promise<number> {
  // A reader that went away (`| head`) ends the follow; there is no one left to print for.
  const onStdoutError = () => process.exit(0);
  process.stdout.on('error', onStdoutError);
  let skipped = 0;
  try {
    await followLog(
      logFile,
      (line) => {
        if (line?.trim() === '') return;
        const record = line === undefined ? undefined : parseRecord(line);
        if (line === undefined || !record) {
          skipped += 1;
          return;
        }
        const entry = { record, line, file: logFile };
        if (matchesFilter(entry, filter)) print(entry);
      },
      { from, signal: cancellation.signal },
    );
  } finally {
    process.stdout.off('error', onStdoutError);
  }
  // Stopped by a signal: exit as the rest of the CLI does (130 for SIGINT, 143 for SIGTERM), quietly.
  const reason: unknown = cancellation.signal.reason;
  process.exitCode = reason instanceof RunnerError ? reason.exitCode : 1;
  return skipped;
}

/** `--since`: a duration back from now (a bare number is seconds) or an ISO 8601 timestamp. */
function sinceMs(value: string, timeZone: string | undefined): number {
  if (/^\d{4}-\d{2}-\d{2}/.test(value.trim())) {
    const at = parseTimestamp(value, timeZone);
    if (at === undefined) throw new RunnerError('runner.invalidArgument', `--since: invalid timestamp ${JSON.stringify(value)}`);
    return at;
  }
  try {
    return Date.now() - parseDuration(value, '--since');
  } catch (error) {
    // The duration parser stops at a timer's limit; further back is a date away.
    throw new RunnerError('runner.invalidArgument', `${(error as Error).message}; for longer, give a date: --since 2026-01-31`, { cause: error });
  }
}

const TASK_WIDTH = 18;

// One run per line: start time as written (the writer's own zone), task, ✓/✗, duration, and the
// message or the error. Record text is anyone's: control characters are shown, not sent raw.
function humanLine({ record }: HistoryEntry): string {
  const time = record.timestamp.replace('T', ' ').slice(0, 19);
  const ok = record.success === true;
  const mark = ok ? paint('✓', 'green') : paint('✗', 'red');
  const duration = typeof record.duration_seconds === 'number' ? `${record.duration_seconds}s` : '-';
  const result = resultOf(record);
  const detail = ok ? text(record.message) : `${result === 'failed' ? '' : `${result}: `}${text(record.error)}`;
  const dry = record.dry_run === true ? paint(' [dry run]', 'dim') : '';
  return `${time}  ${record.task.padEnd(TASK_WIDTH)}  ${mark}  ${duration.padStart(8)}  ${escapeControl(detail)}${dry}`;
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return (typeof value === 'string' ? value : JSON.stringify(value)).replace(/\s+/g, ' ').trim();
}
