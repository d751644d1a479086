import lockfile from 'proper-lockfile';
import path from 'node:path';
import { EXIT, RunnerError } from '../shared/errors.js';

/** How long a dead executor's lock blocks the queue (proper-lockfile refreshes a live one). */
const STALE_MS = 30_000;

/** The executor lock of a queue file: beside it, so it belongs to the queue, whoever's home runs it. */
export function executorLockPath(queueFile: string): string {
  return path.join(path.dirname(queueFile), `.${path.basename(queueFile)}.executor.lock`);
}

export interface ExecutorLock {
  release(): Promise<void>;
}

/**
 * Take the queue's executor lock without waiting: one executor per queue file, whichever runner
 * home it was started from. Exactly-once recovery depends on it (a claim not ours is a dead
 * executor's only while we hold this lock). Losing the lock while running calls `onCompromised`,
 * which must stop the batch.
 */
export async function acquireExecutorLock(queueFile: string, onCompromised: (error: RunnerError) => void): Promise<ExecutorLock> {
  const lockPath = executorLockPath(queueFile);
  let ended = false;
  let release: () => Promise<void>;
  try {
    // Keyed by the lock's own path: proper-lockfile keeps one lock per resource path in a process,
    // and the queue file's short lock (`updateQueue`) already uses the queue file's.
    release = await lockfile.lock(lockPath, {
      lockfilePath: lockPath,
      realpath: false,
      stale: STALE_MS,
      retries: 0,
      onCompromised: (error) => {
        ended = true;
        onCompromised(new RunnerError('lock.compromised', `batch executor lock ${lockPath} was lost: ${error.message}`, { file: lockPath, cause: error }));
      },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    throw new RunnerError('runner.locked', `another executor is running the batch queue ${queueFile} (lock ${lockPath})`, {
      file: lockPath,
      exitCode: EXIT.locked,
      retryable: false,
    });
  }
  return {
    async release() {
      if (ended) return;
      ended = true;
      await release().catch(() => undefined);
    },
  };
}
