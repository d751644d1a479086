/**
 * The one composition step of the runner's stores. Every process that runs tasks or reads their
 * state gets its alerts inbox and run history here, from its settings: the home's files, or, with
 * `queue.url` configured, the shared stores in the queue's server (src/distributed/). A process that
 * runs tasks (the CLI's `runner <task>`, `runner worker`, the library's `runTask`) asks for an inbox
 * that also pushes each alert to the agent (`alerts.push`, src/openclaw/pushing-inbox.ts); the run
 * hands the same stores to the runs its task starts itself (a batch entry naming a task).
 *
 * The distributed modules (and ioredis or pg) are imported only when a queue is configured, so the
 * file mode's start-up loads none of them.
 */
import type { Logger } from 'pino';
import type { Settings } from '../config/config.js';
import { queueConfigured, queueTarget } from '../config/queue.js';
import type { QueueConnection } from '../distributed/connection.js';
import { withAlertPush } from '../openclaw/pushing-inbox.js';
import { AlertStore } from '../store/alerts.js';
import type { AlertInbox, RunHistory } from '../store/ports.js';
import { runLogPath } from '../store/run-log.js';

/** The alerts inbox and the run history of a process, as its settings choose them. */
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

/** How the stores are used. */
export interface StoreUse {
  /**
   * The process runs tasks: their alerts are also pushed to the agent when `alerts.push` (or the
   * install's default) says so.
   */
  pushAlerts?: boolean;
  /** Where a push that failed is logged when the raiser gives no logger of its own (default: stderr). */
  log?: Logger;
}

/**
 * The stores of these settings (see the file's comment). With a queue configured the connection is
 * opened here and fails within a few seconds with `queue.unreachable`.
 */
export async function openStores(settings: Settings, use: StoreUse = {}): Promise<Stores> {
  if (!queueConfigured(settings)) return fileStores(settings, use);
  const target = queueTarget(settings);
  const { openQueueConnection } = await import('../distributed/connection.js');
  const connection = await openQueueConnection(target, { bullmq: false });
  try {
    const shared = await sharedStoresOn(connection, settings, use);
    return {
      ...shared,
      close: async () => {
        await shared.close();
        await connection.close();
      },
    };
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw error;
  }
}

/** Run `work` with the stores of these settings, and close them after. */
export async function withStores<T>(settings: Settings, work: (stores: Stores) => Promise<T>, use: StoreUse = {}): Promise<T> {
  const stores = await openStores(settings, use);
  try {
    return await work(stores);
  } finally {
    await stores.close();
  }
}

/** The home's files, whatever the settings say about a queue (nothing to open or close). */
export function fileStores(settings: Settings, use: StoreUse = {}): Stores {
  const alerts = AlertStore.forHome(settings.home);
  return { alerts: composeInbox(alerts, settings, use), alertsAt: alerts.file, history: undefined, historyAt: runLogPath(settings.home), close: async () => {} };
}

/**
 * The shared stores over a connection the caller owns (`runner worker` keeps one for BullMQ and its
 * stores); `close` releases what the stores hold, not the connection.
 */
export async function sharedStoresOn(connection: QueueConnection, settings: Settings, use: StoreUse = {}): Promise<Stores> {
  const { openSharedStores } = await import('../distributed/open-shared-stores.js');
  const { target } = connection;
  const where = target.kind === 'redis' ? `${target.displayUrl} (keys ${target.prefix}:runner-store:*)` : `${target.displayUrl} (schema ${target.prefix})`;
  const alertsAt = `the shared alerts inbox at ${where}`;
  const stores = await openSharedStores(connection, {
    onDroppedAlert: ({ id, problem }) => process.stderr.write(`warning: removed unreadable alert ${id} from ${alertsAt}: ${problem}\n`),
  });
  return {
    alerts: composeInbox(stores.alerts, settings, use),
    alertsAt,
    history: stores.history,
    historyAt: `the shared run history at ${where}`,
    close: () => stores.close(),
  };
}

function composeInbox(inbox: AlertInbox, settings: Settings, use: StoreUse): AlertInbox {
  return use.pushAlerts ? withAlertPush(inbox, { config: settings.config, home: settings.home, log: use.log }) : inbox;
}
