import { hostname } from 'node:os';
import type { Job, Queue, Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { Settings } from '../config/config.js';
import { parseDuration } from '../shared/duration.js';
import { discoverTasks } from '../loader/discover.js';
import { runTask, type RunOutcome } from '../core/run-task.js';
import type { Task } from '../core/task.js';
import { EXIT, RunnerError } from '../shared/errors.js';
import { parseTaskArgs } from '../core/task-args.js';
import type { QueueConnection } from './connection.js';
import { KEEP_COMPLETED, KEEP_FAILED, type JobReturn } from './enqueue.js';
import { parseJobData } from './job-data.js';
import { taskQueueName } from './queue-names.js';
import type { AlertInbox, RunHistory } from '../store/ports.js';
import { HeldTaskLocks } from './held-task-locks.js';
import { watchUnreadableJobs, type UnreadableJobWatch } from './unreadable-jobs.js';

/** How long a job whose task is locked on this host (a local run holds it) waits before it is tried again. */
export const LOCKED_RETRY_MS = 2_000;

/** Options of {@link startWorker}. */
export interface WorkerOptions {
  settings: Settings;
  /** Runs at once in this process, over all its tasks. */
  concurrency: number;
  /** Only these tasks' queues; default every task discovered in the home (built-ins included). */
  tasks?: readonly string[];
  log: Logger;
  /** BullMQ's job lock: a job whose worker stopped renewing it is taken over after this long. */
  lockMs: number;
}

/** The stores a worker's runs use besides its own files (src/compose/stores.ts chooses them). */
export interface WorkerDeps {
  /** Every run record is appended here too, after the worker's own logs/tasks.jsonl. */
  history?: RunHistory;
  /** Where `ctx.alert` of a run writes, instead of the worker's own alerts/ folder. */
  alerts?: AlertInbox;
}

/** A running `runner worker`. */
export interface RunnerWorker {
  /** The tasks whose queues it takes jobs from. */
  readonly tasks: readonly string[];
  /**
   * Stop taking jobs and wait for the active ones up to `deadlineMs`, then abort them through
   * their `ctx.signal` and wait for their records. Resolves to whether any run had to be aborted.
   */
  close(deadlineMs: number): Promise<{ aborted: boolean }>;
}

/**
 * Start a worker: one BullMQ Worker per task queue, all on the process's one connection. Each task
 * queue has a global concurrency of 1, which makes a task's jobs mutually exclusive across every
 * worker of the cluster. A job runs through the same core as a local run (`runTask`: lock, timeout,
 * signal, one record in the worker's logs/tasks.jsonl), one attempt per job attempt: BullMQ retries.
 */
export async function startWorker(connection: QueueConnection, options: WorkerOptions, deps: WorkerDeps = {}): Promise<RunnerWorker> {
  const { settings, log } = options;
  const registry = await discoverTasks({ home: settings.home });
  for (const broken of registry.broken) log.warn({ file: broken.file }, `task file not loaded: ${broken.reason}`);
  const known = new Map<string, Task>([...registry.tasks].map(([name, found]) => [name, found.task]));
  const names = options.tasks ? [...new Set(options.tasks)] : [...known.keys()].sort();
  for (const name of names) {
    if (!known.has(name)) log.warn(`task ${name} is not found in ${settings.home}: its jobs will fail`);
  }
  if (names.length === 0) throw new RunnerError('runner.invalidArgument', `no tasks to work on in ${settings.home}`);

  const host = `${hostname()}:${process.pid}`;
  const shutdown = new AbortController();
  const slots = new Slots(options.concurrency);
  const { UnrecoverableError, DelayedError } = connection.bullmq;
  const pendingHistory = new PendingWrites();
  const locks = new HeldTaskLocks({ home: settings.home, staleMs: settings.config.lock?.staleMs });
  const processor = makeProcessor({ known, settings, log, host, signal: shutdown.signal, slots, locks, deps, pendingHistory, UnrecoverableError, DelayedError });

  const queues: Queue[] = [];
  const workers: Worker[] = [];
  const watches: UnreadableJobWatch[] = [];
  for (const name of names) {
    const queue = connection.queue(taskQueueName(name));
    queues.push(queue);
    await queue.setGlobalConcurrency(1);
  }
  for (const name of names) {
    const worker = connection.worker(taskQueueName(name), processor(name), {
      concurrency: 1,
      lockDuration: options.lockMs,
      stalledInterval: options.lockMs,
      // A job whose worker died twice in a row is failed rather than tried for ever.
      maxStalledCount: 2,
      removeOnComplete: { count: KEEP_COMPLETED },
      removeOnFail: { count: KEEP_FAILED },
    });
    worker.on('error', (error) => log.warn({ err: error }, `queue ${taskQueueName(name)}: ${error.message}`));
    const watch = watchUnreadableJobs(connection, worker, name, log);
    if (watch) watches.push(watch);
    worker.on('failed', (job, error) => {
      if (job && error.name !== 'DelayedError') log.info({ job_id: job.id, attempts_made: job.attemptsMade }, `job ${job.id} of ${name} failed: ${error.message}`);
    });
    workers.push(worker);
  }
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));

  let closing: Promise<{ aborted: boolean }> | undefined;
  return {
    tasks: names,
    close: (deadlineMs) => {
      closing ??= (async () => {
        const closed = Promise.all(workers.map((worker) => worker.close()));
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<'deadline'>((resolve) => (timer = setTimeout(() => resolve('deadline'), deadlineMs)));
        const first = await Promise.race([closed.then(() => 'closed' as const), deadline]);
        clearTimeout(timer);
        let aborted = false;
        if (first === 'deadline' && slots.busy > 0) {
          aborted = true;
          log.warn(`shutdown: ${slots.busy} run(s) still active after ${deadlineMs} ms: aborting them`);
          shutdown.abort(new RunnerError('runner.cancelled', 'cancelled: the worker is shutting down', { exitCode: EXIT.sigterm }));
        }
        await closed;
        await Promise.all(watches.map((watch) => watch.settled()));
        await pendingHistory.settled();
        await locks.releaseAll();
        await Promise.all(queues.map((queue) => queue.close().catch(() => undefined)));
        return { aborted };
      })();
      return closing;
    },
  };
}

