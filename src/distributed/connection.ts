import type * as BullMQModule from 'bullmq';
import type { Job, PgModule, PgPool, Processor, Queue, QueueEvents, Worker, WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { RunnerError } from '../shared/errors.js';
import type { QueueTarget } from '../config/queue.js';
import { trackPgSockets } from './pg-sockets.js';

/** How long the first connection may take before the server counts as unreachable. */
export const CONNECT_TIMEOUT_MS = 3_000;
// Running BullMQ's schema migrations (PostgreSQL) the first time takes a few hundred ms; a lock
// held by another process migrating at the same moment a little more.
const READY_TIMEOUT_MS = 15_000;
// The longest wait for a free connection of a PostgreSQL pool: under load that is not a fault (a
// lock renewal that gave up after a few seconds would make a busy worker's jobs look stalled and
// run twice). Reachability is checked once, at connect, with the short CONNECT_TIMEOUT_MS.
const POOL_WAIT_MS = 60_000;

type BullMQ = typeof BullMQModule;

/** Options of {@link openQueueConnection}. */
export interface ConnectionOptions {
  /** Whether BullMQ queues and workers will be made (the shared stores alone need only the client). */
  bullmq: boolean;
  /** PostgreSQL: connections in the process's one pool (default 2). */
  poolSize?: number;
  /** Called with connection errors after the first connect (a server restarting): reconnection is automatic. */
  onError?: (error: Error) => void;
}

/**
 * One process's connection to the queue server: ONE Redis client, or ONE PostgreSQL pool (plus the
 * LISTEN connection BullMQ keeps), shared by every BullMQ queue and worker the process makes and by
 * the shared stores. A PostgreSQL connection per queue would make 10 worker processes × 50 task
 * queues exhaust `max_connections` (100 by default).
 */
export interface QueueConnection {
  readonly target: QueueTarget;
  readonly bullmq: BullMQ;
  /** The Redis client (Redis only). */
  readonly redis: Redis | undefined;
  /** A pool whose connections have `search_path` set to the schema (PostgreSQL only). */
  readonly pg: PgPool | undefined;
  queue(name: string): Queue;
  worker(name: string, processor: Processor, options: Omit<WorkerOptions, 'connection'>): Worker;
  /** A queue's event stream (for waiting on a job's result); Redis gives it a connection of its own. */
  queueEvents(name: string): QueueEvents;
  close(): Promise<void>;
}

/**
 * Connect to `target`, failing within a few seconds with `queue.unreachable` (naming the URL
 * without its password) when the server does not answer. BullMQ, ioredis and pg are loaded here,
 * only when a queue is configured.
 */
export async function openQueueConnection(target: QueueTarget, options: ConnectionOptions): Promise<QueueConnection> {
  const bullmq = options.bullmq ? await import('bullmq') : (undefined as unknown as BullMQ);
  return target.kind === 'redis' ? openRedis(target, bullmq, options) : openPostgres(target, bullmq, options);
}

async function openRedis(target: QueueTarget, bullmq: BullMQ, options: ConnectionOptions): Promise<QueueConnection> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(target.url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // BullMQ's workers block on the connection and want commands to wait through a reconnect; a
    // command of the CLI alone (the shared stores) fails instead of waiting for ever.
    maxRetriesPerRequest: options.bullmq ? null : 2,
    enableReadyCheck: true,
  });
  let connected = false;
  // ioredis rejects a failed first connect with "Connection is closed."; the reason (ECONNREFUSED,
  // a DNS failure) came as an error event before it.
  let firstError: Error | undefined;
  redis.on('error', (error: Error) => {
    if (connected) options.onError?.(error);
    else firstError ??= error;
  });
  try {
    await withTimeout(redis.connect(), CONNECT_TIMEOUT_MS);
    connected = true;
  } catch (error) {
    redis.disconnect();
    throw unreachable(target, firstError ?? error);
  }
  const prefix = target.prefix;
  return {
    target,
    bullmq,
    redis,
    pg: undefined,
    queue: (name) => {
      const queue = new bullmq.Queue(name, { connection: redis, prefix });
      // Why: each error of the shared client reaches onError already; a Queue without a listener
      // makes BullMQ print it again, as a bare stack trace on stderr, at every reconnect attempt.
      queue.on('error', () => undefined);
      return queue;
    },
    worker: (name, processor, workerOptions) => new bullmq.Worker(name, processor, { ...withRetryDelay(workerOptions), connection: redis, prefix }),
    queueEvents: (name) => new bullmq.QueueEvents(name, { connection: redis, prefix }),
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

async function openPostgres(target: QueueTarget, bullmq: BullMQ, options: ConnectionOptions): Promise<QueueConnection> {
  quietConcurrentQueryWarning();
  const sockets = trackPgSockets();
  const poolConfig = {
    connectionString: target.url,
    max: options.poolSize ?? 2,
    connectionTimeoutMillis: POOL_WAIT_MS,
    keepAlive: true,
    stream: sockets.stream,
  };
  if (!options.bullmq) return openPlainPostgres(target, poolConfig, options, sockets.destroyAll);
  // One PostgresConnection (one pool, one LISTEN connection) for every queue of the process: each
  // BullMQ backend made below borrows it instead of opening its own.
  const connection = new bullmq.PostgresConnection({ ...poolConfig, schema: target.prefix, migrate: true });
  connection.on('error', (error: Error) => options.onError?.(error));
  // Why: BullMQ retries a job's completion only after an error it knows as a lost connection;
  // pg's "Connection terminated unexpectedly" would make it fail (and retry) a job that succeeded.
  markLostConnections(connection.pool, bullmq.ConnectionClosedError);
  try {
    await withTimeout(connection.pool.query('SELECT 1'), CONNECT_TIMEOUT_MS);
    await withTimeout(connection.waitUntilReady(), READY_TIMEOUT_MS);
  } catch (error) {
    // Destroyed, not ended: ending waits for a connection still being made (up to POOL_WAIT_MS).
    sockets.destroyAll();
    await connection.close().catch(() => undefined);
    throw unreachable(target, error);
  }
  type Backend = InstanceType<BullMQ['PostgresQueueBackend']>;
  const backends: Backend[] = [];
  // A non-owning backend does not re-LISTEN by itself when the LISTEN connection was rebuilt (a
  // server restart): its workers would then find new jobs only at their next poll.
  connection.on('listenerinvalidated', () => {
    for (const backend of backends) relisten(backend as unknown as ListeningBackend);
  });
  const factory = (name: string, opts: ConstructorParameters<BullMQ['PostgresQueueBackend']>[2]) => {
    const backend = new bullmq.PostgresQueueBackend(connection, name, opts, false);
    backends.push(backend);
    return backend;
  };
  const classes = bullmq.withBackend(factory);
  return {
    target,
    bullmq,
    redis: undefined,
    pg: connection.pool,
    queue: (name) => new classes.Queue(name, { connection: target.url }) as unknown as Queue,
    worker: (name, processor, workerOptions) =>
      new classes.Worker(name, processor as Processor<unknown>, { ...withRetryDelay(workerOptions), connection: target.url }) as unknown as Worker,
    queueEvents: (name) => new classes.QueueEvents(name, { connection: target.url }) as unknown as QueueEvents,
    close: () => connection.close(),
  };
}

// What pg reports when the server went away under a query: the socket (pg's own messages, OS
// codes) or the server shutting down or still starting (SQLSTATE class 57P, 08 connection errors).
const LOST_CONNECTION_MESSAGES = ['Connection terminated', 'Client has encountered a connection error'];
const LOST_CONNECTION_CODES = ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03'];

function isLostConnection(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = String((error as { code?: unknown }).code ?? '');
  return LOST_CONNECTION_CODES.includes(code) || code.startsWith('08') || LOST_CONNECTION_MESSAGES.some((text) => error.message.startsWith(text));
}

/** Make the pool's queries fail with BullMQ's ConnectionClosedError when the connection was lost. */
function markLostConnections(pool: PgPool, ConnectionClosedError: BullMQ['ConnectionClosedError']): void {
  type Query = (...args: unknown[]) => Promise<unknown>;
  const query = (pool.query as Query).bind(pool);
  (pool as unknown as { query: Query }).query = async (...args) => {
    try {
      return await query(...args);
    } catch (error) {
      throw isLostConnection(error) ? new ConnectionClosedError((error as Error).message, error) : error;
    }
  };
}

/** The parts of BullMQ's PostgresQueueBackend that a rebuilt LISTEN connection concerns. */
interface ListeningBackend {
  listening: boolean;
  listeningEvents: boolean;
  cancelWait?: () => void;
  cancelEventWait?: () => void;
}

/** What BullMQ does for the backend owning the connection, done for a borrowing one. */
function relisten(backend: ListeningBackend): void {
  backend.listening = false;
  backend.listeningEvents = false;
  // Why: a wait already parked on the dead connection gets no NOTIFY and would sleep out its
  // whole drainDelay (5 s) before LISTENing again; woken, it LISTENs on the new connection at once.
  backend.cancelWait?.();
  backend.cancelEventWait?.();
}

async function openPlainPostgres(
  target: QueueTarget,
  poolConfig: Record<string, unknown>,
  options: ConnectionOptions,
  destroySockets: () => void,
): Promise<QueueConnection> {
  const pg = (await import('pg')).default as unknown as PgModule;
  const schema = quoteIdentifier(target.prefix);
  const pool = new pg.Pool({ ...poolConfig, options: `-c search_path=${schema}` });
  pool.on('error', (error) => options.onError?.(error));
  try {
    // Processes starting at once race `CREATE SCHEMA IF NOT EXISTS` (it is not safe against a
    // concurrent create): the loser's unique violation means the schema is there.
    await withTimeout(pool.query('SELECT 1'), CONNECT_TIMEOUT_MS);
    await withTimeout(pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`), READY_TIMEOUT_MS).catch((error: unknown) => {
      if (!['23505', '42P06'].includes(String((error as { code?: unknown }).code))) throw error;
    });
  } catch (error) {
    // As in openPostgres: a pending connection would hold `end()` for up to POOL_WAIT_MS.
    destroySockets();
    await pool.end().catch(() => undefined);
    throw unreachable(target, error);
  }
  return {
    target,
    bullmq: undefined as unknown as BullMQ,
    redis: undefined,
    pg: pool,
    queue: () => {
      throw new Error('opened without BullMQ');
    },
    worker: () => {
      throw new Error('opened without BullMQ');
    },
    queueEvents: () => {
      throw new Error('opened without BullMQ');
    },
    close: () => pool.end(),
  };
}

// The longest pause before BullMQ tries again to record a finished job (or to fetch one) after the
// server was lost. BullMQ's own 15 s outlasts short job locks.
const RUN_RETRY_MS = 1_000;

/**
 * Worker options with a retry delay well inside the job lock. Why: BullMQ stops renewing a job's
 * lock when its run ends; a completion still waiting for its retry when the lock expires makes
 * the job count as stalled, and it runs a second time.
 */
function withRetryDelay(options: Omit<WorkerOptions, 'connection'>): Omit<WorkerOptions, 'connection'> {
  const lockMs = options.lockDuration ?? 30_000;
  return { runRetryDelay: Math.min(RUN_RETRY_MS, Math.floor(lockMs / 4)), ...options };
}

/** `"name"`, for a schema name `queue.prefix` has already restricted to letters, digits and `_`. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function unreachable(target: QueueTarget, error: unknown): RunnerError {
  const reason = error instanceof Error ? error.message || error.name : String(error);
  return new RunnerError('queue.unreachable', `cannot reach the queue server at ${target.displayUrl}: ${reason}`, { cause: error });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error as Error);
      },
    );
  });
}

// Several BullMQ backends share one LISTEN connection and each issues its `LISTEN` on it; pg queues
// such queries correctly but warns that it will stop doing so in pg 9. The warning says nothing an
// operator can act on, so it alone is silenced.
let quieted = false;
function quietConcurrentQueryWarning(): void {
  if (quieted) return;
  quieted = true;
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (text.includes('client is already executing a query')) return;
    emitWarning(warning, ...rest);
  }) as typeof process.emitWarning;
}

/** The type of a job's data in the runner's queues. */
export type RunnerJob = Job<Record<string, unknown>, unknown, string>;
