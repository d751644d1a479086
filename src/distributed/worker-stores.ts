import type { QueueConnection } from './connection.js';
import type { AlertInbox, SharedHistory } from './shared-stores.js';

/** The shared stores a worker writes to besides its own files (SPEC §10). */
export interface WorkerDeps {
  /** Every run record is appended here too, after the worker's own logs/tasks.jsonl. */
  history?: SharedHistory;
  /** Where `ctx.alert` of a run writes, instead of the worker's own alerts/ folder. */
  alerts?: AlertInbox;
}

/**
 * The ONE place where `runner worker` gets its shared stores. Until the shared stores are merged it
 * returns none (runs then record to the worker's own files only); the merge plugs
 * `openSharedStores(connection)` from ./open-shared-stores.js in here:
 *
 *   const { history, alerts } = await openSharedStores(connection);
 *   return { history, alerts };
 */
export async function sharedStoresFor(connection: QueueConnection): Promise<WorkerDeps> {
  void connection;
  return {};
}
