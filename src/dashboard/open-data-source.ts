import { fileQueueStore } from '../batch/queue-store.js';
import { queueFileOf } from '../batch/queue-file.js';
import { openStores } from '../compose/stores.js';
import type { Settings } from '../config/config.js';
import { queueConfigured } from '../config/queue.js';
import { RunnerError } from '../shared/errors.js';
import { runLogPath } from '../store/run-log.js';
import type { DashboardDataSource, DashboardStores } from './data-source.js';
import { watchFiles } from './file-watch.js';
import { LogHistoryView } from './log-history-view.js';
import { poll, SharedHistoryView } from './shared-history-view.js';
import { StoreDataSource } from './store-data-source.js';

/**
 * The dashboard's data source for these settings: the one {@link StoreDataSource} over the stores
 * the composition step chooses (src/compose/stores.ts): the files of the home and workspace, or,
 * with `queue.url` configured, the shared stores of the queue's server (fails with
 * `queue.unreachable` within seconds).
 */
export async function createDataSource(settings: Settings): Promise<DashboardDataSource & { close(): Promise<void> }> {
  const stores = await openStores(settings);
  try {
    return new StoreDataSource(settings, queueConfigured(settings) ? await sharedStores(settings, stores) : fileStores(settings, stores));
  } catch (error) {
    await stores.close().catch(() => undefined);
    throw error;
  }
}

type OpenStores = Awaited<ReturnType<typeof openStores>>;

// The home's run log and alerts file and the workspace's batch-tasks.json: changes are seen by
// watching the files.
function fileStores(settings: Settings, stores: OpenStores): DashboardStores {
  const alertsFile = stores.alertsAt;
  const queueFile = queueFileOf(settings.workspace);
  return {
    mode: 'files',
    history: new LogHistoryView(runLogPath(settings.home)),
    alerts: stores.alerts,
    batch: fileQueueStore(settings.workspace),
    watchStores: (onChange, signal) => watchFiles([alertsFile, queueFile], (file) => onChange(file === alertsFile ? 'alerts' : 'batch'), signal),
    close: () => stores.close(),
  };
}

// Every host's runs, alerts and batch queue in the queue's server: changes are seen by polling.
async function sharedStores(settings: Settings, stores: OpenStores): Promise<DashboardStores> {
  const { history } = stores;
  if (history === undefined) throw new RunnerError('queue.failed', 'the shared run history is not available');
  const { openBatchQueue } = await import('../distributed/shared-batch-queue.js');
  const batch = await openBatchQueue(settings);
  return {
    mode: 'distributed',
    history: new SharedHistoryView(history),
    alerts: stores.alerts,
    batch,
    async watchStores(onChange, signal) {
      const alertIds = async () => (await stores.alerts.list()).map((alert) => alert.id).join(',');
      const queueText = async () => JSON.stringify(await batch.read());
      let alerts = await alertIds();
      let queue = await queueText();
      await poll(async () => {
        const alertsNow = await alertIds();
        if (alertsNow !== alerts) {
          alerts = alertsNow;
          onChange('alerts');
        }
        const queueNow = await queueText();
        if (queueNow !== queue) {
          queue = queueNow;
          onChange('batch');
        }
      }, signal);
    },
    close: async () => {
      await Promise.all([stores.close(), batch.close()]);
    },
  };
}
