import { parseTimestamp } from '../shared/time.js';
import { scanHistory } from '../history/scan.js';
import type { RecordSource } from '../history/status-report.js';
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

  private readonly size: number;
  constructor(task: string, window: number, size: number) {
    this.size = size;
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
  const summary = new SummaryCollector(options);
  const result = await scanHistory(logFile, ({ record }) => summary.add(record), {
    wantsTask: (task) => summary.wants(task),
    maxLines: summary.maxLines,
  });
  return summary.result(result);
}

/**
 * {@link summariseTasks} over a source of records, newest first (the shared run history of the
 * distributed backend): `maxLines` bounds the records read, and nothing is skipped.
 */
export async function summariseRecords(source: RecordSource, options: SummaryOptions): Promise<TaskSummaries> {
  const summary = new SummaryCollector(options);
  let read = 0;
  let stopped = false;
  await source.scanNewestFirst(
    (record) => {
      read += 1;
      if (!summary.wants(record.task)) return true;
      stopped = !summary.add(record);
      return !stopped;
    },
    { maxRecords: summary.maxLines },
  );
  return summary.result({ linesRead: read, skipped: 0, complete: !stopped && read < summary.maxLines });
}

/** The per-task series of one summary, fed newest first, whatever the source. */
class SummaryCollector {
  readonly maxLines: number;
  private readonly window: number;
  private readonly size: number;
  private readonly series = new Map<string, TaskSeries>();
  private knownFull = 0;

  private readonly options: SummaryOptions;
  constructor(options: SummaryOptions) {
    this.options = options;
    this.window = options.window ?? SUMMARY_WINDOW;
    this.size = options.points ?? SUMMARY_POINTS;
    this.maxLines = options.maxLines ?? SUMMARY_MAX_LINES;
  }

  wants(task: string): boolean {
    return !this.series.get(task)?.full;
  }

  /** Add the next older record; false once every known task is full (older ones change nothing). */
  add(record: RunRecord): boolean {
    let entry = this.series.get(record.task);
    if (!entry) this.series.set(record.task, (entry = new TaskSeries(record.task, this.window, this.size)));
    const wasFull = entry.full;
    entry.add(record, this.options.timeZone);
    if (!wasFull && entry.full && this.options.known.has(record.task)) this.knownFull += 1;
    return !(this.options.known.size > 0 && this.knownFull >= this.options.known.size);
  }

  result(scan: { linesRead: number; skipped: number; complete: boolean }): TaskSummaries {
    const byTask = new Map<string, { status: TaskStatus | null; recent: ReturnType<TaskSeries['recent']> }>();
    for (const [task, entry] of this.series) byTask.set(task, { status: entry.status.build() ?? null, recent: entry.recent() });
    return { byTask, linesRead: scan.linesRead, skipped: scan.skipped, complete: scan.complete };
  }
}
