import type { QueueConnection } from './connection.js';
import { openSharedStores } from './open-shared-stores.js';
import type { AlertInbox, RunHistory } from '../store/ports.js';

/** The shared stores a worker writes to besides its own files (SPEC §10). */
export interface WorkerDeps {
  /** Every run record is appended here too, after the worker's own logs/tasks.jsonl. */
  history?: RunHistory;
  /** Where `ctx.alert` of a run writes, instead of the worker's own alerts/ folder. */
  alerts?: AlertInbox;
}

/**
 * The one place where `runner worker` gets its shared stores: the queue server's alerts inbox and
 * run history, on the worker's own connection (closed with it).
 */
export async function sharedStoresFor(connection: QueueConnection): Promise<WorkerDeps> {
  const { history, alerts } = await openSharedStores(connection);
  return { history, alerts };
}
