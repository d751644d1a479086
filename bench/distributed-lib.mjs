// Helpers of bench/distributed.bench.mjs: a connection to the queue server like the runner's own
// (one Redis client, or one PostgreSQL pool shared by every queue of the process), and the shared
// run history written as the runner writes it (same key or table, same command, same bound).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// The CommonJS build, as the runner's bundle loads it (BullMQ's PostgreSQL backend requires pg).
const bullmq = require('bullmq');

export const URLS = {
  redis: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  postgres: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
};

// The shared history's bound (src/distributed/shared-history-redis.ts DEFAULT_HISTORY_LIMIT), and
// on PostgreSQL the one append in this many that trims (src/distributed/shared-history-postgres.ts).
const HISTORY_LIMIT = 100_000;
const TRIM_EVERY = 1000;

/** `poolSize`: PostgreSQL connections (the runner's worker has concurrency + 2: 3 at concurrency 1). */
export async function openBench(kind, prefix, { poolSize = 4 } = {}) {
  if (kind === 'redis') {
    const { Redis } = require('ioredis');
    const redis = new Redis(URLS.redis, { maxRetriesPerRequest: null });
    return {
      bullmq,
      queue: (name) => new bullmq.Queue(name, { connection: redis, prefix }),
      worker: (name, processor, opts) => new bullmq.Worker(name, processor, { ...opts, connection: redis, prefix }),
      clients: async () => Number(/connected_clients:(\d+)/.exec(await redis.info('clients'))[1]),
      // The one server process (shared with whatever else uses this Redis at the time).
      serverPids: async () => [Number(/process_id:(\d+)/.exec(await redis.info('server'))[1])],
      // A run record appended where and as the runner's shared history appends it: the same stream
      // and bound, and the XADD leaves in the same socket write as BullMQ's completion of the job
      // (the connection is corked for the tick).
      appendRecord: (line) => {
        if (redis.stream.writableCorked === 0) {
          redis.stream.cork();
          process.nextTick(() => redis.stream.uncork());
        }
        return redis.xadd(`${prefix}:runner-store:history`, 'MAXLEN', '~', String(HISTORY_LIMIT), '*', 'r', line);
      },
      historyLength: () => redis.xlen(`${prefix}:runner-store:history`),
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
  const connection = new bullmq.PostgresConnection({ connectionString: URLS.postgres, schema: prefix, migrate: true, max: poolSize, keepAlive: true });
  connection.on('error', () => undefined);
  await connection.waitUntilReady();
  // The runner's table (PostgresHistory.ddl): its index on recorded_at is part of each insert's cost.
  const table = `"${prefix}".runner_history`;
  const historyTable = (async () => {
    await connection.pool.query(
      `CREATE TABLE IF NOT EXISTS ${table} (seq bigserial PRIMARY KEY, recorded_at timestamptz NOT NULL DEFAULT now(), task text NOT NULL, record text NOT NULL)`,
    );
    await connection.pool.query(`CREATE INDEX IF NOT EXISTS runner_history_recorded_at ON ${table} (recorded_at)`);
  })();
  const classes = bullmq.withBackend((name, opts) => new bullmq.PostgresQueueBackend(connection, name, opts, false));
  // As the runner's shared history inserts (src/distributed/shared-history-postgres.ts): one insert
  // at a time, the records that come meanwhile together in the next; committed without waiting for
  // the WAL flush; one append in 1,000 trims.
  const appends = groupedWrites(async (records) => {
    await historyTable;
    const unflushed = "WITH unflushed AS (SELECT set_config('synchronous_commit', 'off', true))";
    const { rows } =
      records.length === 1
        ? await connection.pool.query(`${unflushed} INSERT INTO ${table} (task, record) SELECT $1, $2 FROM unflushed RETURNING seq`, [records[0].task, records[0].line])
        : await connection.pool.query(
            `${unflushed} INSERT INTO ${table} (task, record)
             SELECT task, record FROM unflushed, unnest($1::text[], $2::text[]) WITH ORDINALITY AS r(task, record, n) ORDER BY n RETURNING seq`,
            [records.map((record) => record.task), records.map((record) => record.line)],
          );
    const trimAt = rows.map((row) => Number(row.seq)).find((seq) => seq % TRIM_EVERY === 0);
    if (trimAt !== undefined) await connection.pool.query(`DELETE FROM ${table} WHERE seq <= $1`, [trimAt - HISTORY_LIMIT]);
  });
  return {
    bullmq,
    queue: (name) => new classes.Queue(name, { connection: URLS.postgres }),
    worker: (name, processor, opts) => new classes.Worker(name, processor, { ...opts, connection: URLS.postgres }),
    clients: async () => Number((await connection.pool.query('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database()')).rows[0].n),
    // The server processes that serve the worker: one backend per connection of its process (found
    // by the ports of its sockets), not those of other clients of the server.
    serverPids: async (workerPid) => {
      const ports = socketPorts(workerPid);
      if (ports.length === 0) return [];
      const { rows } = await connection.pool.query('SELECT pid FROM pg_stat_activity WHERE client_port = ANY($1::int[])', [ports]);
      return rows.map((row) => Number(row.pid));
    },
    // A run record appended where and as the runner's shared history appends one.
    appendRecord: (line, task) => appends.add({ line, task }),
    historyLength: async () => {
      await historyTable;
      return Number((await connection.pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    },
    drop: () => connection.pool.query(`DROP SCHEMA IF EXISTS "${prefix}" CASCADE`),
    close: () => connection.close(),
  };
}

// Writes made while one is under way go out together when it is done (src/distributed/grouped-writes.ts).
function groupedWrites(write) {
  let waiting = [];
  let writing = false;
  const drain = async () => {
    writing = true;
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      try {
        await write(batch.map((entry) => entry.item));
        for (const entry of batch) entry.resolve();
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    writing = false;
  };
  return {
    add: (item) =>
      new Promise((resolve, reject) => {
        waiting.push({ item, resolve, reject });
        if (!writing) void drain();
      }),
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

// The local ports of a process's TCP sockets, from /proc (Linux; none elsewhere).
function socketPorts(pid) {
  let inodes;
  try {
    inodes = new Set(
      readdirSync(`/proc/${pid}/fd`)
        .map((fd) => {
          try {
            return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
          } catch {
            return undefined;
          }
        })
        .filter((inode) => inode !== undefined),
    );
  } catch {
    return [];
  }
  const ports = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length > 9 && inodes.has(fields[9])) ports.push(parseInt(fields[1].split(':')[1], 16));
    }
  }
  return ports;
}
