/**
 * The stores that hold state shared by every host when a queue is configured (SPEC §10): the
 * alerts inbox and the run history (the store ports of src/store/ports.ts), and the batch queue
 * (src/distributed/shared-batch-queue.ts), kept in the queue's own server (Redis or PostgreSQL)
 * beside BullMQ's data.
 *
 * Naming in the server, under `queue.prefix` (default `runner`):
 * - Redis: keys `<prefix>:runner-store:<what>` (BullMQ's queues are `<prefix>:task-<name>:…`).
 * - PostgreSQL: tables `runner_<what>` in the schema `<prefix>`, schema-qualified in every query.
 */
import { RunnerError } from '../shared/errors.js';
import type { QueueConnection } from './connection.js';
import { PostgresAlertInbox, storePool } from './shared-alerts-postgres.js';
import { RedisAlertInbox } from './shared-alerts-redis.js';
import { PostgresHistory } from './shared-history-postgres.js';
import { DEFAULT_HISTORY_LIMIT, RedisHistory } from './shared-history-redis.js';
import type { AlertInbox, RunHistory } from '../store/ports.js';
import type { DroppedAlertReporter } from './stored-alert.js';

/** The shared stores of one connection. */
export interface SharedStores {
  alerts: AlertInbox;
  history: RunHistory;
  /** Release what the stores hold of their own; the connection stays open (its owner closes it). */
  close(): Promise<void>;
}

/** Options of {@link openSharedStores}. */
export interface SharedStoreOptions {
  /** Run records the shared history keeps (default 100,000); older ones are trimmed on append. */
  historyLimit?: number;
  /** Told about each unreadable pending alert a read removed from the inbox (once, by that read). */
  onDroppedAlert?: DroppedAlertReporter;
}

/**
 * The alerts inbox and run history in the queue's server, over the process's one connection
 * (`openQueueConnection`). On PostgreSQL their tables are created here unless they exist.
 */
export async function openSharedStores(connection: QueueConnection, options: SharedStoreOptions = {}): Promise<SharedStores> {
  const { prefix } = connection.target;
  const limit = options.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  if (connection.redis) {
    return { alerts: new RedisAlertInbox(connection.redis, prefix, { onDropped: options.onDroppedAlert }), history: new RedisHistory(connection.redis, prefix, limit), close: async () => {} };
  }
  if (connection.pg) {
    const pool = storePool(connection.pg);
    await createTables(pool, prefix, connection.target.displayUrl);
    return { alerts: new PostgresAlertInbox(pool, prefix, options.onDroppedAlert), history: new PostgresHistory(pool, prefix, limit), close: async () => {} };
  }
  throw new RunnerError('queue.unsupported', `the connection to ${connection.target.displayUrl} has neither a Redis client nor a PostgreSQL pool`);
}

// Several processes starting at once would race `CREATE … IF NOT EXISTS` (which is not safe against
// a concurrent create of the same name): they take turns under a transaction-scoped advisory lock.
async function createTables(pool: ReturnType<typeof storePool>, schema: string, displayUrl: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${schema}.runner-store.ddl`]);
    // Tables made by an earlier version lack the alerts' key column: the DDL (all `IF NOT EXISTS`) adds it.
    const { rows } = await client.query(
      `SELECT (SELECT count(*)::int FROM pg_tables WHERE schemaname = $1 AND tablename IN ('runner_alerts', 'runner_history')) AS n,
        EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'runner_alerts' AND column_name = 'alert_key') AS keyed`,
      [schema],
    );
    if (rows[0]?.n !== 2 || rows[0]?.keyed !== true) {
      for (const statement of [...PostgresAlertInbox.ddl(schema), ...PostgresHistory.ddl(schema)]) await client.query(statement);
    }
    await client.query('COMMIT');
    client.release();
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release(error as Error);
    throw new RunnerError('queue.failed', `cannot create the shared stores' tables in schema ${schema} at ${displayUrl}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
