import { addBatchTask } from '../batch/add.js';
import { readLastWorkBlocks, type DiaryBlock } from '../batch/diary-tail.js';
import { Diary } from '../batch/diary.js';
import { describeQueue, type BatchListItem } from '../batch/list.js';
import type { RunnerConfig, Settings } from '../config/config.js';
import { assertWorkspaceExists } from '../config/workspace.js';
import { discoverTasks, type TaskRegistry } from '../loader/discover.js';
import { scheduleState } from '../cron/task-schedule-state.js';
import type { Alert } from '../store/alerts.js';
import type { RunRecord } from '../store/run-log.js';
import {
  isHealthReport,
  type AckOutcome,
  type DashboardDataSource,
  type DashboardStores,
  type HealthView,
  type NewBatchEntry,
  type RunsPage,
  type RunsQuery,
  type SourceDescription,
  type SourceEvent,
  type TaskSummary,
  type TasksView,
} from './data-source.js';
import { watchFiles } from './file-watch.js';
import { RunsPageCollector } from './runs-page.js';
import { SUMMARY_MAX_LINES, SUMMARY_POINTS, SUMMARY_WINDOW, type TaskSummaries } from './task-summary.js';

/** Discovered tasks are looked for again after this long (a task file added meanwhile shows up). */
const DISCOVERY_TTL_MS = 30_000;

/**
 * The dashboard's data, the same code whichever stores hold it: the run history (the home's log
 * or the shared one), the alerts inbox and the batch queue through the stores' ports (the same
 * stores as `runner status`, `runner alerts` and `runner batch`), this home's tasks and this
 * workspace's diary. Nothing is kept in memory beyond a page or a summary.
 */
export class StoreDataSource implements DashboardDataSource {
  private registry: { at: number; value: Promise<TaskRegistry> } | undefined;
  private tasksInFlight: Promise<TasksView> | undefined;

  private readonly settings: Settings;
  private readonly stores: DashboardStores;
  constructor(
    settings: Settings,
    stores: DashboardStores,
  ) {
    this.settings = settings;
    this.stores = stores;
  }

  /** Close the connections to the server, if any (the dashboard's process otherwise keeps them until it exits). */
  close(): Promise<void> {
    return this.stores.close();
  }

  describe(): SourceDescription {
    return { mode: this.stores.mode, home: this.settings.home, workspace: this.settings.workspace };
  }

  tasks(): Promise<TasksView> {
    // Pages asking at once (several tabs, a burst of live records) share one read of the history.
    this.tasksInFlight ??= this.readTasks().finally(() => {
      this.tasksInFlight = undefined;
    });
    return this.tasksInFlight;
  }

  private async readTasks(): Promise<TasksView> {
    const registry = await this.discover();
    const summaries = await this.stores.history.summarise({
      known: new Set(registry.tasks.keys()),
      window: SUMMARY_WINDOW,
      points: SUMMARY_POINTS,
      maxLines: SUMMARY_MAX_LINES,
      timeZone: this.settings.config.timezone,
    });
    return tasksView(registry, summaries, this.settings.config);
  }

  async runs(query: RunsQuery): Promise<RunsPage> {
    const collector = new RunsPageCollector(query, this.settings.config.timezone);
    // Other tasks' records may be passed over: the task's own records bound where to stop.
    const task = query.task === undefined || query.sinceMs !== undefined ? undefined : query.task;
    const scan = await this.stores.history.scan((record) => collector.visit(record), { task });
    return { ...collector.page(), offset: query.offset, lines_read: scan.linesRead, skipped_lines: scan.skipped };
  }

  alerts(): Promise<Alert[]> {
    return this.stores.alerts.list();
  }

  async ackAlerts(ids: readonly string[] | 'all'): Promise<AckOutcome> {
    const wanted = ids === 'all' ? (await this.stores.alerts.list()).map((alert) => alert.id) : [...new Set(ids)];
    if (wanted.length === 0) return { acknowledged: [], missing: [] };
    const missing = await this.stores.alerts.ack(wanted);
    return { acknowledged: wanted.filter((id) => !missing.includes(id)), missing };
  }

  async batch(): Promise<BatchListItem[]> {
    if (this.stores.mode === 'files') this.workspace();
    return describeQueue(await this.stores.batch.read());
  }

  async addBatch(entry: NewBatchEntry): Promise<{ id: string; pending: number }> {
    const added = await addBatchTask({ ...entry, workspace: this.stores.mode === 'files' ? this.workspace() : this.settings.workspace, store: this.stores.batch });
    return { id: added.entry.id, pending: added.pending };
  }

  diary(limit: number): Promise<DiaryBlock[]> {
    return readLastWorkBlocks(Diary.fileOf(this.settings.workspace), limit);
  }

  async health(limit: number): Promise<HealthView> {
    const reports: RunRecord[] = [];
    await this.stores.history.scan(
      (record) => {
        if (isHealthReport(record)) reports.push(record);
        return reports.length < limit;
      },
      { task: 'system_health' },
    );
    return { reports };
  }

  async hasTask(name: string): Promise<boolean> {
    // A task file added since the last look is found by looking again.
    return (await this.discover()).tasks.has(name) || (await this.discover(true)).tasks.has(name);
  }

  async watch(listener: (event: SourceEvent) => void, signal: AbortSignal): Promise<void> {
    await this.stores.history.follow((record) => listener({ type: 'record', record }), signal);
    await this.stores.watchStores((what) => listener({ type: what }), signal);
    await watchFiles([Diary.fileOf(this.settings.workspace)], () => listener({ type: 'diary' }), signal);
  }

  private workspace(): string {
    assertWorkspaceExists(this.settings.workspace, this.settings.workspaceSource);
    return this.settings.workspace;
  }

  private discover(fresh = false): Promise<TaskRegistry> {
    const now = Date.now();
    if (fresh || !this.registry || now - this.registry.at > DISCOVERY_TTL_MS) {
      const value = discoverTasks({ home: this.settings.home });
      // A failed discovery is not kept: the next request tries again.
      value.catch(() => {
        if (this.registry?.value === value) this.registry = undefined;
      });
      this.registry = { at: now, value };
    }
    return this.registry.value;
  }
}

/**
 * The tasks panel's view: every discovered task with its summary and its schedule (as `runner
 * status` shows them, at `now`), plus tasks seen only in the history, which have no schedule.
 */
export function tasksView(registry: TaskRegistry, summaries: TaskSummaries, config: RunnerConfig, now: Date = new Date()): TasksView {
  const empty = { t: [], d: [], ok: [] };
  const tasks: TaskSummary[] = [...registry.tasks.values()].map((task) => {
    const summary = summaries.byTask.get(task.name);
    const status = summary?.status ?? null;
    return {
      name: task.name,
      description: task.description,
      source: task.builtin ? 'builtin' : 'user',
      status,
      recent: summary?.recent ?? empty,
      ...scheduleState(status, task, config, now),
    };
  });
  for (const [name, summary] of summaries.byTask) {
    if (!registry.tasks.has(name) && summary.status) tasks.push({ name, description: '', source: 'history', ...summary, ...scheduleState(summary.status, undefined, config, now) });
  }
  tasks.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    tasks,
    broken: registry.broken,
    window: SUMMARY_WINDOW,
    points: SUMMARY_POINTS,
    lines_read: summaries.linesRead,
    max_lines: SUMMARY_MAX_LINES,
    scan_complete: summaries.complete,
    skipped_lines: summaries.skipped,
  };
}
