import type { RunRecord } from '../store/run-log.js';
import { scanHistory } from './scan.js';
import { TaskStatusBuilder, type TaskStatus } from './task-status.js';

/** Runs per task that `status` summarises unless told otherwise. */
export const DEFAULT_STATUS_WINDOW = 20;
/** Lines of the run log `status` reads at most unless told otherwise. */
export const DEFAULT_STATUS_MAX_LINES = 1_000_000;

/** Options of {@link readStatus}. */
export interface StatusOptions {
  /** The newest runs per task that the rates and durations cover (default {@link DEFAULT_STATUS_WINDOW}). */
  window?: number;
  /** Stop after reading this many lines, newest first (default {@link DEFAULT_STATUS_MAX_LINES}). */
  maxLines?: number;
}

/** Every task's status, and how much of the log it was drawn from. */
export interface StatusReport {
  /** By task name. */
  tasks: TaskStatus[];
  window: number;
  lines_read: number;
  /** Lines that were not records (among those parsed; see `scanNewestFirst`). */
  skipped_lines: number;
  /** False when the scan stopped at `max_lines` before the oldest record: older tasks may be missing. */
  scan_complete: boolean;
  max_lines: number;
  /** Timestamp of the oldest record parsed (lines of tasks already complete are not), or null. */
  oldest_read: string | null;
}

/**
 * Summarise the run log per task, reading newest first. Every line is needed to find tasks that
 * ran only long ago, but once a task's window is full its lines are passed over unparsed, so the
 * cost of the rest of the scan is finding line ends, not parsing JSON. `maxLines` bounds the worst
 * case; when it cuts the scan, `scan_complete` is false and `oldest_read` says how far back it got.
 */
export async function readStatus(logFile: string, options: StatusOptions = {}): Promise<StatusReport> {
  const collector = new StatusCollector(options);
  const result = await scanHistory(logFile, ({ record }) => collector.add(record), {
    wantsTask: (task) => collector.wants(task),
    maxLines: collector.maxLines,
  });
  return collector.report({ linesRead: result.linesRead, skipped: result.skipped, complete: result.complete });
}

/** Newest first, as the shared run history of the distributed backend gives its records. */
export interface RecordSource {
  scanNewestFirst(visit: (record: RunRecord) => boolean | void, options?: { maxRecords?: number }): Promise<void>;
}

/**
 * {@link readStatus} over a source of records rather than a log file: the shared run history of
 * the distributed backend (every host's runs). `maxLines` bounds the records read; `lines_read` is
 * the records read, and nothing is ever skipped (the source holds records, not lines).
 */
export async function readStatusFrom(source: RecordSource, options: StatusOptions = {}): Promise<StatusReport> {
  const collector = new StatusCollector(options);
  let read = 0;
  await source.scanNewestFirst(
    (record) => {
      read += 1;
      if (collector.wants(record.task)) collector.add(record);
    },
    { maxRecords: collector.maxLines },
  );
  return collector.report({ linesRead: read, skipped: 0, complete: read < collector.maxLines });
}

/** The per-task builders of one status report, fed newest first, whatever the source. */
class StatusCollector {
  readonly window: number;
  readonly maxLines: number;
  private readonly builders = new Map<string, TaskStatusBuilder>();
  private oldestRead: string | null = null;

  constructor(options: StatusOptions) {
    this.window = options.window ?? DEFAULT_STATUS_WINDOW;
    this.maxLines = options.maxLines ?? DEFAULT_STATUS_MAX_LINES;
  }

  /** Whether records of this task can still change its status (its window is not full). */
  wants(task: string): boolean {
    return !this.builders.get(task)?.full;
  }

  add(record: RunRecord): true {
    let builder = this.builders.get(record.task);
    if (!builder) this.builders.set(record.task, (builder = new TaskStatusBuilder(record.task, this.window)));
    builder.add(record);
    this.oldestRead = record.timestamp;
    return true;
  }

  report(scan: { linesRead: number; skipped: number; complete: boolean }): StatusReport {
    const tasks = [...this.builders.values()]
      .map((builder) => builder.build())
      .filter((status): status is TaskStatus => status !== undefined)
      .sort((a, b) => (a.task < b.task ? -1 : a.task > b.task ? 1 : 0));
    return {
      tasks,
      window: this.window,
      lines_read: scan.linesRead,
      skipped_lines: scan.skipped,
      scan_complete: scan.complete,
      max_lines: this.maxLines,
      oldest_read: this.oldestRead,
    };
  }
}
