import type { Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { QueueConnection } from './connection.js';
import { KEEP_FAILED } from './enqueue.js';

/**
 * Watch a task queue's worker for jobs it claimed but could not read, and fail each at once with
 * the reason; undefined where that cannot happen (PostgreSQL).
 *
 * Why: BullMQ decodes a job's stored `data` and `opts` while fetching it, before the processor. On
 * Redis a job hash whose fields are not JSON makes the fetch throw (it comes out as the worker's
 * 'error' event) and leaves the job claimed by a worker that knows nothing of it. The task's
 * global concurrency of 1 then holds every other job of the task until the claim expires, several
 * times over (a stalled job is fetched again). On PostgreSQL `data` and `opts` are jsonb, and
 * BullMQ's decoding of a row does not throw: a job whose data is not a job's fails in the processor.
 */
export function watchUnreadableJobs(connection: QueueConnection, worker: Worker, task: string, log: Logger): UnreadableJobWatch | undefined {
  if (!connection.redis) return undefined;
  const sweeps = new Coalesced(async () => {
    try {
      for (const { id, reason } of await failUnreadableJobs(connection, worker, task)) log.warn({ job_id: id }, reason);
    } catch (error) {
      log.warn({ err: error }, `queue of ${task}: could not check its claimed jobs: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  // Any error may be one: the fetch's errors carry no job id, so the claimed jobs are looked at.
  worker.on('error', () => sweeps.request());
  return { settled: () => sweeps.idle() };
}

/** What {@link watchUnreadableJobs} gives the worker. */
export interface UnreadableJobWatch {
  /** Resolves once no check is under way (before the connection is closed). */
  settled(): Promise<void>;
}

/**
 * Fail the active jobs this worker holds the lock of whose stored fields BullMQ cannot read (read
 * as its fetch reads them); resolves to those failed, with the reason stored as the failure's.
 * The stored fields are left as they are, for a look at what went wrong.
 */
export async function failUnreadableJobs(connection: QueueConnection, worker: Worker, task: string): Promise<{ id: string; reason: string }[]> {
  const redis = connection.redis;
  if (!redis) return [];
  const ids = await redis.lrange(worker.keys.active!, 0, -1);
  if (ids.length === 0) return [];
  const tokens = await redis.mget(ids.map((id) => worker.toKey(`${id}:lock`)));
  // A worker's lock tokens are `<worker id>:<n>`: jobs of other workers are theirs to handle.
  const ours = `${worker.id}:`;
  const { Job, UnrecoverableError } = connection.bullmq;
  const failed: { id: string; reason: string }[] = [];
  for (const [i, id] of ids.entries()) {
    const token = tokens[i];
    if (!token?.startsWith(ours)) continue;
    const problem = await readProblem(() => Job.fromId(worker, id));
    if (problem === undefined) continue;
    const reason = `job ${id} of ${task} cannot be read: ${problem}`;
    // A Job of our own making (empty data and options, the worker's retention): the stored one
    // cannot be made. Unrecoverable: it would not read better on a second attempt.
    const job = new Job(worker, task, {}, { removeOnFail: { count: KEEP_FAILED } }, id);
    await job.moveToFailed(new UnrecoverableError(reason), token, false);
    failed.push({ id, reason });
  }
  // The failed job's queue had no free slot when its next job was added, so no worker was woken
  // for that one: BullMQ's marker wakes them now, instead of at their next poll.
  if (failed.length > 0) await redis.zadd(worker.keys.marker!, 0, '0');
  return failed;
}

async function readProblem(read: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await read();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Runs `work` on request, never twice at once: requests during a run make one more run after it. */
class Coalesced {
  private running: Promise<void> | undefined;
  private again = false;

  private readonly work: () => Promise<void>;
  constructor(work: () => Promise<void>) {
    this.work = work;
  }

  request(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.work();
      } while (this.again);
    })().finally(() => (this.running = undefined));
  }

  async idle(): Promise<void> {
    await this.running;
  }
}
