// Helpers of bench/distributed.bench.mjs: a connection to the queue server like the runner's own
// (one Redis client, or one PostgreSQL pool shared by every queue of the process).
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// The CommonJS build, as the runner's bundle loads it (BullMQ's PostgreSQL backend requires pg).
const bullmq = require('bullmq');

export const URLS = {
  redis: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  postgres: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
};

export async function openBench(kind, prefix) {
  if (kind === 'redis') {
    const { Redis } = require('ioredis');
    const redis = new Redis(URLS.redis, { maxRetriesPerRequest: null });
    return {
      bullmq,
      queue: (name) => new bullmq.Queue(name, { connection: redis, prefix }),
      worker: (name, processor, opts) => new bullmq.Worker(name, processor, { ...opts, connection: redis, prefix }),
      clients: async () => Number(/connected_clients:(\d+)/.exec(await redis.info('clients'))[1]),
      serverPids: async () => [Number(/process_id:(\d+)/.exec(await redis.info('server'))[1])],
      // A run record appended the way the runner's shared history does it: the XADD leaves in the
      // same socket write as BullMQ's completion of the job (the connection is corked for the tick).
      appendRecord: (line) => {
        if (redis.stream.writableCorked === 0) {
          redis.stream.cork();
          process.nextTick(() => redis.stream.uncork());
        }
        return redis.xadd(`${prefix}:bench-history`, 'MAXLEN', '~', '100000', '*', 'r', line);
      },
      drop: async () => {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 5000);
          cursor = next;
          if (keys.length > 0) await redis.del(...keys);
        } while (cursor !== '0');
      },
      close: () => redis.quit(),
    };
  }
  const connection = new bullmq.PostgresConnection({ connectionString: URLS.postgres, schema: prefix, migrate: true, max: 4, keepAlive: true });
  connection.on('error', () => undefined);
  await connection.waitUntilReady();
  const historyTable = connection.pool.query(`CREATE TABLE IF NOT EXISTS "${prefix}".bench_history (seq bigserial PRIMARY KEY, task text NOT NULL, record text NOT NULL)`);
  const classes = bullmq.withBackend((name, opts) => new bullmq.PostgresQueueBackend(connection, name, opts, false));
  return {
    bullmq,
    queue: (name) => new classes.Queue(name, { connection: URLS.postgres }),
    worker: (name, processor, opts) => new classes.Worker(name, processor, { ...opts, connection: URLS.postgres }),
    clients: async () => Number((await connection.pool.query('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database()')).rows[0].n),
    // Every process of the server: each connection has its own backend, and the WAL writer works too.
    serverPids: async () => processesNamed('postgres'),
    // A run record appended the way the runner's shared history does it.
    appendRecord: async (line) => {
      await historyTable;
      await connection.pool.query(
        `WITH unflushed AS (SELECT set_config('synchronous_commit', 'off', true))
         INSERT INTO "${prefix}".bench_history (task, record) SELECT $1, $2 FROM unflushed RETURNING seq`,
        ['b00', line],
      );
    },
    drop: () => connection.pool.query(`DROP SCHEMA IF EXISTS "${prefix}" CASCADE`),
    close: () => connection.close(),
  };
}

/**
 * CPU time (user + system, µs) the processes have used so far, from /proc (Linux); undefined
 * elsewhere. On a machine whose cores the worker and the server share, a job's wall time is close
 * to the sum of both sides' CPU time, which varies less than the rate does.
 */
export function cpuMicros(pids) {
  let ticks = 0;
  for (const pid of pids) {
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      if (pids.length === 1) return undefined;
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  // USER_HZ is 100 on Linux.
  return ticks * 10_000;
}

function processesNamed(name) {
  let entries;
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries.filter((entry) => /^\d+$/.test(entry) && commOf(entry) === name).map(Number);
}

function commOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}
