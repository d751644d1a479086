import type { Settings } from '../config/config.js';
import type { Stores } from '../distributed/stores-for.js';
import { AlertStore } from '../store/alerts.js';
import { runLogPath } from '../store/run-log.js';

/**
 * The alerts inbox and run history the commands use: the home's files, or, with `queue.url`
 * configured, the shared stores in that server. The distributed modules (and ioredis or pg) are
 * imported only in the second case, so the file mode's start-up is unchanged.
 */
export async function openStores(settings: Settings): Promise<Stores> {
  if (!queueIsConfigured(settings)) {
    const alerts = AlertStore.forHome(settings.home);
    return { alerts, alertsAt: alerts.file, history: undefined, historyAt: runLogPath(settings.home), close: async () => {} };
  }
  return (await import('../distributed/stores-for.js')).storesFor(settings);
}

/** Run `work` with the stores of these settings, and close them after. */
export async function withStores<T>(settings: Settings, work: (stores: Stores) => Promise<T>): Promise<T> {
  const stores = await openStores(settings);
  try {
    return await work(stores);
  } finally {
    await stores.close();
  }
}

/**
 * Whether `queue.url` turns on the distributed backend: the rule of `queueConfigured` in
 * src/distributed/backend.ts (test/distributed/open-stores.test.ts keeps them equal), repeated here
 * so that the file mode's commands import nothing of src/distributed/.
 */
export function queueIsConfigured(settings: Settings): boolean {
  const url = settings.config.queue?.url;
  return typeof url === 'string' && url !== '';
}
