import { parseTimestamp } from '../shared/time.js';
import type { LogFileSet } from './log-files.js';
import { scanNewestFirst, type HistoryEntry, type ScanResult } from './scan.js';

/** Which records `runner logs` wants. */
export interface LogFilter {
  /** Only this task's records. */
  task?: string;
  /** Only runs that did not succeed (locked starts included: their record says `success: false`). */
  failed?: boolean;
  /** Only runs that started at or after this time (ms since the epoch). */
  sinceMs?: number;
  /** Zone of timestamps written without an offset (old logs); default local time. */
  timeZone?: string;
}

/** Whether a record passes the filter. */
export function matchesFilter(entry: HistoryEntry, filter: LogFilter): boolean {
  const { record } = entry;
  if (filter.task !== undefined && record.task !== filter.task) return false;
  if (filter.failed && record.success === true) return false;
  if (filter.sinceMs !== undefined) {
    const started = parseTimestamp(record.timestamp, filter.timeZone);
    if (started === undefined || started < filter.sinceMs) return false;
  }
  return true;
}

/**
 * Records are appended when a run ends, so the file is in order of end time, not of `timestamp`
 * (the start): a long run started before `since` may come after runs that started later. A record
 * that ended this long before `since` means every older line did too, give or take clock jitter
 * between processes.
 */
const SINCE_SLACK_MS = 60_000;

/** The matching records, oldest first, and what the scan read. */
export interface LogQueryResult {
  entries: HistoryEntry[];
  scan: ScanResult;
}

/**
 * The newest `limit` records that match `filter`, oldest first. The scan stops as soon as it has
 * `limit` of them or, with `sinceMs`, at the first record that ended well before that time, so
 * `logs` reads the end of the log only.
 */
export async function queryLog(files: LogFileSet, filter: LogFilter, limit: number): Promise<LogQueryResult> {
  const entries: HistoryEntry[] = [];
  const scan = await scanNewestFirst(
    files,
    (entry) => {
      if (filter.sinceMs !== undefined && endedBefore(entry, filter.sinceMs - SINCE_SLACK_MS, filter.timeZone)) return false;
      if (matchesFilter(entry, filter)) entries.push(entry);
      return entries.length < limit;
    },
    // Other tasks' lines are passed over unparsed, unless `since` needs their times to know when to stop.
    { wantsTask: filter.task === undefined || filter.sinceMs !== undefined ? undefined : (task) => task === filter.task },
  );
  return { entries: entries.reverse(), scan };
}

function endedBefore({ record }: HistoryEntry, limitMs: number, timeZone: string | undefined): boolean {
  const started = parseTimestamp(record.timestamp, timeZone);
  if (started === undefined) return false;
  const seconds = typeof record.duration_seconds === 'number' && record.duration_seconds > 0 ? record.duration_seconds : 0;
  return started + seconds * 1000 < limitMs;
}