interface ProcessorContext {
  known: Map<string, Task>;
  settings: Settings;
  log: Logger;
  host: string;
  signal: AbortSignal;
  slots: Slots;
  locks: HeldTaskLocks;
  deps: WorkerDeps;
  pendingHistory: PendingWrites;
  // Taken from the loaded BullMQ once: an `import()` per job costs a module lookup and a copy of
  // its exports in the bundle.
  UnrecoverableError: QueueConnection['bullmq']['UnrecoverableError'];
  DelayedError: QueueConnection['bullmq']['DelayedError'];
}

function makeProcessor(context: ProcessorContext) {
  const { known, settings, log, host, signal, slots, locks, deps, pendingHistory, UnrecoverableError, DelayedError } = context;
  // Asked once: a job's closing debug line is not even put together at the default level.
  const debugEnabled = log.isLevelEnabled('debug');
  return (queueTask: string) =>
    async (job: Job, token?: string): Promise<JobReturn> => {
      const parsed = parseJobData(job.data);
      if (!parsed.ok) throw new UnrecoverableError(`job ${job.id} of ${queueTask}: ${parsed.problem}`);
      const data = parsed.data;
      if (data.task !== queueTask) throw new UnrecoverableError(`job ${job.id} names task "${data.task}" but is in the queue of "${queueTask}"`);
      const task = known.get(queueTask);
      if (!task) throw new UnrecoverableError(`unknown task "${queueTask}": no such task on worker ${host} (home ${settings.home})`);
      let args: ReturnType<typeof parseTaskArgs>;
      let timeoutMs: number | undefined;
      try {
        // Silent: a job's `--help` or bad option is its failure, not text on the worker's output.
        args = parseTaskArgs(task, data.args, { silent: true });
        const timeout = data.timeout ?? args.flags.timeout;
        timeoutMs = timeout === undefined ? undefined : parseDuration(timeout, 'timeout');
      } catch (error) {
        throw new UnrecoverableError(`job ${job.id} of ${queueTask}: bad arguments: ${error instanceof Error ? error.message : String(error)}`);
      }
      await slots.take();
      let outcome: RunOutcome | undefined;
      // Without the held lock (a local run has it) the run tries the lock itself: it ends as
      // `locked`, or runs if the local run has just ended.
      const heldLock = await locks.take(queueTask).catch(() => undefined);
      try {
        outcome = await runTask(task, {
          settings,
          args: args.args,
          // `args.options` is this job's own copy.
          options: data.options ? { ...args.options, ...data.options } : args.options,
          dryRun: data.dryRun === true || args.flags.dryRun === true,
          retries: 0,
          timeoutMs,
          // A job scheduler's tick (`runner schedule add`) carries its scheduler's key; a job of
          // `runner enqueue` does not: someone asked for that run once, it sets no expectation.
          scheduled: job.repeatJobKey !== undefined,
          signal,
          log,
          alerts: deps.alerts,
          history: deps.history,
          heldLock,
          // BullMQ runs a job that failed again while it has attempts left.
          moreAttempts: job.attemptsMade + 1 < (job.opts.attempts ?? 1),
        });
      } finally {
        if (heldLock) locks.runEnded(queueTask, outcome?.lockReleased ?? Promise.resolve());
        slots.release();
      }
      if (outcome.historyAppended) {
        // Not awaited here: the append goes out together with BullMQ's move of the job to finished
        // (one round trip to the server instead of two a job); the worker waits for it on close.
        pendingHistory.add(
          outcome.historyAppended.then((error) => {
            if (error !== undefined) log.warn({ err: error }, 'shared history: record not added');
          }),
        );
      }
      if (debugEnabled) {
        log.debug({ job_id: job.id, attempt: job.attemptsMade + 1, status: outcome.status }, `job ${job.id} of ${queueTask}: ${outcome.status}`);
      }
      switch (outcome.status) {
        case 'success':
          return { exitCode: EXIT.ok, runId: typeof outcome.record.run_id === 'string' ? outcome.record.run_id : undefined, host };
        case 'locked':
        case 'cancelled':
          // Not the task's failure: the job goes back without using an attempt (a local run holds
          // the task's lock, or this worker is shutting down and another one will take it).
          await job.moveToDelayed(Date.now() + (outcome.status === 'locked' ? LOCKED_RETRY_MS : 0), token);
          throw new DelayedError();
        case 'timed_out':
          // A local run's timeout ends the whole run, attempts included: so does a job's.
          throw new UnrecoverableError(String(outcome.record.error));
        case 'failed':
          // A non-retryable error (or bad input) stops at once, as in a local run.
          if (outcome.record.all_attempts_failed === false) throw new UnrecoverableError(String(outcome.record.error));
          throw new Error(String(outcome.record.error));
      }
    };
}

/** Writes under way that the worker must see finished before it closes its connection. */
class PendingWrites {
  private readonly writes = new Set<Promise<void>>();

  add(write: Promise<void>): void {
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write));
  }

  async settled(): Promise<void> {
    await Promise.all([...this.writes]);
  }
}

/** A counting semaphore: at most `size` runs at once in the process, over all task queues. */
class Slots {
  busy = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly size: number;
  constructor(size: number) {
    this.size = size;
  }

  /** Take a slot: resolves at once when one is free, else once one is released. */
  take(): Promise<void> {
    if (this.busy < this.size) {
      this.busy += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy -= 1;
  }
}
