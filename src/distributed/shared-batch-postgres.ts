import type { PgPool, PgPoolClient } from 'bullmq';
import type { ExecutorLock, QueueStore } from '../batch/queue-store.js';
import type { QueuedEntry, QueueSource } from '../batch/queue-file.js';
import { EXIT, RunnerError } from '../shared/errors.js';
import { formatJson } from '../store/json-file.js';
import type { QueueTarget } from '../config/queue.js';
import { quoteIdentifier } from './connection.js';
import { forbidsInSharedQueue, parseSharedQueue, sharedQueueName } from './shared-batch-common.js';

/**
 * The shared batch queue on PostgreSQL: the queue document (the same JSON as `batch-tasks.json`,
 * kept as `json` so its text, key order included, is stored as written) in the one row of
 * `<prefix>.runner_batch_queue`, changed inside a transaction that holds that row
 * (`SELECT … FOR UPDATE`); the executor lock is a session advisory lock held on a connection of its
 * own, which the server releases when that connection ends (the executor died).
 */
export async function postgresBatchQueue(pool: PgPool, target: QueueTarget, close: () => Promise<void>): Promise<QueueStore> {
  const schema = quoteIdentifier(target.prefix);
  const table = `${schema}.runner_batch_queue`;
  const name = sharedQueueName(target);
  const source: QueueSource = { untrusted: undefined };
  const executorKey = `taskrunner:${target.prefix}:batch-executor`;
  await transaction(pool, async (client) => {
    // Two first uses at once would race in CREATE TABLE IF NOT EXISTS; the setup goes one at a time.
    await client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`taskrunner:${target.prefix}:batch-setup`]);
    await client.query(`CREATE TABLE IF NOT EXISTS ${table} (id smallint PRIMARY KEY CHECK (id = 1), entries json NOT NULL)`);
    await client.query(`INSERT INTO ${table} (id, entries) VALUES (1, '[]') ON CONFLICT (id) DO NOTHING`);
  });

  return {
    name,
    read: async () => {
      const { rows } = await pool.query<{ doc: string }>(`SELECT entries::text AS doc FROM ${table} WHERE id = 1`);
      return parseSharedQueue(rows[0]?.doc, name);
    },
    update: <T>(change: (entries: QueuedEntry[], source: QueueSource) => T, options: { dryRun?: boolean } = {}) =>
      transaction(pool, async (client) => {
        const lock = options.dryRun ? '' : ' FOR UPDATE';
        const { rows } = await client.query<{ doc: string }>(`SELECT entries::text AS doc FROM ${table} WHERE id = 1${lock}`);
        const entries = parseSharedQueue(rows[0]?.doc, name);
        const outcome = change(entries, source);
        if (!options.dryRun) await client.query(`UPDATE ${table} SET entries = $1::json WHERE id = 1`, [formatJson(entries)]);
        return outcome;
      }),
    acquireExecutorLock: async (onCompromised) => {
      const client = await pool.connect();
      try {
        const { rows } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [executorKey]);
        if (!rows[0]?.locked) {
          throw new RunnerError('runner.locked', `another executor is running ${name}`, { exitCode: EXIT.locked, retryable: false });
        }
      } catch (error) {
        client.release();
        throw error;
      }
      return sessionLock(client, executorKey, name, onCompromised);
    },
    forbids: forbidsInSharedQueue,
    close,
  };
}

function sessionLock(client: PgPoolClient, key: string, name: string, onCompromised: (error: Error) => void): ExecutorLock {
  let ended = false;
  // The lock lives as long as this connection: losing the connection is losing the lock.
  const onError = (error: Error) => {
    if (ended) return;
    ended = true;
    onCompromised(new RunnerError('lock.compromised', `the executor lock of ${name} was lost with its connection: ${error.message}`, { cause: error }));
  };
  client.on('error', onError);
  return {
    async release() {
      (client as unknown as NodeJS.EventEmitter).removeListener('error', onError);
      if (ended) {
        client.release(true);
        return;
      }
      ended = true;
      try {
        await client.query(`SELECT pg_advisory_unlock(hashtext($1))`, [key]);
        client.release();
      } catch {
        client.release(true);
      }
    },
  };
}

async function transaction<T>(pool: PgPool, work: (client: PgPoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => (broken = true));
    throw error;
  } finally {
    client.release(broken);
  }
}
