import type { JobsOptions } from 'bullmq';
import type { RunnerConfig } from '../config/config.js';
import { EXIT, RunnerError } from '../shared/errors.js';
import type { Task } from '../core/task.js';
import { resolveRunPolicy } from '../core/run-policy.js';
import type { QueueConnection } from './connection.js';
import type { RunnerJobData } from './job-data.js';
import { taskQueueName } from './queue-names.js';

/** Finished jobs kept per task queue (for `--wait` and inspection); older ones are removed. */
export const KEEP_COMPLETED = 1000;
/** Failed jobs kept per task queue. */
export const KEEP_FAILED = 5000;
const DEFAULT_ATTEMPTS = 3;

/** What `runner enqueue` adds. */
export interface EnqueueRequest {
  data: RunnerJobData;
  delayMs?: number;
  priority?: number;
  dedupeKey?: string;
}

/** What a worker returns for a job that ran: the run's exit code and record facts. */
export interface JobReturn {
  exitCode: number;
  runId?: string;
  host?: string;
}

/**
 * BullMQ options of a task's job: the task's attempts (its policy, or the config's when the task is
 * not known on this host), exponential backoff from the config's retry settings, and bounded
 * retention of finished jobs.
 */
export function jobOptionsFor(config: RunnerConfig, task: Task | undefined, taskName: string): JobsOptions {
  const attempts = task
    ? resolveRunPolicy(task, config).attempts
    : Math.max(1, config.tasks?.[taskName]?.attempts ?? config.retry?.attempts ?? DEFAULT_ATTEMPTS);
  return {
    attempts,
    backoff: { type: 'exponential', delay: config.retry?.minTimeoutMs ?? 1000 },
    removeOnComplete: { count: KEEP_COMPLETED },
    removeOnFail: { count: KEEP_FAILED },
  };
}

/** Add one job; resolves to its id (the existing job's id when `dedupeKey` matched one). */
export async function enqueueJob(connection: QueueConnection, request: EnqueueRequest, base: JobsOptions): Promise<string> {
  const queue = connection.queue(taskQueueName(request.data.task));
  try {
    const options: JobsOptions = { ...base };
    if (request.delayMs !== undefined) options.delay = request.delayMs;
    if (request.priority !== undefined) options.priority = request.priority;
    if (request.dedupeKey !== undefined) options.deduplication = { id: request.dedupeKey };
    const job = await queue.add(request.data.task, request.data, options);
    if (job.id === undefined) throw new RunnerError('queue.failed', `the queue server gave no id for the job of ${request.data.task}`);
    return job.id;
  } finally {
    await queue.close();
  }
}

/**
 * Add a job and wait until a worker finished it: resolves to the run's exit code (SPEC §3), 1 for a
 * job that failed for good. The event stream is opened before the job is added, so a fast worker
 * cannot finish it unseen.
 */
export async function enqueueAndWait(
  connection: QueueConnection,
  request: EnqueueRequest,
  base: JobsOptions,
  onAdded: (id: string) => void,
): Promise<{ id: string; exitCode: number; error?: string; result?: JobReturn }> {
  const name = taskQueueName(request.data.task);
  const events = connection.queueEvents(name);
  const queue = connection.queue(name);
  try {
    await events.waitUntilReady();
    const options: JobsOptions = { ...base };
    if (request.delayMs !== undefined) options.delay = request.delayMs;
    if (request.priority !== undefined) options.priority = request.priority;
    if (request.dedupeKey !== undefined) options.deduplication = { id: request.dedupeKey };
    const job = await queue.add(request.data.task, request.data, options);
    const id = job.id ?? '';
    onAdded(id);
    try {
      const result = (await job.waitUntilFinished(events)) as JobReturn | null;
      return { id, exitCode: typeof result?.exitCode === 'number' ? result.exitCode : EXIT.ok, result: result ?? undefined };
    } catch (error) {
      return { id, exitCode: EXIT.failure, error: error instanceof Error ? error.message : String(error) };
    }
  } finally {
    await events.close().catch(() => undefined);
    await queue.close().catch(() => undefined);
  }
}
