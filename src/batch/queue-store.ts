import path from 'node:path';
import { EXIT, RunnerError } from '../shared/errors.js';
import { tryLock } from '../store/lock.js';
import { queueFileOf, readQueue, updateQueue, type BatchEntry, type QueuedEntry, type QueueSource } from './queue-file.js';

/** A queue's executor lock, held while a batch runs. */
export interface ExecutorLock {
  release(): Promise<void>;
}

/**
 * Where a batch queue lives: `batch-tasks.json` in the workspace (the default), or the shared
 * queue in the queue server when `queue.url` is configured (src/distributed/shared-batch-*.ts).
 * Adding, listing and executing work on either through this interface: the queue logic (ordering,
 * claims, settling, recovery) stays in the pure functions of this folder, which a store runs on the
 * entries it read inside its own transaction.
 */
export interface QueueStore {
  /** How messages name the queue: the file's path, or the server (without password) and prefix. */
  readonly name: string;
  /** The entries, validated, every one with its id. */
  read(): Promise<QueuedEntry[]>;
  /**
   * Read-modify-write atomically: `change` gets the current entries (and what the store knows
   * about where they came from), changes them in place, and its return value is resolved once the
   * change is stored. A shared store may call `change` more than once (an optimistic retry), each
   * time on a fresh read, so it must not have effects other than on the entries and on values it
   * only assigns. With `dryRun` nothing is written.
   */
  update<T>(change: (entries: QueuedEntry[], source: QueueSource) => T, options?: { dryRun?: boolean }): Promise<T>;
  /**
   * Take the queue's one-executor lock without waiting (`runner.locked` when another executor holds
   * it). `onCompromised` is called if the lock is lost while held; it must stop the batch.
   */
  acquireExecutorLock(onCompromised: (error: Error) => void): Promise<ExecutorLock>;
  /**
   * Why this store never runs `entry`, or undefined. The shared queue forbids `command` entries
   * (SPEC §10: what is queued names a task; it carries no code): `batch add` refuses them, and the
   * executor fails one found there anyway, without running it.
   */
  forbids?(entry: Readonly<BatchEntry>): string | undefined;
  /** Let go of the store's connection (nothing for the file). */
  close(): Promise<void>;
}

/** The workspace's `batch-tasks.json`, exactly as the batch queue has always worked. */
export function fileQueueStore(workspace: string): QueueStore {
  const file = queueFileOf(workspace);
  return {
    name: file,
    read: () => readQueue(file),
    update: (change, options) => updateQueue(file, change, options),
    acquireExecutorLock: (onCompromised) => acquireExecutorLock(file, onCompromised),
    close: async () => undefined,
  };
}

/** The executor lock of a queue file: beside it, so it belongs to the queue, whoever's home runs it. */
export function executorLockPath(queueFile: string): string {
  return path.join(path.dirname(queueFile), `.${path.basename(queueFile)}.executor.lock`);
}

/**
 * Take the queue file's executor lock without waiting: one executor per queue file, whichever
 * runner home it was started from. Exactly-once recovery depends on it (a claim not ours is a dead
 * executor's only while we hold this lock). `runner.locked` when another executor holds it.
 */
async function acquireExecutorLock(queueFile: string, onCompromised: (error: RunnerError) => void): Promise<ExecutorLock> {
  const lockPath = executorLockPath(queueFile);
  const lock = await tryLock(lockPath, { what: 'the batch executor lock', onCompromised });
  if (lock) return lock;
  throw new RunnerError('runner.locked', `another executor is running the batch queue ${queueFile} (lock ${lockPath})`, {
    file: lockPath,
    exitCode: EXIT.locked,
    retryable: false,
  });
}
