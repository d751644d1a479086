/**
 * The shared batch queue (SPEC §6 and §10): with `queue.url` configured, `runner batch add`, `batch
 * list` and `runner batch [N]` on every host work on ONE queue kept in the queue server, instead of
 * each workspace's `batch-tasks.json`. The queue is the same JSON document as the file (same
 * entries, same validation, same ordering, claims and recovery: the pure functions of src/batch/
 * run on it inside a server-side transaction); only where it is stored and how it is locked differ.
 * The diary stays a file of the workspace whose executor ran the entry.
 *
 * Loaded only when a queue is configured (`await import()` behind `queueConfigured`).
 */
import type { Settings } from '../config/config.js';
import type { QueueStore } from '../batch/queue-store.js';
import { queueTarget } from '../config/queue.js';
import { openQueueConnection } from './connection.js';
import { postgresBatchQueue } from './shared-batch-postgres.js';
import { redisBatchQueue } from './shared-batch-redis.js';

/**
 * Open the shared batch queue of the settings' `queue.url` (which must be configured): the store
 * `runner batch`, `batch add`, `batch list` and the dashboard's batch panel read and change. Fails
 * within a few seconds with `queue.unreachable` (naming the URL without its password) when the
 * server does not answer. Call `close()` when done.
 */
export async function openBatchQueue(settings: Settings): Promise<QueueStore> {
  const target = queueTarget(settings);
  // A pool of 3 on PostgreSQL: one connection may be held by the executor's lock.
  const connection = await openQueueConnection(target, { bullmq: false, poolSize: 3 });
  try {
    if (connection.redis) return redisBatchQueue(connection.redis, target, () => connection.close());
    return await postgresBatchQueue(connection.pg!, target, () => connection.close());
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw error;
  }
}
