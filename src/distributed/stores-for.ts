import type { Settings } from '../config/config.js';
import { AlertStore } from '../store/alerts.js';
import { runLogPath } from '../store/run-log.js';
import { queueConfigured, queueTarget } from '../config/queue.js';
import type { AlertInbox, RunHistory } from '../store/ports.js';

/** The alerts inbox and the run history the CLI reads and writes, as the settings choose them. */
export interface Stores {
  /** `alerts/pending.json` of the home, or the shared inbox. */
  alerts: AlertInbox;
  /** Where the alerts live, for messages: the file, or the server (without its password). */
  alertsAt: string;
  /** The shared run history; undefined in file mode, where it is the home's `logs/tasks.jsonl`. */
  history: RunHistory | undefined;
  /** Where the run history lives, for messages. */
  historyAt: string;
  /** Close the connection to the server, if one was opened. */
  close(): Promise<void>;
}

/**
 * The stores of these settings: the home's files, or, with `queue.url` configured, the shared
 * stores in that server (the connection is opened here and fails within a few seconds with
 * `queue.unreachable`). The file-mode CLI does not load this module: it checks
 * `queueConfigured(settings)` first and imports this only when a queue is configured.
 */
export async function storesFor(settings: Settings): Promise<Stores> {
  if (!queueConfigured(settings)) {
    const alerts = AlertStore.forHome(settings.home);
    const log = runLogPath(settings.home);
    return { alerts, alertsAt: alerts.file, history: undefined, historyAt: log, close: async () => {} };
  }
  const target = queueTarget(settings);
  const { openQueueConnection } = await import('./connection.js');
  const { openSharedStores } = await import('./open-shared-stores.js');
  const connection = await openQueueConnection(target, { bullmq: false });
  const where = target.kind === 'redis' ? `${target.displayUrl} (keys ${target.prefix}:runner-store:*)` : `${target.displayUrl} (schema ${target.prefix})`;
  const alertsAt = `the shared alerts inbox at ${where}`;
  try {
    const stores = await openSharedStores(connection, {
      onDroppedAlert: ({ id, problem }) => process.stderr.write(`warning: removed unreadable alert ${id} from ${alertsAt}: ${problem}\n`),
    });
    return {
      alerts: stores.alerts,
      alertsAt,
      history: stores.history,
      historyAt: `the shared run history at ${where}`,
      close: async () => {
        await stores.close();
        await connection.close();
      },
    };
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw error;
  }
}
