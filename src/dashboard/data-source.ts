import type { BatchListItem } from '../batch/list.js';
import type { Priority } from '../batch/queue-file.js';
import type { DiaryBlock } from '../batch/diary-tail.js';
import type { TaskStatus } from '../history/task-status.js';
import type { TaskScheduleState } from '../cron/task-schedule-state.js';
import type { Alert } from '../store/alerts.js';
import type { AlertInbox } from '../store/ports.js';
import type { QueueStore } from '../batch/queue-store.js';
import type { SummaryOptions, TaskSummaries } from './task-summary.js';
import type { RunRecord } from '../store/run-log.js';

/**
 * Everything the dashboard reads or changes goes through one {@link DashboardDataSource}: the
 * server and its routes never open a file themselves. There is one implementation
 * (store-data-source.ts), over the store ports (alerts inbox, batch queue store) and a
 * {@link RunHistoryView} of the run history: the home's run log, or the shared history of the
 * queue's server (SPEC §10). open-data-source.ts chooses them from the settings.
 */
export interface DashboardDataSource {
  /** What the header says: where the data comes from. */
  describe(): SourceDescription;
  /** Every discovered task with its status and recent runs, plus tasks seen only in the history. */
  tasks(): Promise<TasksView>;
  /** The run history, newest first, one page of it. */
  runs(query: RunsQuery): Promise<RunsPage>;
  /** The pending alerts, oldest first. */
  alerts(): Promise<Alert[]>;
  /**
   * Acknowledge (remove) alerts through the same locked store as `runner alerts ack`, taking turns
   * with drains; `'all'` acknowledges every alert pending at that moment.
   */
  ackAlerts(ids: readonly string[] | 'all'): Promise<AckOutcome>;
  /** The batch queue as `runner batch list --json` shows it. */
  batch(): Promise<BatchListItem[]>;
  /** Add an entry to the batch queue, as `runner batch add` does. */
  addBatch(entry: NewBatchEntry): Promise<{ id: string; pending: number }>;
  /** The newest work blocks of the diary, newest first. */
  diary(limit: number): Promise<DiaryBlock[]>;
  /** The newest system_health reports, newest first. */
  health(limit: number): Promise<HealthView>;
  /** Whether a task of this name can be run here (is discovered). */
  hasTask(name: string): Promise<boolean>;
  /**
   * Call `listener` with every change until `signal` aborts: each new run record, and a nudge when
   * the alerts, the queue or the diary changed. Changes reach the listener within a second.
   * Resolves once watching: changes made after that are reported.
   */
  watch(listener: (event: SourceEvent) => void, signal: AbortSignal): Promise<void>;
}

export interface SourceDescription {
  mode: 'files' | 'distributed';
  home: string;
  workspace: string;
}

/** One task as the tasks panel shows it: its runs, and its schedule as `runner status` shows it. */
export interface TaskSummary extends TaskScheduleState {
  name: string;
  description: string;
  /** `builtin`, `user`, or `history` for a task seen in the log but not discovered now. */
  source: 'builtin' | 'user' | 'history';
  /** As `runner status` reports it; null when the scanned part of the log has no run of it. */
  status: TaskStatus | null;
  /** Its newest runs, oldest first: start (ms since the epoch), duration (s, or null) and outcome. */
  recent: { t: number[]; d: (number | null)[]; ok: boolean[] };
}

export interface TasksView {
  tasks: TaskSummary[];
  /** Task files that could not be loaded. */
  broken: { file: string; reason: string }[];
  /** Runs per task the status covers (as `runner status --runs`). */
  window: number;
  /** Points per task in `recent`. */
  points: number;
  lines_read: number;
  /** Lines of the log read at most (newest first); older runs are not summarised. */
  max_lines: number;
  /** False when the scan stopped before the oldest record (every task's window was full, or `max_lines`). */
  scan_complete: boolean;
  skipped_lines: number;
}

export interface RunsQuery {
  task?: string;
  failed?: boolean;
  /** Only runs that started at or after this (ms). */
  sinceMs?: number;
  /** Only runs that started before this (ms). */
  untilMs?: number;
  /** Matching records to pass over, newest first (the pages before this one). */
  offset: number;
  limit: number;
}

export interface RunsPage {
  /** Newest first. */
  records: RunRecord[];
  offset: number;
  /** True when older matching records may follow. */
  more: boolean;
  lines_read: number;
  skipped_lines: number;
}

export interface AckOutcome {
  acknowledged: string[];
  /** Ids that were not pending (any more): already acknowledged or drained. */
  missing: string[];
}

/** What the page may add to the batch queue. `command` entries (shell code) are CLI-only. */
export interface NewBatchEntry {
  task: string;
  result?: string;
  insight?: string;
  next_step?: string;
  priority?: Priority;
  depends_on?: string[];
  run?: string;
  max_attempts?: number;
}

export interface HealthView {
  /** Newest first; each is a system_health run record (its `status`, `message` and `checks`), see {@link isHealthReport}. */
  reports: RunRecord[];
}

/**
 * Whether a record is a report of the health panel: a real run of system_health. A dry run (the
 * operator trying it) and a `locked` start (a run that found another running, and checked nothing)
 * say nothing about the machine's health over time.
 */
export function isHealthReport(record: RunRecord): boolean {
  return record.task === 'system_health' && record.dry_run !== true && record.locked !== true;
}

export type SourceEvent =
  | { type: 'record'; record: RunRecord }
  | { type: 'alerts' }
  | { type: 'batch' }
  | { type: 'diary' };

/** How many records a scan of the history read, for a page's footer. */
export interface HistoryScan {
  linesRead: number;
  /** Lines that were not a record (the run log only). */
  skipped: number;
}

/**
 * The run history as the dashboard reads it, newest first: the home's logs/tasks.jsonl (with its
 * rotated files, passing over other tasks' lines unparsed) or the queue server's shared history.
 */
export interface RunHistoryView {
  /** Every task's status and recent runs (see task-summary.ts). */
  summarise(options: SummaryOptions): Promise<TaskSummaries>;
  /**
   * Visit records newest first until `visit` returns false. `task`: only that task's records are
   * wanted (others may be passed over unread).
   */
  scan(visit: (record: RunRecord) => boolean | void, options?: { task?: string }): Promise<HistoryScan>;
  /** Report each record added from now on until `signal` aborts; resolves once watching. */
  follow(onRecord: (record: RunRecord) => void, signal: AbortSignal): Promise<void>;
}

/** What the one data source works over. */
export interface DashboardStores {
  mode: SourceDescription['mode'];
  history: RunHistoryView;
  alerts: AlertInbox;
  batch: QueueStore;
  /** Report changes of the alerts and the batch queue until `signal` aborts; resolves once watching. */
  watchStores(onChange: (what: 'alerts' | 'batch') => void, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}
