import { readLastWorkBlocks, type DiaryBlock } from '../batch/diary-tail.js';
import { Diary } from '../batch/diary.js';
import { addBatchTask } from '../batch/add.js';
import { describeQueue, type BatchListItem } from '../batch/list.js';
import type { QueueStore } from '../batch/queue-store.js';
import type { Settings } from '../config/config.js';
import { discoverTasks, type TaskRegistry } from '../core/discover.js';
import type { Stores } from '../compose/stores.js';
import type { RunHistory } from '../store/ports.js';
import type { Alert } from '../store/alerts.js';
import type { RunRecord } from '../store/run-log.js';
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
  type TasksView,
} from './data-source.js';
import { tasksView } from './file-source.js';
import { RunsPageCollector } from './runs-page.js';
import { watchFiles } from './file-watch.js';
import { SUMMARY_MAX_LINES, SUMMARY_POINTS, SUMMARY_WINDOW, summariseRecords } from './task-summary.js';

const DISCOVERY_TTL_MS = 30_000;
/** How often the shared stores are looked at for changes (they have no file to watch). */
const POLL_MS = 1_000;
/** Records one poll reports at most (a burst beyond it is seen on the next page load). */
const POLL_MAX_RECORDS = 1_000;
/** Records a runs page reads at most, newest first. */
const RUNS_MAX_RECORDS = 200_000;

/**
 * The dashboard's data with a queue configured: the run history and the alerts inbox shared by
 * every host (Redis or PostgreSQL, through the same stores as `runner status` and `runner alerts`),
 * this home's tasks and this workspace's diary, and the shared batch queue (the same store as
 * `runner batch list` / `batch add`, which refuses `command` entries).
 */
export class SharedDataSource implements DashboardDataSource {
  private registry: { at: number; value: Promise<TaskRegistry> } | undefined;

  constructor(
    private readonly settings: Settings,
    private readonly stores: Stores & { history: RunHistory },
    private readonly batchQueue: QueueStore,
  ) {}

  /** Close the connections to the server (the dashboard's process otherwise keeps them until it exits). */
  async close(): Promise<void> {
    await Promise.all([this.stores.close(), this.batchQueue.close()]);
  }

  describe(): SourceDescription {
    return { mode: 'distributed', home: this.settings.home, workspace: this.settings.workspace };
  }

  async tasks(): Promise<TasksView> {
    const registry = await this.discover();
    const summaries = await summariseRecords(this.stores.history, {
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
    let read = 0;
    await this.stores.history.scanNewestFirst(
      (record) => {
        read += 1;
        return collector.visit(record);
      },
      { maxRecords: RUNS_MAX_RECORDS },
    );
    return { ...collector.page(), offset: query.offset, lines_read: read, skipped_lines: 0 };
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
    return describeQueue(await this.batchQueue.read());
  }

  async addBatch(entry: NewBatchEntry): Promise<{ id: string; pending: number }> {
    const added = await addBatchTask({ ...entry, workspace: this.settings.workspace, store: this.batchQueue });
    return { id: added.entry.id, pending: added.pending };
  }

  diary(limit: number): Promise<DiaryBlock[]> {
    return readLastWorkBlocks(Diary.fileOf(this.settings.workspace), limit);
  }

  async health(limit: number): Promise<HealthView> {
    const reports: RunRecord[] = [];
    await this.stores.history.scanNewestFirst(
      (record) => {
        if (isHealthReport(record)) reports.push(record);
        return reports.length < limit;
      },
      { maxRecords: RUNS_MAX_RECORDS },
    );
    return { reports };
  }

  async hasTask(name: string): Promise<boolean> {
    return (await this.discover()).tasks.has(name) || (await this.discover(true)).tasks.has(name);
  }

  async watch(listener: (event: SourceEvent) => void, signal: AbortSignal): Promise<void> {
    // The stores are polled: the newest record seen is the mark, and what came after it is reported.
    let mark = await this.newest();
    let alertIds = await this.alertIds();
    let queue = await this.queueText();
    let polling = false;
    const poll = async () => {
      if (polling || signal.aborted) return;
      polling = true;
      try {
        const fresh: RunRecord[] = [];
        await this.stores.history.scanNewestFirst(
          (record) => {
            if (mark !== undefined && JSON.stringify(record) === mark) return false;
            fresh.push(record);
          },
          { maxRecords: POLL_MAX_RECORDS },
        );
        if (fresh.length > 0) mark = JSON.stringify(fresh[0]);
        for (const record of fresh.reverse()) listener({ type: 'record', record });
        const ids = await this.alertIds();
        if (ids !== alertIds) {
          alertIds = ids;
          listener({ type: 'alerts' });
        }
        const queueNow = await this.queueText();
        if (queueNow !== queue) {
          queue = queueNow;
          listener({ type: 'batch' });
        }
      } catch {
        // A server restarting: the next poll tries again.
      } finally {
        polling = false;
      }
    };
    const timer = setInterval(() => void poll(), POLL_MS);
    signal.addEventListener('abort', () => clearInterval(timer), { once: true });
    await watchFiles([Diary.fileOf(this.settings.workspace)], () => listener({ type: 'diary' }), signal);
  }

  private async newest(): Promise<string | undefined> {
    let newest: string | undefined;
    await this.stores.history.scanNewestFirst((record) => {
      newest = JSON.stringify(record);
      return false;
    });
    return newest;
  }

  private async queueText(): Promise<string> {
    return JSON.stringify(await this.batchQueue.read());
  }

  private async alertIds(): Promise<string> {
    return (await this.stores.alerts.list()).map((alert) => alert.id).join(',');
  }

  private discover(fresh = false): Promise<TaskRegistry> {
    const now = Date.now();
    if (fresh || !this.registry || now - this.registry.at > DISCOVERY_TTL_MS) {
      const value = discoverTasks({ home: this.settings.home });
      value.catch(() => {
        if (this.registry?.value === value) this.registry = undefined;
      });
      this.registry = { at: now, value };
    }
    return this.registry.value;
  }
}

