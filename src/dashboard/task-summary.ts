import { parseTimestamp } from '../core/time.js';
import { scanHistory } from '../history/scan.js';
import { TaskStatusBuilder, type TaskStatus } from '../history/task-status.js';
import type { RunRecord } from '../store/run-log.js';

/** Runs per task the status covers, as `runner status` by default. */
export const SUMMARY_WINDOW = 20;
/** Runs per task the tasks panel charts. */
export const SUMMARY_POINTS = 60;
/**
 * Lines of the run log the tasks panel reads at most, newest first. With every task's window and
 * chart full the scan stops sooner; a task whose last run is older than this many lines shows as
 * "no run in the newest 200000 lines".
 */
export const SUMMARY_MAX_LINES = 200_000;

/** One task's status and recent points, fed newest first. */
class TaskSeries {
  readonly status: TaskStatusBuilder;
  private readonly points: { t: number; d: number | null; ok: boolean }[] = [];

  constructor(task: string, window: number, private readonly size: number) {
    this.status = new TaskStatusBuilder(task, window);
  }

  get full(): boolean {
    return this.status.full && this.points.length >= this.size;
  }

  add(record: RunRecord, timeZone: string | undefined): void {
    this.status.add(record);
    if (record.dry_run === true || record.locked === true || this.points.length >= this.size) return;
    const t = parseTimestamp(record.timestamp, timeZone);
    if (t === undefined) return;
    const d = typeof record.duration_seconds === 'number' && Number.isFinite(record.duration_seconds) ? record.duration_seconds : null;
    this.points.push({ t, d, ok: record.success === true });
  }

  /** Oldest first, as a chart wants them. */
  recent(): { t: number[]; d: (number | null)[]; ok: boolean[] } {
    const points = [...this.points].reverse();
    return { t: points.map((p) => p.t), d: points.map((p) => p.d), ok: points.map((p) => p.ok) };
  }
}

export interface TaskSummaries {
  byTask: Map<string, { status: TaskStatus | null; recent: ReturnType<TaskSeries['recent']> }>;
  linesRead: number;
  skipped: number;
  complete: boolean;
}

export interface SummaryOptions {
  /** Tasks expected (discovered): once each of them is full the scan stops. */
  known: ReadonlySet<string>;
  window?: number;
  points?: number;
  maxLines?: number;
  timeZone?: string;
}

/**
 * Every task's status (as `runner status` computes it, through the same builder) and its newest
 * runs for a chart, from the end of the run log. Memory is bounded by tasks × points; the scan
 * passes over full tasks' lines unparsed and stops once every known task is full, or after
 * `maxLines`.
 */
export async function summariseTasks(logFile: string, options: SummaryOptions): Promise<TaskSummaries> {
  const window = options.window ?? SUMMARY_WINDOW;
  const size = options.points ?? SUMMARY_POINTS;
  const series = new Map<string, TaskSeries>();
  let knownFull = 0;
  const result = await scanHistory(
    logFile,
    ({ record }) => {
      let entry = series.get(record.task);
      if (!entry) series.set(record.task, (entry = new TaskSeries(record.task, window, size)));
      const wasFull = entry.full;
      entry.add(record, options.timeZone);
      if (!wasFull && entry.full && options.known.has(record.task)) knownFull += 1;
      // Every known task is full: older lines cannot change what is shown.
      return !(options.known.size > 0 && knownFull >= options.known.size);
    },
    { wantsTask: (task) => !series.get(task)?.full, maxLines: options.maxLines ?? SUMMARY_MAX_LINES },
  );
  const byTask = new Map<string, { status: TaskStatus | null; recent: ReturnType<TaskSeries['recent']> }>();
  for (const [task, entry] of series) byTask.set(task, { status: entry.status.build() ?? null, recent: entry.recent() });
  return { byTask, linesRead: result.linesRead, skipped: result.skipped, complete: result.complete };
}
