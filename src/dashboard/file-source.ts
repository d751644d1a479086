import { addBatchTask } from '../batch/add.js';
import { readLastWorkBlocks, type DiaryBlock } from '../batch/diary-tail.js';
import { Diary } from '../batch/diary.js';
import { describeQueue, type BatchListItem } from '../batch/list.js';
import { queueFileOf, readQueue } from '../batch/queue-file.js';
import type { RunnerConfig, Settings } from '../config/config.js';
import { assertWorkspaceExists } from '../config/workspace.js';
import { discoverTasks, type TaskRegistry } from '../core/discover.js';
import { followLog } from '../history/follow.js';
import { LogFileSet } from '../history/log-files.js';
import { parseRecord } from '../history/record.js';
import { scheduleState } from '../cron/task-schedule-state.js';
import { scanNewestFirst } from '../history/scan.js';
import { AlertStore, type Alert } from '../store/alerts.js';
import { runLogPath, type RunRecord } from '../store/run-log.js';
import {
  isHealthReport,
  type AckOutcome,
  type DashboardDataSource,
  type HealthView,
  type NewBatchEntry,
  type RunsPage,
  type RunsQuery,
  type SourceDescription,
  type SourceEvent,
  type TaskSummary,
  type TasksView,
} from './data-source.js';
import { RunsPageCollector } from './runs-page.js';
import { watchFiles } from './file-watch.js';
import { SUMMARY_MAX_LINES, SUMMARY_POINTS, SUMMARY_WINDOW, summariseTasks, type TaskSummaries } from './task-summary.js';

/** Discovered tasks are looked for again after this long (a task file added meanwhile shows up). */
const DISCOVERY_TTL_MS = 30_000;

/**
 * The dashboard's data from the files of one machine: the run log of the home (read from its end,
 * as `runner status` and `runner logs` do), the alerts inbox (through {@link AlertStore}, under its
 * locks), and the workspace's batch queue and diary (through the batch modules `runner batch`
 * uses). Nothing is kept in memory beyond a page or a summary.
 */
export class FileDataSource implements DashboardDataSource {
  private readonly logFile: string;
  private readonly alertStore: AlertStore;
  private registry: { at: number; value: Promise<TaskRegistry> } | undefined;
  private tasksInFlight: Promise<TasksView> | undefined;

  constructor(private readonly settings: Settings) {
    this.logFile = runLogPath(settings.home);
    this.alertStore = AlertStore.forHome(settings.home);
  }

  describe(): SourceDescription {
    return { mode: 'files', home: this.settings.home, workspace: this.settings.workspace };
  }

  tasks(): Promise<TasksView> {
    // Pages asking at once (several tabs, a burst of live records) share one read of the log.
    this.tasksInFlight ??= this.readTasks().finally(() => {
      this.tasksInFlight = undefined;
    });
    return this.tasksInFlight;
  }

  private async readTasks(): Promise<TasksView> {
    const registry = await this.discover();
    const summaries = await summariseTasks(this.logFile, {
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
    const files = await LogFileSet.open(this.logFile);
    try {
      const scan = await scanNewestFirst(files, (entry) => collector.visit(entry.record), {
        // Other tasks' lines are passed over unparsed: the task's own records bound where to stop.
        wantsTask: query.task === undefined || query.sinceMs !== undefined ? undefined : (task) => task === query.task,
      });
      return { ...collector.page(), offset: query.offset, lines_read: scan.linesRead, skipped_lines: scan.skipped };
    } finally {
      await files.close();
    }
  }

  alerts(): Promise<Alert[]> {
    return this.alertStore.list();
  }

  async ackAlerts(ids: readonly string[] | 'all'): Promise<AckOutcome> {
    const wanted = ids === 'all' ? (await this.alertStore.list()).map((alert) => alert.id) : [...new Set(ids)];
    if (wanted.length === 0) return { acknowledged: [], missing: [] };
    const missing = await this.alertStore.ack(wanted);
    return { acknowledged: wanted.filter((id) => !missing.includes(id)), missing };
  }

  async batch(): Promise<BatchListItem[]> {
    return describeQueue(await readQueue(queueFileOf(this.workspace())));
  }

  async addBatch(entry: NewBatchEntry): Promise<{ id: string; pending: number }> {
    const added = await addBatchTask({ ...entry, workspace: this.workspace() });
    return { id: added.entry.id, pending: added.pending };
  }

  diary(limit: number): Promise<DiaryBlock[]> {
    return readLastWorkBlocks(Diary.fileOf(this.settings.workspace), limit);
  }

  async health(limit: number): Promise<HealthView> {
    const files = await LogFileSet.open(this.logFile);
    try {
      const reports: RunRecord[] = [];
      await scanNewestFirst(
        files,
        ({ record }) => {
          if (isHealthReport(record)) reports.push(record);
          return reports.length < limit;
        },
        { wantsTask: (task) => task === 'system_health' },
      );
      return { reports };
    } finally {
      await files.close();
    }
  }

  async hasTask(name: string): Promise<boolean> {
    // A task file added since the last look is found by looking again.
    return (await this.discover()).tasks.has(name) || (await this.discover(true)).tasks.has(name);
  }

  async watch(listener: (event: SourceEvent) => void, signal: AbortSignal): Promise<void> {
    // The log is followed from its end as it is now: every record appended from here on is reported.
    const files = await LogFileSet.open(this.logFile);
    const live = files.takeLive(this.logFile);
    await files.close();
    const onLine = (line: string | undefined) => {
      const record = line === undefined ? undefined : parseRecord(line);
      if (record) listener({ type: 'record', record });
    };
    // A log that cannot be read is shown as such by the pages that read it; live records stop.
    followLog(this.logFile, onLine, { from: live, signal }).catch(() => undefined);
    const alertsFile = this.alertStore.file;
    const queueFile = queueFileOf(this.settings.workspace);
    await watchFiles(
      [alertsFile, queueFile, Diary.fileOf(this.settings.workspace)],
      (file) => listener({ type: file === alertsFile ? 'alerts' : file === queueFile ? 'batch' : 'diary' }),
      signal,
    );
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
