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
  const window = options.window ?? DEFAULT_STATUS_WINDOW;
  const maxLines = options.maxLines ?? DEFAULT_STATUS_MAX_LINES;
  const builders = new Map<string, TaskStatusBuilder>();
  let oldestRead: string | null = null;
  const result = await scanHistory(
    logFile,
    ({ record }) => {
      let builder = builders.get(record.task);
      if (!builder) builders.set(record.task, (builder = new TaskStatusBuilder(record.task, window)));
      builder.add(record);
      oldestRead = record.timestamp;
      return true;
    },
    { wantsTask: (task) => !builders.get(task)?.full, maxLines },
  );
  const tasks = [...builders.values()]
    .map((builder) => builder.build())
    .filter((status): status is TaskStatus => status !== undefined)
    .sort((a, b) => (a.task < b.task ? -1 : a.task > b.task ? 1 : 0));
  return {
    tasks,
    window,
    lines_read: result.linesRead,
    skipped_lines: result.skipped,
    scan_complete: result.complete,
    max_lines: maxLines,
    oldest_read: oldestRead,
  };
}
